import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readIrisContours } from "../../src/core/territory/iris-contours.js";
import { readContourFile } from "../../src/geo/contours.js";
import { writeGeoPackage } from "../../src/geo/geopackage.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "socle-gpkg-"));
let t: TestDb;
beforeAll(async () => {
  t = await freshDb("pglite");
  await ensureCog(t.db);
});
afterAll(async () => t?.drop());

async function rouenAsGeoPackage(file: string, srs: "EPSG:2154" | "EPSG:4326") {
  const src = readIrisContours(await readContourFile(fixture("geo/rouen-iris/Rouen_iris.shp")));
  if (!src.ok) throw new Error(src.problems.join("\n"));
  const bytes = await writeGeoPackage({
    table: "contours_iris",
    crs: srs,
    columns: [
      { name: "CODE_IRIS", type: "TEXT" },
      { name: "NOM_IRIS", type: "TEXT" },
    ],
    features: src.contours.map((c) => ({
      properties: { CODE_IRIS: c.code, NOM_IRIS: c.nom },
      geometry: c.geometry,
    })),
  });
  writeFileSync(file, bytes);
}

describe("IRIS contours as GeoPackage (IGN's delivery format)", () => {
  it("imports a Lambert-93 GeoPackage layer", async () => {
    const file = path.join(dir, "CONTOURS-IRIS.gpkg");
    await rouenAsGeoPackage(file, "EPSG:2154");
    expect(await importIrisFile(t.db, file)).toMatchObject({ iris: 42, communes: 1, crs: "EPSG:2154" });
  });

  it("refuses a layer whose SRS says Lambert-93 is WGS84, importing nothing", async () => {
    const file = path.join(dir, "faux.gpkg");
    await rouenAsGeoPackage(file, "EPSG:4326");
    await t.db.query("DELETE FROM iris");
    await expect(importIrisFile(t.db, file)).rejects.toThrow(/ne correspondent pas au système déclaré WGS84/);
    expect(await t.db.query("SELECT 1 FROM iris")).toEqual([]);
  });

  it("refuses a file that is not a GeoPackage", async () => {
    const file = path.join(dir, "pas-un.gpkg");
    writeFileSync(file, "ceci n'est pas une base SQLite");
    await expect(importIrisFile(t.db, file)).rejects.toThrow(/pas-un\.gpkg : GeoPackage illisible/);
  });
});
