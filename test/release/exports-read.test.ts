/**
 * The exports of a release read back as their users' tools read them: the
 * XLSX with exceljs (frozen panes, filter, formats, print setup, sheet names,
 * row and modality order, dates), the CSV and the GeoJSON (one schema for
 * every feature, the same secret encoding as the GeoPackage, every table).
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleasedTable } from "../../src/core/release/release.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { naturalModalities, tableView } from "../../src/release/export-rows.js";
import { releaseCsv, releaseGeoJson, releaseXlsx, sheetNames } from "../../src/release/exports.js";
import { seedDemoTerritory } from "../../src/store/demo.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { demoRelease, MENTION } from "./release-fixture.js";

async function workbook(): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  const bytes = await releaseXlsx(demoRelease(), {
    convention: "Convention ABS de démonstration",
    jeu: "APA à domicile",
  });
  await wb.xlsx.load(bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);
  return wb;
}

describe("XLSX ready to read", () => {
  it("names each sheet after what its table adds, uniquely, in at most 31 characters", async () => {
    const wb = await workbook();
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Âge au 31-12-2025",
      "GIR",
      "Sexe de l’allocataire principal",
      "Métadonnées",
    ]);
    const long = "Effectifs par territoire et situation familiale de l'allocataire";
    const names = sheetNames([long, long, `${long} bis`]);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(31);
      expect(n).not.toMatch(/[\\/?*[\]:]/);
    }
    expect(sheetNames(["Effectifs par territoire"])).toEqual(["Effectifs par territoire"]);
  });

  it("freezes the header, filters it, repeats it on printed pages, landscape and fitted to width", async () => {
    const wb = await workbook();
    for (const ws of wb.worksheets.slice(0, -1)) {
      expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 4, xSplit: 3 });
      expect(ws.getRow(4).getCell(1).value).toBe("Niveau");
      // Read back as Excel stores it: a range from the header to the last row.
      const last = 4 + 2 + demoTerritory().communes.length + demoTerritory().iris.length;
      const lastColumn = ws.getRow(4).getCell(ws.getRow(4).cellCount).address.replace(/\d+/, "");
      expect(ws.autoFilter).toBe(`A4:${lastColumn}${last}`);
      expect(ws.pageSetup).toMatchObject({
        orientation: "landscape",
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
      });
      expect(ws.pageSetup.printTitlesRow).toBe("4:4");
    }
  });

  it("formats counts with thousands separators, keeps codes as text and fits widths to the content", async () => {
    const ws = (await workbook()).worksheets[0]!;
    let counts = 0;
    ws.eachRow((row, n) => {
      if (n <= 4 || typeof row.getCell(1).value !== "string" || row.getCell(6).value == null) return;
      for (let c = 6; c <= 9; c++) {
        const cell = row.getCell(c);
        if (typeof cell.value === "number") {
          expect(cell.numFmt).toBe("#,##0");
          counts++;
        } else expect(cell.value).toBe("s");
      }
      for (const c of [2, 4])
        if (row.getCell(c).value) expect(row.getCell(c).type).toBe(ExcelJS.ValueType.String);
    });
    expect(counts).toBeGreaterThan(50);
    const longestName = Math.max(...demoTerritory().iris.map((i) => i.nom.length));
    expect(ws.getColumn(3).width).toBeGreaterThanOrEqual(longestName);
    // The code column is wide enough for a 9-character IRIS code.
    expect(ws.getColumn(2).width).toBeGreaterThanOrEqual(11);
  });

  it("shows rates (« taux ») with the percent format: 55,3 % is the fraction 0.553", async () => {
    const base = demoRelease();
    const rate: ReleasedTable = {
      nom: "Taux couverture",
      variables: [{ nom: "territoire", libelle: "Territoire" }],
      libelles: { territoire: { Ensemble: "Ensemble du territoire", C00001: "Valsocle-Centre" } },
      cellules: [
        { codes: ["Ensemble"], valeur: 55.3, statut: "V" },
        { codes: ["C00001"], valeur: null, statut: "D" },
      ],
      unite: "taux",
    };
    const wb = new ExcelJS.Workbook();
    const bytes = await releaseXlsx(
      { ...base, tableaux: [base.tableaux[0]!, rate] },
      { convention: "c", jeu: "j" },
    );
    await wb.xlsx.load(bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.worksheets[1]!;
    const ensemble = ws.getRow(5);
    expect(ensemble.getCell(3).value).toBe("Ensemble du territoire");
    expect(ensemble.getCell(6).value).toBe(0.553);
    expect(ensemble.getCell(6).numFmt).toBe("0.0 %");
    expect(ws.getRow(6).getCell(6).value).toBe("s");
    // Counts keep their thousands format.
    expect(wb.worksheets[0]!.getRow(5).getCell(6).numFmt).toBe("#,##0");
    // The CSV keeps the provider's figure.
    expect(releaseCsv({ ...base, tableaux: [rate] })).toContain(";55,3;");
  });

  it("lists Ensemble, then the EPCI, then each commune followed by its IRIS, with the level and the commune code", async () => {
    const ws = (await workbook()).worksheets[0]!;
    const rows: { niveau: string; code: string; commune: string }[] = [];
    ws.eachRow((row, n) => {
      const niveau = row.getCell(1).value;
      if (n > 4 && typeof niveau === "string" && ["ensemble", "EPCI", "commune", "IRIS"].includes(niveau))
        rows.push({
          niveau,
          code: String(row.getCell(2).value ?? ""),
          commune: String(row.getCell(4).value ?? ""),
        });
    });
    expect(rows[0]!.niveau).toBe("ensemble");
    expect(rows[1]!.niveau).toBe("EPCI");
    let current = "";
    for (const r of rows.slice(2)) {
      if (r.niveau === "commune") {
        expect(r.code > current).toBe(true);
        current = r.code;
        expect(r.commune).toBe(r.code);
      } else {
        expect(r.niveau).toBe("IRIS");
        expect(r.commune).toBe(current);
        expect(r.code.slice(0, 5)).toBe(current);
      }
    }
    expect(rows.filter((r) => r.niveau === "IRIS").length).toBe(demoTerritory().iris.length);
  });

  it("orders modalities naturally: age bands ascending, GIR 1 to 6, the total last", async () => {
    const wb = await workbook();
    const head = (k: number) => (wb.worksheets[k]!.getRow(4).values as unknown[]).slice(6);
    expect(head(0)).toEqual(["60 à 74 ans", "75 à 84 ans", "85 ans et plus", "Total"]);
    expect(head(1)).toEqual(["GIR 1", "GIR 2", "GIR 3", "GIR 4", "GIR 5", "GIR 6", "Total"]);
    expect(head(2)).toEqual(["Femmes", "Hommes", "Total"]);
    expect(naturalModalities(["3", "1", "4+", "2"])).toEqual(["1", "2", "3", "4+"]);
    expect(naturalModalities(["oui", "non", "Total"])).toEqual(["oui", "non", "Total"]);
  });

  it("writes the metadata with titles and the release date as a date", async () => {
    const m = (await workbook()).getWorksheet("Métadonnées")!;
    const value = (label: string) => {
      let v: unknown;
      m.eachRow((row) => {
        if (row.getCell(1).value === label) v = row.getCell(2).value;
      });
      return v;
    };
    expect(value("Convention")).toBe("Convention ABS de démonstration");
    expect(value("Jeu de données")).toBe("APA à domicile");
    const date = value("Diffusé le");
    expect(date).toBeInstanceOf(Date);
    expect((date as Date).toISOString().slice(0, 10)).toBe("2026-03-02");
    m.eachRow((row) => {
      if (row.getCell(1).value === "Diffusé le") expect(row.getCell(2).numFmt).toBe("dd/mm/yyyy");
    });
    expect(value("Source")).toBe(MENTION);
    expect((value("Données au") as Date).toISOString().slice(0, 10)).toBe("2025-12-31");
    expect((value("Données mises à jour le") as Date).toISOString().slice(0, 10)).toBe("2026-03-02");
    expect(value("Champs absents du dépôt (non diffusés)")).toBe("rang de naissance (rang_naissance)");
  });
});

describe("CSV and GeoJSON", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb("pglite");
    await seedDemoTerritory(t.db);
  }, 60_000);
  afterAll(async () => t?.drop());

  it("gives every feature of every table the same properties, secrets as a list of columns, never their kind", async () => {
    const r = demoRelease();
    for (let k = 0; k < r.tableaux.length; k++) {
      const gj = await releaseGeoJson(t.db, r, k, "iris");
      expect(gj.features.length).toBe(demoTerritory().iris.length);
      const keys = Object.keys(gj.features[0]!.properties!);
      expect(keys.slice(0, 5)).toEqual(["code", "nom", "niveau", "code_commune", "commune"]);
      for (const key of keys) expect(key).toMatch(/^[a-z0-9_]+$/);
      expect(gj.champs.map((c) => c.nom)).toEqual(keys.slice(5, -2));
      let secrets = 0;
      for (const f of gj.features) {
        const p = f.properties!;
        expect(Object.keys(p)).toEqual(keys);
        expect(p.code_commune).toBe(String(p.code).slice(0, 5));
        expect(p.commune).toBe(demoTerritory().communes.find((c) => c.code === p.code_commune)!.nom);
        const listed = String(p.secret) === "" ? [] : String(p.secret).split(", ");
        for (const c of gj.champs) expect(listed.includes(c.nom)).toBe(p[c.nom] === null);
        secrets += listed.length;
        expect(JSON.stringify(p)).not.toMatch(/primaire|secondaire|"[AD]"/);
      }
      expect(secrets).toBeGreaterThan(0);
    }
    const communes = await releaseGeoJson(t.db, r, 0, "commune");
    expect(communes.features.map((f) => f.properties!.code)).toEqual(
      demoTerritory()
        .communes.map((c) => c.code)
        .sort(),
    );
  });

  it("writes every table to the CSV in territorial order, with the commune of each IRIS, « s » for a secret", () => {
    const r = demoRelease();
    const lines = releaseCsv(r).slice(1).trim().split("\r\n");
    expect(lines[0]).toBe(
      "tableau;niveau;code_territoire;territoire;code_commune;commune;variable;modalite;valeur;source;champs_absents",
    );
    const rows = lines.slice(1).map((l) => l.split(";"));
    expect(new Set(rows.map((f) => f[0]))).toEqual(new Set(r.tableaux.map((x) => x.nom)));
    const cells = r.tableaux.reduce((s, x) => s + x.cellules.length, 0);
    expect(rows.length).toBe(cells);
    for (const f of rows) {
      if (f[1] === "IRIS") expect(f[4]).toBe(f[2]!.slice(0, 5));
      expect(f[8] === "s" || /^\d+$/.test(f[8]!)).toBe(true);
      expect(f[9]).toBe(MENTION);
      expect(f[10]).toBe("rang de naissance (rang_naissance)");
    }
    expect(rows[0]![1]).toBe("ensemble");
    expect(rows.filter((f) => f[8] === "s").length).toBe(
      r.tableaux.reduce((s, x) => s + x.cellules.filter((c) => c.valeur === null).length, 0),
    );
    const one = releaseCsv(r, 1).slice(1).trim().split("\r\n").slice(1);
    expect(new Set(one.map((l) => l.split(";")[0]))).toEqual(new Set([r.tableaux[1]!.nom]));
    expect(tableView(r.tableaux[0]!).rows[0]!.level).toBe("ensemble");
  });
});
