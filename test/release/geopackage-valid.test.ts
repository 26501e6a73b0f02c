/**
 * Every GeoPackage Socle writes passes GDAL's OGC validator (validate_gpkg.py,
 * shipped by python3-gdal, installed by .ci/run), opens in GDAL as QGIS
 * would, has a working R-tree, and is byte-identical on every download of the
 * same release.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { writeGeoPackage } from "../../src/geo/geopackage.js";
import { releaseGeoPackage } from "../../src/release/exports.js";
import { seedDemoTerritory } from "../../src/store/demo.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { demoRelease, MENTION } from "./release-fixture.js";

const PYTHON = "/usr/bin/python3";
const VALIDATOR = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";

let t: TestDb;
let dir: string;

beforeAll(async () => {
  t = await freshDb("pglite");
  await seedDemoTerritory(t.db);
  dir = mkdtempSync(path.join(tmpdir(), "socle-gpkg-"));
}, 60_000);

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Runs the OGC validator with its extra checks and warnings as errors; returns its complaints. */
function validate(file: string): string {
  try {
    execFileSync(PYTHON, [VALIDATOR, "-k", "--extra", "--warning-as-error", file], { encoding: "utf8" });
    return "";
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message;
  }
}

function sqlite(file: string, query: string): string {
  const script =
    "import sqlite3,sys,json;c=sqlite3.connect(sys.argv[1]);print(json.dumps(c.execute(sys.argv[2]).fetchall()))";
  return execFileSync(PYTHON, ["-c", script, file, query], { encoding: "utf8" }).trim();
}

describe("GeoPackage exports", () => {
  it("finds GDAL's validator (python3-gdal) on this machine", () => {
    expect(existsSync(VALIDATOR), `${VALIDATOR} absent : apt-get install python3-gdal gdal-bin`).toBe(true);
  });

  for (const crs of ["EPSG:4326", "EPSG:2154"] as const)
    it(`passes validate_gpkg.py with a layer per table in ${crs}, MULTIPOLYGON throughout`, async () => {
      const file = save(
        `release-${crs.slice(5)}.gpkg`,
        await releaseGeoPackage(t.db, demoRelease(), undefined, { crs }),
      );
      expect(validate(file)).toBe("");
      const info = execFileSync("ogrinfo", ["-ro", "-so", "-al", file], { encoding: "utf8" });
      expect(info).toContain("Layer name: effectifs_par_territoire_et_age_au_31_12_2025");
      expect(info).toContain("Layer name: effectifs_par_territoire_et_gir");
      expect(info).toContain("Geometry: Multi Polygon");
      expect(info).toContain(crs === "EPSG:2154" ? 'ID["EPSG",2154]' : 'ID["EPSG",4326]');
      expect(sqlite(file, "PRAGMA user_version")).toBe("[[10300]]");
      expect(sqlite(file, "SELECT geometry_type_name FROM gpkg_geometry_columns")).toBe(
        '[["MULTIPOLYGON"], ["MULTIPOLYGON"], ["MULTIPOLYGON"]]',
      );
      // One schema for every feature; secrets say « which column », never why.
      const rows = JSON.parse(
        sqlite(
          file,
          "SELECT code, niveau, code_commune, n_85_ans_et_plus, secret, source FROM effectifs_par_territoire_et_age_au_31_12_2025",
        ),
      ) as [string, string, string, number | null, string, string][];
      expect(rows.length).toBe(demoTerritory().iris.length);
      for (const [code, niveau, commune, v85, secret, source] of rows) {
        expect(niveau).toBe("IRIS");
        expect(commune).toBe(code.slice(0, 5));
        expect(source).toBe(MENTION);
        expect(secret.split(", ").includes("n_85_ans_et_plus")).toBe(v85 === null);
        expect(secret).not.toMatch(/\b[AD]\b|primaire|secondaire/);
      }
      expect(rows.some((r) => r[4] !== "")).toBe(true);
    });

  it("has an R-tree GDAL uses for spatial filters, and SQLite's rtreecheck finds sound", async () => {
    const file = save("rtree.gpkg", await releaseGeoPackage(t.db, demoRelease(), 0, { crs: "EPSG:2154" }));
    const table = "effectifs_par_territoire_et_age_au_31_12_2025";
    expect(sqlite(file, `SELECT rtreecheck('rtree_${table}_geom')`)).toBe('[["ok"]]');
    const all = Number(JSON.parse(sqlite(file, `SELECT count(*) FROM ${table}`))[0][0]);
    // A box around one IRIS finds it and its neighbours, not the whole layer.
    const [minx, maxx, miny, maxy] = JSON.parse(
      sqlite(file, `SELECT minx, maxx, miny, maxy FROM rtree_${table}_geom WHERE id = 1`),
    )[0] as number[];
    const out = execFileSync(
      "ogrinfo",
      ["-ro", "-q", "-spat", String(minx), String(miny), String(maxx), String(maxy), file, table],
      { encoding: "utf8" },
    );
    const found = (out.match(/OGRFeature/g) ?? []).length;
    expect(found).toBeGreaterThan(0);
    expect(found).toBeLessThan(all);
  });

  it("indexes thousands of features in a multi-level R-tree that stays valid", async () => {
    const features = Array.from({ length: 3000 }, (_, k) => {
      const x = 600_000 + (k % 60) * 100;
      const y = 6_800_000 + Math.floor(k / 60) * 100;
      return {
        properties: { code: `c${k}` },
        geometry: {
          type: "Polygon" as const,
          coordinates: [
            [
              [x, y],
              [x + 90, y],
              [x + 90, y + 90],
              [x, y],
            ],
          ],
        },
      };
    });
    const file = save(
      "big.gpkg",
      await writeGeoPackage({
        table: "grille",
        crs: "EPSG:2154",
        columns: [{ name: "code", type: "TEXT" }],
        features,
      }),
    );
    expect(validate(file)).toBe("");
    expect(sqlite(file, "SELECT rtreecheck('rtree_grille_geom')")).toBe('[["ok"]]');
    expect(
      sqlite(file, "SELECT count(*) FROM rtree_grille_geom WHERE minx >= 600000 AND maxx <= 600100"),
    ).toBe("[[50]]");
  });

  it("keeps two tables of the same name apart, each in its own valid layer", async () => {
    const r = demoRelease();
    r.tableaux = [r.tableaux[1]!, r.tableaux[1]!];
    const file = save("twice.gpkg", await releaseGeoPackage(t.db, r));
    expect(validate(file)).toBe("");
    expect(sqlite(file, "SELECT table_name FROM gpkg_contents ORDER BY table_name")).toBe(
      '[["effectifs_par_territoire_et_gir"], ["effectifs_par_territoire_et_gir_2"]]',
    );
  });

  it("gives the same bytes on every download of the same release", async () => {
    const a = await releaseGeoPackage(t.db, demoRelease());
    await new Promise((r) => setTimeout(r, 20));
    const b = await releaseGeoPackage(t.db, demoRelease());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const file = save("stable.gpkg", a);
    expect(sqlite(file, "SELECT DISTINCT last_change FROM gpkg_contents")).toBe(
      '[["2026-03-02T10:15:00.000Z"]]',
    );
  });
});
