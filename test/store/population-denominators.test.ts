/**
 * `socle territories import-population` keeps every base-ic column the
 * indicator catalogue divides by (0–2, 0–17, 75+, households when present),
 * per census vintage; the denominators of a data vintage come from the
 * latest census vintage not after it, summed by commune, EPCI and
 * département on the real COG of Seine-Maritime.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importPopulationFile } from "../../src/ingest/population.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { denominators, populationVintages } from "../../src/store/population.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";

const BASE_IC = fixture("insee/base-ic-evol-struct-pop-2013-dep76.csv");

/** The fixture's rows as records of column → text. */
function rows(): { header: string[]; records: string[][] } {
  const [head, ...lines] = readFileSync(BASE_IC, "utf8").trim().split(/\r?\n/);
  return { header: (head as string).split(","), records: lines.map((l) => l.split(",")) };
}

describe.each(ENGINES)("INSEE denominators on %s", (engine) => {
  let t: TestDb;
  let dir: string;
  const { header, records } = rows();
  const col = (name: string) => header.indexOf(name);
  const sumOf = (pred: (r: string[]) => boolean, ...names: string[]) =>
    records.filter(pred).reduce((a, r) => a + names.reduce((b, n) => b + Number(r[col(n)]), 0), 0);

  beforeAll(async () => {
    t = await freshDb(engine);
    dir = mkdtempSync(path.join(tmpdir(), "socle-pop-"));
    await ensureCog(t.db);
    await importPopulationFile(t.db, BASE_IC);
  }, 120_000);

  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the age bands of every IRIS: 0–2, 0–17 from its four bands, 75+; no households in the structure file", async () => {
    const [r] = await t.db.query<{ p: number; a: number; b: number; c: number; m: number | null }>(
      "SELECT population AS p, pop_0002 AS a, pop_0017 AS b, pop_75p AS c, menages AS m FROM iris_population WHERE iris_code = '765400101' AND annee = 2013",
    );
    // Carmes Saint-Maclou: 24 under 3, 24 + 16 + 48 + 66 under 18, 134 aged 75 and over.
    expect(r).toEqual({ p: 2235, a: 24, b: 154, c: 134, m: null });
  });

  it("sums the figures by commune, EPCI and département from the latest census vintage not after the data's", async () => {
    const rouen = (r: string[]) => r[col("COM")] === "76540";
    const total = await denominators(t.db, "commune", "total", 2015, ["76540"]);
    expect(total.get("76540")).toEqual({ valeur: 110_754, annee: 2013 });
    const young = await denominators(t.db, "commune", "0-17", 2015, ["76540"]);
    expect(young.get("76540")?.valeur).toBe(
      sumOf(rouen, "P13_POP0002", "P13_POP0305", "P13_POP0610", "P13_POP1117"),
    );
    const old = await denominators(t.db, "commune", "75+", 2015, ["76540"]);
    expect(old.get("76540")?.valeur).toBe(sumOf(rouen, "P13_POP75P"));
    // Before the census vintage there is nothing to divide by.
    expect((await denominators(t.db, "commune", "total", 2012, ["76540"])).size).toBe(0);
    const dep = await denominators(t.db, "departement", "total", 2015, ["76"]);
    expect(dep.get("76")?.valeur).toBeCloseTo(
      sumOf(() => true, "P13_POP"),
      6,
    );
    expect((await denominators(t.db, "epci", "total", 2015, ["200023414"])).get("200023414")?.annee).toBe(
      2013,
    );
    // Households are missing from this file: no denominator rather than a wrong one.
    expect((await denominators(t.db, "commune", "menages", 2015, ["76540"])).size).toBe(0);
  });

  it("a later vintage with households is kept beside the earlier one; each data vintage takes its own", async () => {
    // The same IRIS as a 2019 file with households (P19_MEN), population 10 % higher.
    const h19 = [...header.map((h) => h.replace(/^([PC])13_/, "$119_")), "P19_MEN"];
    const lines = records.map((r) => {
      const v = [...r];
      v[col("P13_POP")] = String(Number(r[col("P13_POP")]) * 1.1);
      return [...v, String(Math.round(Number(r[col("P13_POP")]) / 2))].join(",");
    });
    const file = path.join(dir, "base-ic-2019.csv");
    writeFileSync(file, [h19.join(","), ...lines].join("\n"));
    expect(await importPopulationFile(t.db, file)).toEqual({
      annee: 2019,
      iris: records.length,
      denominateurs: ["0-2 ans", "0-17 ans", "75 ans et plus", "ménages"],
    });
    expect(await populationVintages(t.db)).toEqual([2019, 2013]);
    expect((await denominators(t.db, "commune", "total", 2018, ["76540"])).get("76540")).toEqual({
      valeur: 110_754,
      annee: 2013,
    });
    const later = (await denominators(t.db, "commune", "total", 2021, ["76540"])).get("76540");
    expect(later?.annee).toBe(2019);
    expect(later?.valeur).toBeCloseTo(110_754 * 1.1, 6);
    const men = (await denominators(t.db, "iris", "menages", 2021, ["765400101"])).get("765400101");
    expect(men).toEqual({ valeur: Math.round(2235 / 2), annee: 2019 });
  });

  it("households come from the base-ic « Logement » file (P13_RP) of the same census vintage, all rows or none", async () => {
    // The Logement file's layout: IRIS, then P13_LOG, P13_RP…; no population column.
    const menages = (r: string[]) => Math.round(Number(r[col("P13_POP")]) / 2.1);
    const logement = [
      "IRIS,COM,LIBIRIS,P13_LOG,P13_RP,P13_RSECOCC,P13_LOGVAC",
      ...records.map((r) => [r[col("iris")], r[col("COM")], "x", menages(r) + 9, menages(r), 3, 6].join(",")),
    ];
    const file = path.join(dir, "base-ic-logement-2013.csv");
    // An IRIS the population file of 2013 does not have: the whole file is refused, nothing written.
    writeFileSync(file, [...logement, "999990101,99999,x,10,8,1,1"].join("\n"));
    await expect(importPopulationFile(t.db, file)).rejects.toThrow(
      /1 IRIS sans population 2013 \(par exemple 999990101\) ; importez d'abord le fichier de population 2013/,
    );
    expect((await denominators(t.db, "commune", "menages", 2015, ["76540"])).size).toBe(0);
    writeFileSync(file, logement.join("\n"));
    expect(await importPopulationFile(t.db, file)).toEqual({
      annee: 2013,
      iris: records.length,
      denominateurs: ["ménages"],
    });
    const rouen = records.filter((r) => r[col("COM")] === "76540");
    expect((await denominators(t.db, "commune", "menages", 2015, ["76540"])).get("76540")).toEqual({
      valeur: rouen.reduce((a, r) => a + menages(r), 0),
      annee: 2013,
    });
    // The population of the vintage is untouched.
    expect((await denominators(t.db, "commune", "total", 2015, ["76540"])).get("76540")?.valeur).toBe(
      110_754,
    );
  });
});
