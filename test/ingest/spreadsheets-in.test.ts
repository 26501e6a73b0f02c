/**
 * Spreadsheets partners and INSEE send: an INSEE base-ic workbook (XLSX, title
 * rows above the header) is read; ODS (made here by GDAL's ODS driver) and
 * XLS are refused with a French message saying to save them as XLSX.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SocleError } from "../../src/core/errors.js";
import { importPopulationFile } from "../../src/ingest/population.js";
import { openTabular } from "../../src/ingest/tabular-stream.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";

const BASE_IC = fixture("insee/base-ic-evol-struct-pop-2013-dep76.csv");
let t: TestDb;
let dir: string;

beforeAll(async () => {
  t = await freshDb("pglite");
  dir = mkdtempSync(path.join(tmpdir(), "socle-tableurs-"));
}, 60_000);
afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(file: string): Promise<string> {
  const err = await openTabular(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SocleError);
  return (err as SocleError).message;
}

describe("spreadsheets in", () => {
  it("reads an INSEE base-ic workbook in XLSX, title rows above the header, as its CSV", async () => {
    const [head, ...lines] = readFileSync(BASE_IC, "utf8").trim().split(/\r?\n/);
    const header = head!.split(",");
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("IRIS");
    ws.addRow(["Évolution et structure de la population en 2013"]);
    ws.addRow(["Recensement de la population 2013 – Base infracommunale (IRIS)"]);
    ws.addRow([]);
    ws.addRow(header.map((h) => `Libellé de ${h}`));
    ws.addRow(header);
    for (const l of lines) {
      const v = l.split(",");
      // Codes as text, counts as numbers: as INSEE publishes them.
      ws.addRow(v.map((x, i) => (i > 0 && /^P13_|^C13_/.test(header[i]!) && x !== "" ? Number(x) : x)));
    }
    const file = path.join(dir, "base-ic-evol-struct-pop-2013.xlsx");
    await wb.xlsx.writeFile(file);
    // The age bands the indicator catalogue divides by come along (no households in this file).
    const denominateurs = ["0-2 ans", "0-17 ans", "75 ans et plus"];
    expect(await importPopulationFile(t.db, file)).toEqual({
      annee: 2013,
      iris: lines.length,
      denominateurs,
    });
    const fromCsv = await importPopulationFile(t.db, BASE_IC);
    expect(fromCsv).toEqual({ annee: 2013, iris: lines.length, denominateurs });
    const rouen = await t.db.query<{ n: number; total: number }>(
      "SELECT count(*)::int AS n, round(sum(population))::int AS total FROM iris_population WHERE annee = 2013 AND iris_code LIKE '76540%'",
    );
    expect(rouen[0]).toEqual({ n: 42, total: 110754 });
  });

  it("refuses an ODS workbook, saying to save it as XLSX", async () => {
    const csv = path.join(dir, "partenaire.csv");
    writeFileSync(csv, "IRIS,P13_POP\n765400101,1200\n");
    const ods = path.join(dir, "partenaire.ods");
    execFileSync("ogr2ogr", ["-f", "ODS", ods, csv]);
    const message = await refusal(ods);
    expect(message).toMatch(
      /^partenaire\.ods : classeur OpenDocument \(\.ods\), format que Socle ne lit pas ; enregistrez-le au format Excel \.xlsx/,
    );
    await expect(importPopulationFile(t.db, ods)).rejects.toThrow(/enregistrez-le au format Excel \.xlsx/);
  });

  it("refuses an XLS (Excel 97-2003) workbook with the same advice", async () => {
    // The OLE2 compound-file signature, then a sector of a workbook stream.
    const xls = path.join(dir, "ancien.xls");
    writeFileSync(xls, Buffer.concat([Buffer.from("d0cf11e0a1b11ae1", "hex"), Buffer.alloc(4096, 0x01)]));
    expect(await refusal(xls)).toMatch(
      /^ancien\.xls : classeur Excel 97-2003 \(\.xls\), format que Socle ne lit pas ; enregistrez-le au format Excel \.xlsx/,
    );
  });
});
