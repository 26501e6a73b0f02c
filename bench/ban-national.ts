/**
 * National-scale BAN reference (npm run bench:ban-national -- [DEPARTEMENTS] [ADRESSES]):
 * generates DEPARTEMENTS synthetic départements of ADRESSES addresses each
 * (default 10 × 260,000: the national BAN is 26 million addresses in 101
 * départements, 257,000 on average; the generator makes 96 two-digit codes,
 * 01–19, 21–96 and 99, so national scale is 96 × 270,833), imports them with `importBanFiles`
 * into an embedded store in a child process (time, peak memory, store size;
 * the store is created and migrated beforehand in a child of its own),
 * then geocodes 100,000 noisy addresses spread over the départements in
 * another child, the reference loaded from the store.
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { banCsvLines, generateDepartement } from "../src/geo/synthetic.js";
import { PROJECT_ROOT } from "../test/helpers/fixtures.js";

const n = Number(process.argv[2] ?? 10);
const perDep = Number(process.argv[3] ?? 260_000);
const dir = mkdtempSync(path.join(tmpdir(), "socle-bench-ban-"));
// The generator makes two-digit codes only (no 2A/2B, no DOM): 01–19, 21–96 and 99, 96 at most
// (a commune code 97xxx or 98xxx is read as an overseas département's three-digit code).
const twoDigit = Array.from({ length: 99 }, (_, k) => String(k + 1).padStart(2, "0")).filter(
  (c) => c !== "20" && c !== "97" && c !== "98",
);
if (n > twoDigit.length)
  throw new Error(`au plus ${twoDigit.length} départements synthétiques (codes à deux chiffres)`);
const codes = twoDigit.slice(0, n);
const files: string[] = [];
const iris: unknown[] = [];
const t0 = performance.now();
for (const [k, d] of codes.entries()) {
  const dep = generateDepartement({ seed: 1000 + k, addresses: perDep, departement: d });
  const file = path.join(dir, `adresses-${d}.csv`);
  const out = createWriteStream(file);
  for (const l of banCsvLines(dep)) if (!out.write(`${l}\n`)) await once(out, "drain");
  out.end();
  await once(out, "close");
  files.push(file);
  iris.push(...dep.iris);
}
writeFileSync(path.join(dir, "iris.json"), JSON.stringify(iris));
console.log(
  `${codes.length} départements générés en ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`,
);
const child = (script: string, args: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "bench", script), ...args], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      maxBuffer: 1e8,
    })
      .trim()
      .split("\n")
      .pop()!,
  );
const init = child("ban-national-child.ts", ["init", dir]);
console.log(`Base créée et migrée à part (mémoire maximale ${init.peakRssMB.toFixed(0)} Mo)`);
const imp = child("ban-national-child.ts", ["import", dir, ...files]);
console.log(
  `Import de ${imp.adresses.toLocaleString("fr-FR")} adresses (${imp.departements} départements) : ${imp.secondes.toFixed(1)} s, ` +
    `mémoire maximale ${imp.peakRssMB.toFixed(0)} Mo, base ${imp.storeMB.toFixed(0)} Mo (index ${imp.blobMB.toFixed(1)} Mo)`,
);
// 100,000 addresses spread over 10 départements (all of them when fewer), as the issue measures.
const geoCodes =
  codes.length <= 10
    ? codes
    : Array.from({ length: 10 }, (_, k) => codes[Math.floor((k * codes.length) / 10)]!);
// Each département with the index its seed was drawn from (code@index).
const geo = child("ban-national-child.ts", [
  "geocode",
  dir,
  String(perDep),
  ...geoCodes.map((c) => `${c}@${codes.indexOf(c)}`),
]);
console.log(
  `Géocodage de ${geo.lignes.toLocaleString("fr-FR")} adresses sur ${geoCodes.length} départements (parmi ${codes.length}) : chargement ${geo.chargement.toFixed(1)} s, ` +
    `géocodage ${geo.secondes.toFixed(1)} s (${Math.round(geo.lignes / geo.secondes).toLocaleString("fr-FR")}/s), ` +
    `IRIS juste ${((100 * geo.justes) / geo.lignes).toFixed(2)} %, faux ${((100 * geo.faux) / geo.lignes).toFixed(3)} %, mémoire maximale ${geo.peakRssMB.toFixed(0)} Mo`,
);
rmSync(dir, { recursive: true, force: true });
