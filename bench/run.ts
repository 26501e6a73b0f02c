/**
 * Benchmarks of the foundation, on the reference fixtures and on the
 * generated demo territory. Prints figures; asserts nothing.
 *   npm run bench
 */
import { performance } from "node:perf_hooks";
import { readIrisContours } from "../src/core/territory/iris-contours.js";
import { readContourFile } from "../src/geo/contours.js";
import { importIrisFile } from "../src/geo/iris-import.js";
import { bothProjections } from "../src/geo/projection.js";
import { importPopulationFile } from "../src/ingest/population.js";
import { appendAudit, verifyAudit } from "../src/store/audit.js";
import { ensureCog } from "../src/store/cog-etalab.js";
import { migrate } from "../src/store/migrate.js";
import { openPglite } from "../src/store/pglite.js";
import { fixture } from "../test/helpers/fixtures.js";

async function timed<T>(
  label: string,
  fn: () => Promise<T>,
  detail: (r: T, ms: number) => string = () => "",
): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(48)} ${ms.toFixed(0).padStart(7)} ms  ${detail(r, ms)}`);
  return r;
}

const db = await timed("PGlite open + migrations (in memory)", async () => {
  const d = await openPglite();
  await migrate(d);
  return d;
});
await timed("COG load (@etalab, ~37,600 communes)", () => ensureCog(db));
await timed("import Rouen_iris.shp (42 IRIS, Lambert-93)", () =>
  importIrisFile(db, fixture("geo/rouen-iris/Rouen_iris.shp")),
);
await timed("import lyon-iris.geojson (358 IRIS, WGS84)", () =>
  importIrisFile(db, fixture("geo/lyon-iris.geojson")),
);
await timed("import base-ic population (1,072 IRIS rows)", () =>
  importPopulationFile(db, fixture("insee/base-ic-evol-struct-pop-2013-dep76.csv")),
);
const lyon = readIrisContours(await readContourFile(fixture("geo/lyon-iris.geojson")));
if (lyon.ok) {
  const points = lyon.contours.reduce((s, c) => s + JSON.stringify(c.geometry).split("],[").length, 0);
  await timed(
    "reproject Lyon contours ×10 (WGS84 → Lambert-93)",
    async () => {
      for (let i = 0; i < 10; i++) for (const c of lyon.contours) bothProjections(c.geometry, "EPSG:4326");
      return points * 10;
    },
    (n, ms) => `${Math.round(n / (ms / 1000)).toLocaleString("fr-FR")} points/s`,
  );
}
await timed(
  "audit append ×1,000 (one transaction each)",
  async () => {
    for (let i = 0; i < 1000; i++) await appendAudit(db, { actorId: null, action: "bench", detail: { i } });
    return 1000;
  },
  (n, ms) => `${Math.round(n / (ms / 1000))} entries/s`,
);
await timed(
  "audit verify",
  () => verifyAudit(db),
  (r, ms) => `${r.entries} entries, ${Math.round(r.entries / (ms / 1000))} entries/s`,
);
await db.close();
