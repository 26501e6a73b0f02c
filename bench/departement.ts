/**
 * Scale of a release (issue 13, item 9): a synthetic département of 1,500
 * IRIS in 300 communes and 20 EPCI, with 10 custom zones attached, and an
 * APA-like file (sexe, 9 age bands, GIR) tabulated as `socle release` would
 * (territory × each breakdown, IRIS → commune → EPCI → Ensemble, every zone
 * a grouping of its own), protected and audited in the full standard.
 * Printed by `npm run bench:secret -- departement`.
 */

import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { Dataset } from "../src/core/convention/model.js";
import { AIX } from "../src/core/convention/reference.js";
import {
  breakdownsFor,
  buildReleaseTables,
  type Geography,
  type ReleaseRow,
} from "../src/core/release/aggregate.js";
import { protectTable } from "../src/core/secrecy/protect.js";
import type { Highs } from "../src/core/secrecy/solver.js";
import { blockWorkers, defaultBlockPool } from "../src/release/block-pool.js";
import { prng } from "../test/helpers/apa-case.js";

const aixApa = AIX.jeux.find((j) => j.id === "apa");
if (!aixApa) throw new Error("APA dataset missing");
/** The Aix APA annex, published at every level a département observatory uses. */
const APA: Dataset = { ...aixApa, niveaux: ["iris", "commune", "epci", "departement", "zone"] };

/** The synthetic département: 1,500 IRIS, 300 communes, 20 EPCI, 10 zones, `people` APA rows. */
export function departementCase(people = 30_000) {
  const rnd = prng(1500);
  const iris: Geography["iris"][number][] = [];
  const communes: Geography["communes"][number][] = [];
  for (let c = 0; c < 300; c++) {
    const code = `99${String(c).padStart(3, "0")}`;
    communes.push({ code, nom: `Commune ${c}`, epci: `2000000${String(c % 20).padStart(2, "0")}` });
    for (let k = 0; k < 5; k++)
      iris.push({ code: `${code}${String(k + 1).padStart(4, "0")}`, nom: `IRIS ${c}-${k}`, commune: code });
  }
  // Zones: sets of IRIS across communes (quartiers, RPE), not nested in them.
  const zones = Array.from({ length: 10 }, (_, z) => ({
    code: `z${z}`,
    nom: `Zone ${z}`,
    iris: iris.filter((_, k) => k % 97 === z * 3 || k % 89 === z).map((i) => i.code),
  }));
  const epci = new Map(
    Array.from({ length: 20 }, (_, e) => [`2000000${String(e).padStart(2, "0")}`, `EPCI ${e}`]),
  );
  const weights = iris.map(() => 0.2 + rnd() * rnd() * 3);
  const total = weights.reduce((s, w) => s + w, 0);
  const rows: ReleaseRow[] = [];
  for (let k = 0; k < people; k++) {
    let u = rnd() * total;
    let at = 0;
    while (at < weights.length - 1 && u > (weights[at] as number)) u -= weights[at++] as number;
    const age = 60 + Math.floor(rnd() * rnd() * 40);
    rows.push({
      codeIris: iris[at]?.code ?? null,
      valeurs: {
        sexe: rnd() < 0.68 ? "F" : "M",
        date_naissance: `${2025 - age}-06-30`,
        gir: String(((x) => (x < 0.02 ? 1 : x < 0.19 ? 2 : x < 0.39 ? 3 : 4))(rnd())),
      },
    });
  }
  const geo: Geography = { iris, communes, epci, zones };
  const built = buildReleaseTables(
    rows,
    geo,
    APA.niveaux,
    breakdownsFor(APA, "2025-12-31", [0, 60, 65, 70, 75, 80, 85, 90, 95]),
  );
  return { set: built.set, rules: { threshold: 5, standard: "full" as const } };
}

export function printDepartement(highs: Highs): void {
  const { set, rules } = departementCase();
  console.log(
    `\nScale — synthetic département (1,500 IRIS, 300 communes, 20 EPCI, 10 zones; sexe, 9 age bands, GIR): ${set.cells.length} cells, ${set.innerCount} inner cells`,
  );
  const pool = defaultBlockPool();
  const workers = pool ? pool.size : 1;
  const load0 = loadavg()[0] as number;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const r = protectTable(highs, set, rules, pool ? { pool } : {});
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `full standard: ${r.primary} primary, ${r.secondary} secondary, audit ${r.audit.ok ? "passes" : "FAILS"}; gauss ${r.stages.gauss.toFixed(1)} s, repairs ${r.stages.repair.toFixed(1)} s (screenings ${r.stages.screening.toFixed(1)}, of which block LPs ${r.stages.blockLps.toFixed(1)}; perturbations ${r.stages.perturbation.toFixed(1)}), audit ${r.stages.audit.toFixed(1)} s`,
  );
  // On a shared machine the wall time depends on the others' load: the CPU
  // time (every thread of the process, the pool's workers included) says what it costs.
  console.log(
    `block LPs on ${workers === 1 ? "1 thread (in-thread)" : `${workers} worker threads`} (SOCLE_SECRET_WORKERS=${process.env.SOCLE_SECRET_WORKERS ?? `unset → ${blockWorkers()}`}): wall ${wall.toFixed(1)} s, CPU ${cpuSeconds.toFixed(1)} s — target ≤ 30 s; load average ${load0.toFixed(1)} → ${(loadavg()[0] as number).toFixed(1)}`,
  );
  const threads = threadCpu();
  if (threads.length > 0)
    console.log(
      `CPU by thread (Linux /proc, over ½ s): ${threads.map((t) => `${t.name} ${t.seconds.toFixed(1)} s`).join(", ")}`,
    );
  console.log(
    `${r.rounds} screening rounds, ${r.repairs} repairs; final audit: ${r.audit.localSolves} block LPs, ${r.audit.globalSolves} LPs of the whole system`,
  );
}

/**
 * CPU seconds of each thread of this process from /proc (Linux only): the
 * main thread's beside the pool's workers' tells what 2 free cores would
 * take (the main thread waits while the workers solve), which the wall time
 * of a shared machine does not.
 */
function threadCpu(): { name: string; seconds: number }[] {
  try {
    const tick = 100;
    return readdirSync("/proc/self/task")
      .map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
        const comm = readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
        return { name: tid === String(process.pid) ? "main" : comm, seconds };
      })
      .filter((t) => t.seconds > 0.5)
      .sort((a, b) => b.seconds - a.seconds);
  } catch {
    return [];
  }
}
