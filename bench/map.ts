/**
 * npm run bench:map — the observatory in Chromium on this machine:
 *   1. a département of 1,500 IRIS (synthetic square IRIS laid over the
 *      real communes of the Pas-de-Calais, released through deposit →
 *      release) mapped by IRIS: from navigation to the map drawn with every
 *      IRIS (target < 2 s);
 *   2. switching indicator on that map: from the choice to the map redrawn,
 *      values fetched from the API included (target < 300 ms), and a change
 *      of classes (no request);
 *   3. the portrait of Béthune printed to PDF (target < 5 s).
 * Each timing is the median of 5 runs after one warm-up.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROUEN } from "../src/core/convention/reference.js";
import { loadSolver } from "../src/core/secrecy/solver.js";
import { importIrisFile } from "../src/geo/iris-import.js";
import { depositAggregatedFile } from "../src/ingest/aggregated-deposit.js";
import { publishRelease } from "../src/release/publish.js";
import { hashPassword } from "../src/server/passwords.js";
import { createJeu } from "../src/store/datasets.js";
import { buildWeb, launchChromium } from "../test/helpers/browser.js";
import { SOCLE_HEADER, seedObservatoire } from "../test/helpers/observatoire-seed.js";
import { startServer } from "../test/helpers/server.js";

const EMAIL = "bench@socle.test";
const PASSWORD = "Banc-Carte-Chromium-2026";
const N = 1500;
/** Timed runs after the warm-up (SOCLE_BENCH_RUNS, default 5). */
const RUNS = Number(process.env.SOCLE_BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const work = mkdtempSync(path.join(tmpdir(), "socle-bench-map-"));
const web = await buildWeb();
const s = await startServer("pglite", web, false, () => new Date("2026-06-15T10:00:00Z"));
try {
  console.log("seeding Rouen, Béthune and a 1,500-IRIS département…");
  await seedObservatoire(s.db, work, { email: EMAIL, passwordHash: await hashPassword(PASSWORD) });
  const communes = (
    await s.db.query<{ code: string }>(
      "SELECT code FROM commune WHERE departement_code = '62' AND kind = 'commune' ORDER BY code",
    )
  ).map((r) => r.code);
  // 50 × 30 squares over the Pas-de-Calais, each an IRIS of one of its communes.
  const cols = 50;
  const rows = N / cols;
  const [x0, y0, x1, y1] = [1.56, 50.02, 3.18, 51.0];
  const perCommune = new Map<string, number>();
  const features = Array.from({ length: N }, (_, i) => {
    const cx = i % cols;
    const cy = Math.floor(i / cols);
    const com = communes[i % communes.length]!;
    const n = (perCommune.get(com) ?? 0) + 1;
    perCommune.set(com, n);
    const w = (x1 - x0) / cols;
    const h = (y1 - y0) / rows;
    const [ax, ay] = [x0 + cx * w, y0 + cy * h];
    // A few intermediate vertices per side, like real contours (a square is too easy).
    const ring: number[][] = [];
    for (const [sx, sy, dx, dy] of [
      [ax, ay, w, 0],
      [ax + w, ay, 0, h],
      [ax + w, ay + h, -w, 0],
      [ax, ay + h, 0, -h],
    ] as const)
      for (let k = 0; k < 8; k++) ring.push([sx + (dx * k) / 8, sy + (dy * k) / 8]);
    ring.push(ring[0]!);
    return {
      type: "Feature",
      properties: {
        CODE_IRIS: `${com}${String(n).padStart(4, "0")}`,
        INSEE_COM: com,
        NOM_IRIS: `IRIS ${i + 1}`,
        TYP_IRIS: "H",
      },
      geometry: { type: "Polygon", coordinates: [ring] },
    };
  });
  const gj = path.join(work, "iris-62-synthetiques.geojson");
  writeFileSync(gj, JSON.stringify({ type: "FeatureCollection", features }));
  await importIrisFile(s.db, gj);
  const csv = [SOCLE_HEADER.join(";")];
  features.forEach((f, i) => {
    const a = 150 + ((i * 7919) % 1800);
    const p = (x: number) => Math.round(a * x);
    csv.push(
      [
        f.properties.CODE_IRIS,
        a,
        p(2.2),
        "",
        p(0.1 + (i % 9) / 60),
        p(0.06),
        p(0.5),
        p(0.35),
        p(0.25),
        p(0.18),
        p(0.08),
        p(0.15 + (i % 13) / 40),
        p(0.1),
        "",
        p(0.12 + ((i * 37) % 50) / 100),
      ].join(";"),
    );
  });
  const file = path.join(work, "socle-62.csv");
  writeFileSync(file, csv.join("\n"));
  const jeu = await createJeu(s.db, ROUEN.id, "socle-caf", "Socle CAF (banc 62)");
  await depositAggregatedFile({ db: s.db, convention: ROUEN, jeuId: jeu, file, annee: 2019, actorId: null });
  await publishRelease({
    db: s.db,
    highs: await loadSolver(),
    convention: ROUEN,
    jeuId: jeu,
    annee: 2019,
    actorId: null,
  });

  // The server's part: the values and the contours the page asks for.
  const { Client } = await import("../test/helpers/server.js");
  const c = new Client(s.url);
  await c.login(EMAIL, PASSWORD);
  // The server runs in this process: its CPU time per request is this process's (PGlite included).
  for (const url of [
    "/api/indicateurs/part_bas_revenus/valeurs?niveau=iris",
    "/api/indicateurs/taux_dependance_50/valeurs?niveau=iris",
    "/api/territoires/departement/62/iris",
    "/api/indicateurs/portrait?territoire=62119&niveau=commune",
  ]) {
    const ts: number[] = [];
    const cpu: number[] = [];
    for (let k = 0; k < 4; k++) {
      const t = Date.now();
      const u = process.cpuUsage();
      await c.req("GET", url);
      const d = process.cpuUsage(u);
      cpu.push(Math.round((d.user + d.system) / 1000));
      ts.push(Date.now() - t);
    }
    console.log(`server ${url}: ${ts.join(", ")} ms (CPU ${cpu.join(", ")} ms; the first is cold)`);
  }
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${s.url}/`);
  await page.getByLabel("Adresse électronique").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForFunction(() => document.title.startsWith("Territoires"));

  const drawn = () =>
    page.waitForFunction(
      (n) => {
        const m = document.querySelector(".carte") as HTMLElement | null;
        return m?.dataset.pret === "1" && Number(m.dataset.zonesRendues) >= n;
      },
      N,
      { timeout: 60_000, polling: "raf" },
    );
  // SOCLE_BENCH_PROFILE=1: the renderer's top functions (self time) during one switch and one class change.
  const cdp = await page.context().newCDPSession(page);
  const profile = async (label: string | null, act: () => Promise<void>) => {
    if (!process.env.SOCLE_BENCH_PROFILE || label === null) return act();
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.start");
    await browser.startTracing(page, {
      categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "gpu"],
    });
    await act();
    const trace = JSON.parse((await browser.stopTracing()).toString("utf8")) as {
      traceEvents: {
        name: string;
        ph: string;
        dur?: number;
        tid: number;
        pid: number;
        args?: { name?: string };
      }[];
    };
    const threads = new Map<string, string>();
    for (const e of trace.traceEvents)
      if (e.ph === "M" && e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? "");
    const byName = new Map<string, number>();
    for (const e of trace.traceEvents)
      if (e.ph === "X" && e.dur) {
        const k = `${threads.get(`${e.pid}:${e.tid}`) ?? "?"} ${e.name}`;
        byName.set(k, (byName.get(k) ?? 0) + e.dur / 1000);
      }
    console.log(`  trace of ${label} (total ms by thread and event):`);
    for (const [k, v] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25))
      console.log(`    ${v.toFixed(0).padStart(6)}  ${k}`);
    const { profile: p } = (await cdp.send("Profiler.stop")) as unknown as {
      profile: {
        nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
        samples: number[];
        timeDeltas: number[];
      };
    };
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    p.samples.forEach((id, i) => {
      const f = byId.get(id)!.callFrame;
      const k = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
      self.set(k, (self.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
    });
    console.log(`  profile of ${label} (self ms):`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14))
      console.log(`    ${v.toFixed(0).padStart(6)}  ${k}`);
  };
  // Renderer main-thread time (CPU) of each step, from Chromium's own counters.
  const taskTime = async () => {
    const { metrics } = (await cdp.send("Performance.getMetrics")) as {
      metrics: { name: string; value: number }[];
    };
    return (metrics.find((m) => m.name === "TaskDuration")?.value ?? 0) * 1000;
  };
  await cdp.send("Performance.enable");
  const cpuOf = new Map<string, number[]>();
  const timed = async (label: string, keep: boolean, act: () => Promise<void>, navigates = false) => {
    const t = Date.now();
    // A navigation starts a new document, whose counters start at zero.
    const c0 = navigates ? 0 : await taskTime();
    await act();
    const c1 = await taskTime();
    if (!keep) return;
    (cpuOf.get(label) ?? cpuOf.set(label, []).get(label)!).push(Math.round(c1 - c0));
    return Date.now() - t;
  };
  const open: number[] = [];
  const sw: number[] = [];
  const cls: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const tOpen = await timed(
      "open",
      run > 0,
      async () => {
        await page.goto(`${s.url}/indicateurs?indicateur=part_bas_revenus&niveau=iris`);
        await drawn();
      },
      true,
    );
    if (tOpen !== undefined) open.push(tOpen);
    await page.evaluate(() => {
      (document.querySelector(".carte") as HTMLElement).dataset.pret = "0";
    });
    const tSw = await timed("switch", run > 0, () =>
      profile(run === 1 ? "an indicator switch" : null, async () => {
        await page.getByLabel("Indicateur").selectOption("taux_dependance_50");
        await drawn();
      }),
    );
    if (tSw !== undefined) sw.push(tSw);
    if (run > 0)
      console.log(
        "  client side after the values arrived:",
        await page.evaluate(() => {
          const r = performance
            .getEntriesByType("resource")
            .filter((e) => e.name.includes("/valeurs"))
            .at(-1) as PerformanceResourceTiming;
          return `${Math.round(performance.now() - r.responseEnd)} ms (request ${Math.round(r.responseEnd - r.startTime)} ms)`;
        }),
      );
    await page.evaluate(() => {
      (document.querySelector(".carte") as HTMLElement).dataset.pret = "0";
    });
    const tCls = await timed("classes", run > 0, () =>
      profile(run === 1 ? "a class change" : null, async () => {
        await page.getByLabel("Méthode de classes").selectOption("jenks");
        await drawn();
      }),
    );
    if (tCls !== undefined) cls.push(tCls);
  }
  const pdf: number[] = [];
  let pages = 0;
  for (let run = 0; run <= RUNS; run++) {
    const t = await timed(
      "pdf",
      run > 0,
      async () => {
        await page.goto(`${s.url}/territoires/commune/62119/portrait`);
        await page.waitForFunction(
          () =>
            document.querySelectorAll(".table-portrait tbody tr").length > 1 &&
            document.querySelector(".carte-portrait svg"),
          null,
          { timeout: 60_000 },
        );
        await page.emulateMedia({ media: "print" });
        const bytes = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
        await page.emulateMedia({ media: "screen" });
        pages = (bytes.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      },
      true,
    );
    if (t !== undefined) pdf.push(t);
  }
  await browser.close();
  // A fixed piece of work timed in the same run: how loaded the shared machine was.
  const ref: number[] = [];
  for (let k = 0; k < 3; k++) {
    const xs = Float64Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i) * 1e6);
    const t = performance.now();
    xs.sort();
    ref.push(Math.round(performance.now() - t));
  }
  const cpu = (k: string) => `renderer CPU median ${median(cpuOf.get(k) ?? [0])} ms`;
  console.log(
    [
      `reference in the same run: sorting 1 M numbers in Node: median ${median(ref)} ms [${ref.join(", ")}]`,
      `1,500-IRIS département map, navigation → drawn: median ${median(open)} ms (target < 2000) [${open.join(", ")}]; ${cpu("open")}`,
      `indicator switch incl. API: median ${median(sw)} ms (target < 300) [${sw.join(", ")}]; ${cpu("switch")}`,
      `class method change: median ${median(cls)} ms [${cls.join(", ")}]; ${cpu("classes")}`,
      `portrait PDF (${pages} pages, map included), navigation → PDF bytes: median ${median(pdf)} ms (target < 5000) [${pdf.join(", ")}]; ${cpu("pdf")}`,
    ].join("\n"),
  );
} finally {
  await s.close();
  rmSync(work, { recursive: true, force: true });
}
