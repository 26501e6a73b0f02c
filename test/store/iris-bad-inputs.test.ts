/**
 * Bad contour and population files give a clear French error naming the file,
 * the record and the field, and import nothing.
 */
import { copyFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SocleError } from "../../src/core/errors.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { importPopulationFile } from "../../src/ingest/population.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";
import { square } from "../helpers/geometry.js";

const dir = mkdtempSync(path.join(tmpdir(), "socle-iris-"));

function rouenCopy(name: string, parts: string[] = ["shp", "shx", "dbf", "prj"]): string {
  for (const ext of parts)
    copyFileSync(fixture(`geo/rouen-iris/Rouen_iris.${ext}`), path.join(dir, `${name}.${ext}`));
  return path.join(dir, `${name}.shp`);
}

function geojson(name: string, features: unknown[], crs?: string): string {
  const file = path.join(dir, name);
  const doc: Record<string, unknown> = { type: "FeatureCollection", features };
  if (crs) doc.crs = { type: "name", properties: { name: crs } };
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const feature = (props: Record<string, unknown>, geometry: unknown) => ({
  type: "Feature",
  properties: props,
  geometry,
});
const ok = (code: string, i: number) =>
  feature({ CODE_IRIS: code, NOM_IRIS: `IRIS ${i}` }, square(1.05 + i * 0.01, 49.42, 0.01));

let t: TestDb;
beforeAll(async () => {
  t = await freshDb("pglite");
  await ensureCog(t.db);
});
afterAll(async () => t?.drop());

async function refused(file: string, message: RegExp): Promise<SocleError> {
  const before = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM iris");
  const err = await importIrisFile(t.db, file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SocleError);
  const e = err as SocleError;
  expect(e.kind).toBe("invalide");
  expect([e.message, ...e.details].join("\n")).toMatch(message);
  const after = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM iris");
  expect(after[0]!.n).toBe(before[0]!.n);
  return e;
}

describe("IRIS contour files that are refused, importing nothing", () => {
  it("a Shapefile without .prj: missing CRS", async () => {
    await refused(
      rouenCopy("sans_prj", ["shp", "shx", "dbf"]),
      /sans_prj\.shp : système de coordonnées manquant/,
    );
  });

  it("a Shapefile in an unsupported CRS", async () => {
    const shp = rouenCopy("utm");
    writeFileSync(
      path.join(dir, "utm.prj"),
      'PROJCS["WGS_1984_UTM_Zone_31N",GEOGCS["GCS_WGS_1984"],PROJECTION["Transverse_Mercator"]]',
    );
    await refused(shp, /non pris en charge \(WGS_1984_UTM_Zone_31N\)/);
  });

  it("Lambert-93 coordinates in a file declared as WGS84: wrong CRS", async () => {
    const file = geojson(
      "faux_crs.geojson",
      [feature({ CODE_IRIS: "765400101" }, square(560_000, 6_928_000, 500))],
      "urn:ogc:def:crs:OGC:1.3:CRS84",
    );
    await refused(file, /ne correspondent pas au système déclaré WGS84/);
  });

  it("a file without any IRIS code field", async () => {
    await refused(
      geojson("sans_code.geojson", [feature({ nom: "x" }, square(1.05, 49.42, 0.01))]),
      /champ du code IRIS introuvable/,
    );
  });

  it("IRIS codes stored as numbers that lost their leading zero", async () => {
    const file = geojson("zero.geojson", [feature({ CODE_IRIS: 10010101 }, square(5.2, 46.2, 0.01))]);
    await refused(
      file,
      /zero\.geojson, entité n° 1, champ CODE_IRIS : code IRIS de 8 chiffres ; un zéro initial a été perdu/,
    );
  });

  it("an empty, missing or unclosed geometry", async () => {
    await refused(
      geojson("vide.geojson", [
        ok("765400101", 1),
        feature({ CODE_IRIS: "765400102" }, { type: "Polygon", coordinates: [] }),
      ]),
      /entité n° 2 \(IRIS 765400102\) : géométrie vide/,
    );
    await refused(geojson("nulle.geojson", [feature({ CODE_IRIS: "765400102" }, null)]), /géométrie absente/);
    const open = square(1.05, 49.42, 0.01);
    open.coordinates[0]!.pop();
    open.coordinates[0]!.push([1.0, 49.0]);
    await refused(geojson("ouvert.geojson", [feature({ CODE_IRIS: "765400102" }, open)]), /anneau non fermé/);
  });

  it("duplicate IRIS codes, even after valid records", async () => {
    const file = geojson("doublons.geojson", [ok("765400101", 1), ok("765400102", 2), ok("765400101", 3)]);
    await refused(
      file,
      /entité n° 3, champ CODE_IRIS : code IRIS 765400101 en double \(déjà à l'entité n° 1\)/,
    );
  });

  it("a truncated Shapefile or GeoJSON", async () => {
    const shp = rouenCopy("tronque");
    truncateSync(shp, Math.floor(readFileSync(shp).length / 2));
    await refused(shp, /tronque\.shp : fichier \.shp tronqué/);
    const full = readFileSync(fixture("geo/lyon-iris.geojson"), "utf8");
    const cut = path.join(dir, "coupe.geojson");
    writeFileSync(cut, full.slice(0, full.length / 3));
    await refused(cut, /coupe\.geojson : JSON invalide.*fichier tronqué/);
  });

  it("a .dbf whose header announces millions of records of no length, without exhausting memory", async () => {
    const shp = rouenCopy("entete");
    const dbf = shp.replace(/\.shp$/, ".dbf");
    // The fuzz suite's case: 44 bytes, 741 million records announced, records 0 bytes long.
    const header = Buffer.alloc(44);
    header.writeUInt8(0x03, 0);
    header.writeUInt32LE(0x2c2c2c2a, 4);
    header.writeUInt16LE(44, 8);
    header.writeUInt16LE(0, 10);
    writeFileSync(dbf, header);
    await refused(shp, /entete\.shp : en-tête du fichier \.dbf incohérent/);
  });

  it("an IRIS of a commune absent from the COG", async () => {
    await refused(
      geojson("inconnue.geojson", [feature({ CODE_IRIS: "999990101" }, square(1.05, 49.42, 0.01))]),
      /commune\(s\) absente\(s\) du Code officiel géographique : 99999/,
    );
  });
});

describe("population files that are refused, importing nothing", () => {
  it("names the line and column of an IRIS code that lost its leading zero", async () => {
    const file = path.join(dir, "pop.csv");
    writeFileSync(file, "IRIS;P19_POP\n765400101;1200\n10010101;300\n");
    const err = (await importPopulationFile(t.db, file).catch((e: unknown) => e)) as SocleError;
    expect(err.message).toBe(
      "pop.csv, ligne 3, colonne IRIS : code IRIS de 8 chiffres, un zéro initial a été perdu ; attendu 9 caractères.",
    );
    expect(await t.db.query("SELECT 1 FROM iris_population WHERE annee = 2019")).toEqual([]);
  });

  it("reads decimal commas and Windows-1252 files", async () => {
    const file = path.join(dir, "pop1252.csv");
    writeFileSync(file, Buffer.from("IRIS;LIBIRIS;P18_POP\n765400101;Centre-ville sud ;1200,5\n", "latin1"));
    expect(await importPopulationFile(t.db, file)).toEqual({ annee: 2018, iris: 1 });
    const r = await t.db.query<{ population: number }>(
      "SELECT population FROM iris_population WHERE annee = 2018",
    );
    expect(r[0]!.population).toBe(1200.5);
  });
});
