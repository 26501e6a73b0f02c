/**
 * The BAN reference in the store: import, IRIS by point in polygon, the
 * geocoder on the Rouen reference addresses, atomic re-import and refusal of
 * bad files. Runs on every store engine.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import pointInPolygon from "point-in-polygon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readIrisContours } from "../../src/core/territory/iris-contours.js";
import { importBanFiles } from "../../src/geo/ban-import.js";
import { readContourFile } from "../../src/geo/contours.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { listAddressReferences, loadAddressIndex } from "../../src/store/addresses.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";

const BAN = fixture("ban/adresses-76540-synthetique.csv");
const dir = mkdtempSync(path.join(tmpdir(), "socle-ban-"));

/** The IRIS of each BAN point by a different point-in-polygon implementation than the importer's. */
async function independentTruth(): Promise<Map<string, string>> {
  const contours = readIrisContours(await readContourFile(fixture("geo/rouen-iris/Rouen_iris.shp")));
  if (!contours.ok) throw new Error("contours");
  const truth = new Map<string, string>();
  const lines = readFileSync(BAN, "utf8").trim().split("\n").slice(1);
  for (const line of lines) {
    const f = line.split(";");
    const pt = [Number(f[10]), Number(f[11])];
    const hit = contours.contours.filter((c) => {
      const polys = c.geometry.type === "Polygon" ? [c.geometry.coordinates] : c.geometry.coordinates;
      return polys.some((p) => pointInPolygon(pt, p[0]!) && !p.slice(1).some((h) => pointInPolygon(pt, h)));
    });
    if (hit.length === 1) truth.set(f[0]!, hit[0]!.code);
  }
  return truth;
}

describe.each(ENGINES)("BAN reference on %s", (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb(engine);
    await ensureCog(t.db);
    await importIrisFile(t.db, fixture("geo/rouen-iris/Rouen_iris.shp"));
  }, 120_000);
  afterAll(() => t.drop());

  it("imports the BAN file and gives every reference address, as written, its own IRIS (100 %)", async () => {
    const reports = await importBanFiles(t.db, [BAN]);
    expect(reports).toEqual([
      expect.objectContaining({
        departement: "76",
        adresses: 41_596,
        voies: 1145,
        sansIris: 0,
        communesSansContour: [],
      }),
    ]);
    const index = await loadAddressIndex(t.db);
    expect(index).not.toBeNull();
    const g = new Geocoder(index!);
    const truth = await independentTruth();
    const lines = readFileSync(BAN, "utf8").trim().split("\n").slice(1);
    let right = 0;
    const misses: string[] = [];
    for (const line of lines) {
      const f = line.split(";");
      const written = `${f[2]}${f[3] ? ` ${f[3]}` : ""} ${f[4]} ${f[5]} ${f[7]}`;
      const r = g.geocode([written]);
      if (r.codeIris === truth.get(f[0]!) && r.type === "housenumber") right++;
      else if (misses.length < 5) misses.push(f[0]!);
    }
    expect(truth.size).toBe(41_596);
    expect(misses).toEqual([]);
    expect(right).toBe(41_596);
  }, 120_000);

  it("re-importing replaces the département; a bad file refuses the import and changes nothing", async () => {
    const head = readFileSync(BAN, "utf8").split("\n").slice(0, 1001).join("\n");
    const small = path.join(dir, `small-${engine}.csv.gz`);
    writeFileSync(small, gzipSync(`${head}\n`));
    await importBanFiles(t.db, [small]);
    let refs = await listAddressReferences(t.db);
    expect(refs.map((r) => [r.departement, r.adresses])).toEqual([["76", 1000]]);

    const lines = head.split("\n");
    lines[500] = lines[500]!.replace(/;76540;/, ";7654;");
    const bad = path.join(dir, `bad-${engine}.csv`);
    writeFileSync(bad, `${lines.join("\n")}\n`);
    await expect(importBanFiles(t.db, [BAN, bad])).rejects.toThrow(
      /bad-.*\.csv, ligne 501, colonne code_insee : code commune de 5 caractères attendu/,
    );
    const header = path.join(dir, `header-${engine}.csv`);
    writeFileSync(header, "id,numero,nom_voie\n1,2,rue\n");
    await expect(importBanFiles(t.db, [header])).rejects.toThrow(/ligne 1 : en-tête inattendu/);
    refs = await listAddressReferences(t.db);
    expect(refs.map((r) => [r.departement, r.adresses])).toEqual([["76", 1000]]);
  }, 120_000);
});
