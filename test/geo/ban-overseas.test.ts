/**
 * Overseas BAN files give x/y in the département's legal projection (UTM
 * 40S at La Réunion, EPSG:2975), not Lambert-93, and the IRIS are kept in
 * that same projection (iris.srid_metrique). A synthetic Réunion: Rouen's
 * IRIS and BAN addresses moved to Saint-Denis (97411) in WGS84 by the same
 * offset, the IRIS projected by GDAL, the BAN x/y by proj4; every address
 * lands in the moved copy of its Rouen IRIS.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pointInPolygon from "point-in-polygon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readIrisContours } from "../../src/core/territory/iris-contours.js";
import { importBanFiles } from "../../src/geo/ban-import.js";
import { readContourFile } from "../../src/geo/contours.js";
import { transformer } from "../../src/geo/crs.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { loadAddressIndex } from "../../src/store/addresses.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";

const ROUEN = fixture("geo/rouen-iris/Rouen_iris.shp");
const BAN = fixture("ban/adresses-76540-synthetique.csv");
const [DX, DY] = [54.36, -70.32];
const COMMUNE = "97411";
const LINES = 3000;
const dir = mkdtempSync(path.join(tmpdir(), "socle-ban-reunion-"));
const ogr = (...args: string[]) => execFileSync("ogr2ogr", args, { encoding: "utf8", stdio: "pipe" });
const out = (name: string) => path.join(dir, name);

let t: TestDb;
beforeAll(async () => {
  t = await freshDb("pglite");
  await ensureCog(t.db);
  ogr("-overwrite", "-t_srs", "EPSG:4326", out("rouen-wgs.shp"), ROUEN);
  ogr(
    "-overwrite",
    "-f",
    "GeoJSON",
    "-dialect",
    "sqlite",
    "-sql",
    `SELECT ST_Translate(geometry, ${DX}, ${DY}, 0) AS geometry, '${COMMUNE}' || substr(CODE_IRIS, 6) AS CODE_IRIS, '${COMMUNE}' AS INSEE_COM, NOM_IRIS, TYP_IRIS FROM "rouen-wgs"`,
    out("reunion.geojson"),
    out("rouen-wgs.shp"),
  );
  ogr("-overwrite", "-t_srs", "EPSG:2975", out("reunion.shp"), out("reunion.geojson"));
  expect((await importIrisFile(t.db, out("reunion.shp"))).crs).toBe("EPSG:2975");
}, 180_000);
afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("BAN overseas", () => {
  it("reads a Réunion BAN file's x/y in UTM 40S and places every address in its IRIS", async () => {
    const toUtm = transformer("EPSG:4326", "EPSG:2975");
    const [head, ...lines] = readFileSync(BAN, "utf8").trim().split("\n");
    const moved = lines.slice(0, LINES).map((line) => {
      const f = line.split(";");
      const lon = Number(f[12]) + DX;
      const lat = Number(f[13]) + DY;
      const [x, y] = toUtm([lon, lat]);
      f[0] = f[0]!.replace("76540", COMMUNE);
      f[1] = f[1]!.replace("76540", COMMUNE);
      f[5] = "97400";
      f[6] = COMMUNE;
      f[7] = "Saint-Denis";
      f[10] = x.toFixed(2);
      f[11] = y.toFixed(2);
      f[12] = lon.toFixed(6);
      f[13] = lat.toFixed(6);
      f[17] = "SAINT DENIS";
      return f;
    });
    const file = out("adresses-974.csv");
    writeFileSync(file, `${[head, ...moved.map((f) => f.join(";"))].join("\n")}\n`);
    const [report] = await importBanFiles(t.db, [file]);
    expect(report).toMatchObject({ departement: "974", sansIris: 0, communesSansContour: [] });

    // The truth: each address's IRIS in Rouen, from its original Lambert-93 x/y.
    const contours = readIrisContours(await readContourFile(ROUEN));
    if (!contours.ok) throw new Error("contours");
    const truth = (f: string[]): string | undefined => {
      const pt = [Number(f[10]), Number(f[11])];
      const hit = contours.contours.filter((c) => {
        const polys = c.geometry.type === "Polygon" ? [c.geometry.coordinates] : c.geometry.coordinates;
        return polys.some((p) => pointInPolygon(pt, p[0]!) && !p.slice(1).some((h) => pointInPolygon(pt, h)));
      });
      return hit.length === 1 ? `${COMMUNE}${hit[0]!.code.slice(5)}` : undefined;
    };
    const g = new Geocoder((await loadAddressIndex(t.db))!);
    let right = 0;
    const wrong: string[] = [];
    lines.slice(0, LINES).forEach((line, k) => {
      const f = moved[k]!;
      const r = g.geocode([`${f[2]}${f[3] ? ` ${f[3]}` : ""} ${f[4]} 97400 Saint-Denis`]);
      if (r.codeIris === truth(line.split(";"))) right++;
      else if (wrong.length < 5) wrong.push(`${f[0]} ${r.codeIris}`);
    });
    // A few addresses within centimetres of a boundary may fall either side
    // after two projections; none may land far away.
    expect(right / LINES, wrong.join(", ")).toBeGreaterThan(0.995);

    // IRIS kept in another metric CRS than the BAN's (here Lambert-93, as
    // before overseas IRIS had their UTM) are brought into the BAN's
    // projection before the points are placed: the same IRIS.
    const rows = await t.db.query<{ code: string; geom_l93: { type: string; coordinates: unknown } }>(
      "SELECT code, geom_l93 FROM iris WHERE commune_code = $1",
      [COMMUNE],
    );
    const toL93 = transformer("EPSG:2975", "EPSG:2154");
    const deep = (c: unknown): unknown =>
      Array.isArray(c) && typeof c[0] === "number" ? toL93(c as number[]) : (c as unknown[]).map(deep);
    for (const r of rows)
      await t.db.query("UPDATE iris SET geom_l93 = $2::jsonb, srid_metrique = 2154 WHERE code = $1", [
        r.code,
        JSON.stringify({ ...r.geom_l93, coordinates: deep(r.geom_l93.coordinates) }),
      ]);
    const [again] = await importBanFiles(t.db, [file]);
    expect(again).toMatchObject({ departement: "974", sansIris: 0 });
    const g2 = new Geocoder((await loadAddressIndex(t.db))!);
    let same = 0;
    moved.forEach((f) => {
      const q = [`${f[2]}${f[3] ? ` ${f[3]}` : ""} ${f[4]} 97400 Saint-Denis`];
      if (g2.geocode(q).codeIris === g.geocode(q).codeIris) same++;
    });
    expect(same / LINES).toBeGreaterThan(0.995);
  }, 300_000);
});
