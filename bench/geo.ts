/**
 * Benchmarks of the geocoder (npm run bench:geo):
 *  - BAN reference import of a synthetic département (≥ 500,000 addresses):
 *    time and peak memory, in a child process;
 *  - geocoding rate, one process, on 1,000,000 noisy partner addresses,
 *    beside the rate of a plain exact-match hash lookup of the same
 *    addresses (the ceiling);
 *  - point-in-polygon rate on the Rouen and Lyon IRIS contours.
 * Targets on this machine: ≥ 50,000 addresses/s and ≥ 1,000,000 points/s.
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readIrisContours } from "../src/core/territory/iris-contours.js";
import { buildAddressIndex } from "../src/geo/address-index.js";
import { readContourFile } from "../src/geo/contours.js";
import { Geocoder } from "../src/geo/geocoder.js";
import { IrisLocator } from "../src/geo/iris-locator.js";
import { bothProjections } from "../src/geo/projection.js";
import { banCsvLines, generateDepartement, generateNoisyLines, prng } from "../src/geo/synthetic.js";
import { fixture, PROJECT_ROOT } from "../test/helpers/fixtures.js";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const dir = mkdtempSync(path.join(tmpdir(), "socle-bench-geo-"));

// 1. Reference import.
const dep = generateDepartement({ seed: 96, addresses: 520_000 });
const banFile = path.join(dir, "adresses-96.csv");
const out = createWriteStream(banFile);
for (const l of banCsvLines(dep)) if (!out.write(`${l}\n`)) await once(out, "drain");
out.end();
await once(out, "close");
const irisFile = path.join(dir, "iris.json");
writeFileSync(irisFile, JSON.stringify(dep.iris));
const child = JSON.parse(
  execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(PROJECT_ROOT, "bench/geo-import-child.ts"), banFile, irisFile],
    {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    },
  )
    .trim()
    .split("\n")
    .pop()!,
) as {
  adresses: number;
  readSeconds: number;
  pipIndexSeconds: number;
  serialiseSeconds: number;
  totalSeconds: number;
  blobMB: number;
  peakRssMB: number;
};
console.log(
  `BAN import, ${fmt(child.adresses)} addresses, ${dep.iris.length} IRIS: ${child.totalSeconds.toFixed(2)} s ` +
    `(read ${child.readSeconds.toFixed(2)} s, IRIS + index ${child.pipIndexSeconds.toFixed(2)} s, serialise ${child.serialiseSeconds.toFixed(2)} s); ` +
    `peak RSS ${child.peakRssMB.toFixed(0)} MB; index blob ${child.blobMB.toFixed(1)} MB`,
);

// 2. Geocoding rate on 1,000,000 noisy addresses vs an exact-match hash lookup.
const locator = new IrisLocator(dep.iris);
const rows = dep.addresses
  .filter((a) => !a.hidden)
  .map((a) => ({
    ...a,
    libelleAcheminement: a.communeNom.toUpperCase(),
    iris: locator.locateInCommune(a.communeCode, a.x, a.y),
  }));
let t = performance.now();
const geocoder = new Geocoder(buildAddressIndex(["96"], rows));
console.log(`Geocoder construction from the index: ${(performance.now() - t).toFixed(0)} ms`);
const noisy = generateNoisyLines(dep, { seed: 5, lines: 1_000_000 });
const keys = noisy.map((l) => l.parts.join("|"));
const exact = new Map<string, string>();
for (let i = 0; i < keys.length; i++) exact.set(keys[i]!, noisy[i]!.iris);

t = performance.now();
let hits = 0;
for (const k of keys) if (exact.get(k) !== undefined) hits++;
const hashSeconds = (performance.now() - t) / 1000;

// CPU time beside wall time: on a shared machine the wall time says more about the load.
const cpuBefore = process.cpuUsage();
t = performance.now();
let right = 0;
let wrong = 0;
for (const l of noisy) {
  const r = geocoder.geocode(l.parts);
  if (r.codeIris === l.iris) right++;
  else if (r.codeIris !== null) wrong++;
}
const geoSeconds = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  `Geocoding 1,000,000 noisy addresses (one process): ${fmt(noisy.length / geoSeconds)} addresses/s ` +
    `(${geoSeconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU: ` +
    `${fmt(noisy.length / ((cpu.user + cpu.system) / 1e6))} addresses per CPU second; ` +
    `right IRIS ${fmt(right)} (${((100 * right) / noisy.length).toFixed(2)} %), wrong ${fmt(wrong)} ` +
    `(${((100 * wrong) / noisy.length).toFixed(4)} %), unknown ${fmt(noisy.length - right - wrong)}) — target ≥ 50,000/s`,
);
console.log(
  `  ceiling, exact-match hash lookup of the same ${fmt(keys.length)} strings: ${fmt(keys.length / hashSeconds)} lookups/s (${hits} hits)`,
);

// 3. Point in polygon on real contours.
for (const [label, file] of [
  ["Rouen (42 IRIS)", "geo/rouen-iris/Rouen_iris.shp"],
  ["Lyon (358 IRIS)", "geo/lyon-iris.geojson"],
] as const) {
  const c = readIrisContours(await readContourFile(fixture(file)));
  if (!c.ok) throw new Error(c.problems[0]);
  const shapes = c.contours.map((k) => ({
    code: k.code,
    communeCode: k.communeCode,
    geometry: bothProjections(k.geometry, c.crs).l93,
  }));
  const loc = new IrisLocator(shapes);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of shapes)
    for (const poly of s.geometry.type === "Polygon" ? [s.geometry.coordinates] : s.geometry.coordinates)
      for (const p of poly[0]!) {
        minX = Math.min(minX, p[0]!);
        minY = Math.min(minY, p[1]!);
        maxX = Math.max(maxX, p[0]!);
        maxY = Math.max(maxY, p[1]!);
      }
  const rand = prng(1);
  const n = 2_000_000;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = minX + rand() * (maxX - minX);
    ys[i] = minY + rand() * (maxY - minY);
  }
  t = performance.now();
  let inside = 0;
  for (let i = 0; i < n; i++) if (loc.locate(xs[i]!, ys[i]!) !== null) inside++;
  const s = (performance.now() - t) / 1000;
  console.log(
    `Point in polygon, ${label}: ${fmt(n / s)} points/s (${fmt(n)} random points in the envelope, ${((100 * inside) / n).toFixed(0)} % inside an IRIS) — target ≥ 1,000,000/s`,
  );
}
