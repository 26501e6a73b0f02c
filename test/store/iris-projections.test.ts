/**
 * IRIS contours in every CRS French authorities use, and dBase files in every
 * common encoding. The fixtures are made here by ogr2ogr (gdal-bin, installed
 * by .ci/run) from the real Rouen and Lyon contours, in a temporary folder:
 * reprojected with GDAL's own PROJ, the coordinates Socle reads with proj4
 * must land where GDAL put them.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SocleError } from "../../src/core/errors.js";
import type { AreaGeometry } from "../../src/core/territory/geometry.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { IrisLocator } from "../../src/geo/iris-locator.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";

const ROUEN = fixture("geo/rouen-iris/Rouen_iris.shp");
const LYON = fixture("geo/lyon-iris.geojson");

let t: TestDb;
let dir: string;

const ogr = (...args: string[]) => execFileSync("ogr2ogr", args, { encoding: "utf8", stdio: "pipe" });
const out = (name: string) => path.join(dir, name);

const pointsMade = new Map<string, Map<string, [number, number]>>();

/** Interior points of each IRIS (GDAL's ST_PointOnSurface), in `srs`. */
function interiorPoints(
  src: string,
  layer: string,
  srs: string,
  code = "CODE_IRIS",
): Map<string, [number, number]> {
  const csv = out(`points-${srs.replace(/\W/g, "")}-${path.basename(src)}.csv`);
  const made = pointsMade.get(csv);
  if (made) return made;
  ogr(
    "-f",
    "CSV",
    "-t_srs",
    srs,
    "-dialect",
    "sqlite",
    "-sql",
    `SELECT ${code} AS code, ST_PointOnSurface(geometry) AS geometry FROM "${layer}"`,
    "-lco",
    "GEOMETRY=AS_XY",
    csv,
    src,
  );
  const lines = readFileSync(csv, "utf8").trim().split(/\r?\n/).slice(1);
  const points = new Map(
    lines.map((l) => {
      const [x, y, c] = l.split(",");
      return [c!.replace(/"/g, ""), [Number(x), Number(y)]] as [string, [number, number]];
    }),
  );
  pointsMade.set(csv, points);
  return points;
}

async function stored(prefix: string) {
  return t.db.query<{
    code: string;
    commune_code: string;
    nom: string | null;
    type_iris: string | null;
    geom_l93: AreaGeometry;
    srid_metrique: number;
    geom_wgs84: AreaGeometry;
  }>(
    "SELECT code, commune_code, nom, type_iris, geom_l93, srid_metrique, geom_wgs84 FROM iris WHERE code LIKE $1 ORDER BY code",
    [`${prefix}%`],
  );
}

/** Every interior point, in the stored metric CRS, falls in its own IRIS. */
async function expectPointsInOwnIris(prefix: string, points: Map<string, [number, number]>, srid: number) {
  const rows = await stored(prefix);
  expect(rows.length).toBe(points.size);
  for (const r of rows) expect(r.srid_metrique).toBe(srid);
  const locator = new IrisLocator(
    rows.map((r) => ({ code: r.code, communeCode: r.commune_code, geometry: r.geom_l93 })),
  );
  let inside = 0;
  for (const [code, [x, y]] of points) if (locator.locate(x, y) === code) inside++;
  expect(inside).toBe(points.size);
}

async function refused(file: string, message: RegExp): Promise<void> {
  const err = await importIrisFile(t.db, file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SocleError);
  expect((err as SocleError).message).toMatch(message);
}

beforeAll(async () => {
  t = await freshDb("pglite");
  await ensureCog(t.db);
  dir = mkdtempSync(path.join(tmpdir(), "socle-crs-"));
}, 60_000);

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("IRIS contours in every French projection", () => {
  const rouenL93 = () => interiorPoints(ROUEN, "Rouen_iris", "EPSG:2154");

  for (const [srs, label] of [
    ["EPSG:3947", "CC47"],
    ["EPSG:3948", "CC48"],
    ["EPSG:3949", "CC49"],
    ["EPSG:3950", "CC50"],
    ["EPSG:27572", "Lambert II étendu"],
    ["EPSG:3857", "Web Mercator"],
    ["EPSG:4326", "WGS84"],
  ] as const)
    it(`imports Rouen as a ${label} Shapefile (ESRI .prj without authority), each IRIS where GDAL puts it`, async () => {
      const shp = out(`rouen-${srs.slice(5)}.shp`);
      ogr("-overwrite", "-t_srs", srs, shp, ROUEN);
      const report = await importIrisFile(t.db, shp);
      expect(report.crs).toBe(srs);
      expect(report.iris).toBe(42);
      await expectPointsInOwnIris("76540", rouenL93(), 2154);
    });

  for (const [srs, label] of [
    ["EPSG:3942", "CC42"],
    ["EPSG:3943", "CC43"],
    ["EPSG:3944", "CC44"],
    ["EPSG:3945", "CC45"],
    ["EPSG:3946", "CC46"],
  ] as const)
    it(`imports Lyon as a ${label} GeoPackage (EPSG code in its SRS table)`, async () => {
      const gpkg = out(`lyon-${srs.slice(5)}.gpkg`);
      ogr("-overwrite", "-f", "GPKG", "-t_srs", srs, gpkg, LYON);
      const report = await importIrisFile(t.db, gpkg);
      expect(report.crs).toBe(srs);
      expect(report.iris).toBe(358);
      const points = interiorPoints(LYON, "iris", "EPSG:2154", "id");
      const rows = await stored("6938");
      const locator = new IrisLocator(
        rows.map((r) => ({ code: r.code, communeCode: r.commune_code, geometry: r.geom_l93 })),
      );
      for (const [code, [x, y]] of points)
        if (code.startsWith("6938")) expect(locator.locate(x, y)).toBe(code);
    });

  it("reads IGNF URNs as ogr2ogr writes them from IGN files (GeoJSON and GeoPackage)", async () => {
    const gj = out("rouen-ignf.geojson");
    ogr("-overwrite", "-f", "GeoJSON", "-t_srs", "IGNF:LAMB93", gj, ROUEN);
    expect(readFileSync(gj, "utf8")).toContain("urn:ogc:def:crs:IGNF::LAMB93");
    expect((await importIrisFile(t.db, gj)).crs).toBe("EPSG:2154");
    const gpkg = out("rouen-ignf.gpkg");
    ogr("-overwrite", "-f", "GPKG", "-t_srs", "IGNF:LAMB93", gpkg, ROUEN);
    expect((await importIrisFile(t.db, gpkg)).crs).toBe("EPSG:2154");
    await expectPointsInOwnIris("76540", rouenL93(), 2154);
    const cc49 = out("rouen-cc49-urn.geojson");
    ogr("-overwrite", "-f", "GeoJSON", "-t_srs", "EPSG:3949", cc49, ROUEN);
    expect(readFileSync(cc49, "utf8")).toContain("urn:ogc:def:crs:EPSG::3949");
    expect((await importIrisFile(t.db, cc49)).crs).toBe("EPSG:3949");
  });

  // Rouen's shapes moved overseas, with codes of a commune there, then projected by GDAL.
  for (const [srs, commune, dx, dy] of [
    ["EPSG:5490", "97105", -62.82, -33.45], // Basse-Terre, Guadeloupe
    ["EPSG:2972", "97302", -53.42, -44.52], // Cayenne, Guyane
    ["EPSG:2975", "97411", 54.36, -70.32], // Saint-Denis, La Réunion
    ["EPSG:4471", "97611", 44.14, -62.22], // Mamoudzou, Mayotte
  ] as const)
    it(`imports overseas IRIS in ${srs} and keeps them in that UTM for point-in-polygon`, async () => {
      const wgs = out(`rouen-wgs-${commune}.shp`);
      ogr("-overwrite", "-t_srs", "EPSG:4326", wgs, ROUEN);
      const moved = out(`overseas-${commune}.geojson`);
      ogr(
        "-overwrite",
        "-f",
        "GeoJSON",
        "-nln",
        `overseas-${commune}`,
        "-dialect",
        "sqlite",
        "-sql",
        `SELECT ST_Translate(geometry, ${dx}, ${dy}, 0) AS geometry, '${commune}' || substr(CODE_IRIS, 6) AS CODE_IRIS, '${commune}' AS INSEE_COM, NOM_IRIS, TYP_IRIS FROM "rouen-wgs-${commune}"`,
        moved,
        wgs,
      );
      const shp = out(`overseas-${commune}.shp`);
      ogr("-overwrite", "-t_srs", srs, shp, moved);
      const report = await importIrisFile(t.db, shp);
      expect(report.crs).toBe(srs);
      await expectPointsInOwnIris(
        commune,
        interiorPoints(moved, `overseas-${commune}`, srs),
        Number(srs.slice(5)),
      );
    });

  it("refuses a CC48 file whose .prj says CC49, naming the declared CRS", async () => {
    const shp = out("rouen-faux-cc49.shp");
    ogr("-overwrite", "-t_srs", "EPSG:3948", shp, ROUEN);
    copyFileSync(out("rouen-3949.shp").replace(".shp", ".prj"), shp.replace(".shp", ".prj"));
    await refused(
      shp,
      /Rouen-faux-cc49\.shp : les coordonnées ne correspondent pas au système déclaré CC49 \(EPSG:3949\)/i,
    );
  });

  it("refuses an unknown CRS with a French message naming it", async () => {
    const shp = out("rouen-utm31.shp");
    ogr("-overwrite", "-t_srs", "EPSG:32631", shp, ROUEN);
    await refused(
      shp,
      /rouen-utm31\.shp : système de coordonnées non pris en charge \(WGS_1984_UTM_Zone_31N\) ; attendu : Lambert-93 \(EPSG:2154\), CC42 à CC50/,
    );
    const gj = out("rouen-3035.geojson");
    ogr("-overwrite", "-f", "GeoJSON", "-t_srs", "EPSG:3035", gj, ROUEN);
    await refused(gj, /non pris en charge \(EPSG:3035\)/);
  });
});

describe("dBase encodings and IGN field names", () => {
  const accented = ["Cadière", "Glacière-Revoyet", "Jean-Jaurès Sud"];

  async function lyonNames(): Promise<string[]> {
    return (await stored("69")).map((r) => r.nom ?? "");
  }

  function lyonShapefile(name: string, encoding: string): string {
    const shp = out(`${name}.shp`);
    ogr("-overwrite", "-t_srs", "EPSG:2154", "-lco", `ENCODING=${encoding}`, shp, LYON);
    return shp;
  }

  function setLanguageDriver(shp: string, ldid: number): void {
    const dbf = shp.replace(".shp", ".dbf");
    const bytes = readFileSync(dbf);
    bytes[29] = ldid;
    writeFileSync(dbf, bytes);
  }

  async function expectAccentsRead(shp: string) {
    await importIrisFile(t.db, shp);
    const names = await lyonNames();
    for (const n of accented) expect(names).toContain(n);
    expect(names.join("").includes("\ufffd")).toBe(false);
  }

  it("honours the .cpg (CP1252, ISO-8859-1, UTF-8)", async () => {
    for (const e of ["CP1252", "ISO-8859-1", "UTF-8"]) await expectAccentsRead(lyonShapefile(`cpg-${e}`, e));
  });

  it("without .cpg, reads the DBF language driver byte (0x57 Windows ANSI, 0x02 DOS cp850)", async () => {
    const ansi = lyonShapefile("ldid-ansi", "CP1252");
    unlinkSync(ansi.replace(".shp", ".cpg"));
    setLanguageDriver(ansi, 0x57);
    await expectAccentsRead(ansi);
    const dos = lyonShapefile("ldid-dos", "CP850");
    unlinkSync(dos.replace(".shp", ".cpg"));
    setLanguageDriver(dos, 0x02);
    await expectAccentsRead(dos);
  });

  it("with neither, reads a Latin-1 .dbf as Windows-1252 and a UTF-8 one as UTF-8, never U+FFFD", async () => {
    const latin = lyonShapefile("nocpg-latin", "ISO-8859-1");
    unlinkSync(latin.replace(".shp", ".cpg"));
    setLanguageDriver(latin, 0);
    await expectAccentsRead(latin);
    const utf8 = lyonShapefile("nocpg-utf8", "UTF-8");
    unlinkSync(utf8.replace(".shp", ".cpg"));
    setLanguageDriver(utf8, 0);
    await expectAccentsRead(utf8);
  });

  it("reads IGN field names in any case (code_iris, Nom_Iris, type_iris)", async () => {
    const shp = out("casse.shp");
    ogr(
      "-overwrite",
      "-dialect",
      "sqlite",
      "-sql",
      'SELECT geometry, CODE_IRIS AS code_iris, INSEE_COM AS Insee_Com, NOM_IRIS AS Nom_Iris, TYP_IRIS AS type_iris FROM "Rouen_iris"',
      shp,
      ROUEN,
    );
    expect((await importIrisFile(t.db, shp)).iris).toBe(42);
    const rows = await stored("76540");
    expect(rows.every((r) => r.type_iris !== null && r.nom !== null)).toBe(true);
    expect(rows.find((r) => r.code === "765400602")?.nom).toBe("Grieu Vallon Suisse");
  });
});
