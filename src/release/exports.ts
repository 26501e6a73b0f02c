/**
 * Exports of a release, and only of a release: its cells are already
 * protected (secret cells have no value). XLSX with a sheet per table and a
 * metadata sheet, CSV for Excel (semicolons, UTF-8 with BOM), GeoJSON of the
 * IRIS or communes with their released values. Every output carries the
 * source mention; every text cell is neutralised against formulas.
 */
import ExcelJS from "exceljs";
import { neutralise, type ReleasedTable } from "../core/release/release.js";
import { STATUS_LABEL_FR } from "../core/secrecy/rules.js";
import { SECRET_MARK, type TableView, tableView, tableViews } from "./export-rows.js";
import type { Release } from "./publish.js";

export { SECRET_MARK };
export const LEGEND =
  "s : secret statistique (effectif trop faible, ou cellule masquée pour empêcher de le recalculer)";

const FIXED_HEAD = ["Niveau", "Code", "Territoire", "Code commune", "Commune"];

/** A table in wide form: one row per territory in territorial order, one column per modality. */
export function wideRows(t: ReleasedTable): { entete: string[]; lignes: (string | number)[][] } {
  const v = tableView(t);
  return {
    entete: [...FIXED_HEAD, ...v.columns.map((c) => c.label)],
    lignes: v.rows.map((r) => [
      r.levelFr,
      r.code,
      r.name,
      r.communeCode,
      r.communeName,
      ...r.values.map((x) => x ?? SECRET_MARK),
    ]),
  };
}

/**
 * Sheet names: unique, at most 31 characters, without the characters Excel
 * refuses, and meaningful: the words every table name shares
 * (« Effectifs par territoire et … ») are dropped when that leaves a name.
 */
export function sheetNames(names: readonly string[]): string[] {
  const words = names.map((n) => n.split(/\s+/));
  let common = 0;
  if (names.length > 1)
    while (words.every((w) => w.length > common + 1 && w[common] === words[0]![common])) common++;
  const used = new Set<string>(["métadonnées"]);
  return names.map((n, k) => {
    let name = (common > 0 ? words[k]!.slice(common).join(" ") : n)
      .replace(/[\\/]/g, "-")
      .replace(/[?*[\]:]/g, " ")
      .replace(/\s+/g, " ")
      // A straight apostrophe would have to be doubled in references (exceljs does not): use ’.
      .replace(/'/g, "’")
      .trim();
    name = name.charAt(0).toUpperCase() + name.slice(1) || "Tableau";
    if (name.length > 31) {
      // Cut at the last word boundary within 31 characters (a space just after them counts).
      const space = name.slice(0, 32).lastIndexOf(" ");
      name = (space > 15 ? name.slice(0, space) : name.slice(0, 31)).trim();
    }
    let candidate = name;
    for (let i = 2; used.has(candidate.toLowerCase()); i++) {
      const suffix = ` ${i}`;
      candidate = `${name.slice(0, 31 - suffix.length).trim()}${suffix}`;
    }
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

const COUNT_FORMAT = "#,##0";
const DECIMAL_FORMAT = "#,##0.0#";
/** A rate: the cell holds the fraction (0.553) that Excel shows as « 55,3 % ». */
const PERCENT_FORMAT = "0.0 %";
const HEADER_ROW = 4;

function tableSheet(wb: ExcelJS.Workbook, name: string, v: TableView, source: string): void {
  const ws = wb.addWorksheet(name, {
    views: [{ state: "frozen", xSplit: 3, ySplit: HEADER_ROW, topLeftCell: "D5", activeCell: "D5" }],
    pageSetup: {
      orientation: "landscape",
      paperSize: 9, // A4
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    },
    headerFooter: { oddFooter: "&L&8&A&R&8Page &P / &N" },
  });
  ws.addRow([neutralise(v.name)]).font = { bold: true, size: 13 };
  ws.addRow([neutralise(source)]).font = { italic: true };
  ws.addRow([]);
  const head = ws.addRow([...FIXED_HEAD, ...v.columns.map((c) => neutralise(c.label))]);
  head.font = { bold: true };
  head.alignment = { vertical: "middle", wrapText: true };
  const width = FIXED_HEAD.map((h) => h.length).concat(v.columns.map((c) => Math.min(c.label.length, 18)));
  const decimal = v.columns.map((_, k) =>
    v.rows.some((r) => r.values[k] != null && !Number.isInteger(r.values[k])),
  );
  for (const r of v.rows) {
    const row = ws.addRow([
      r.levelFr,
      r.code,
      neutralise(r.name),
      r.communeCode,
      neutralise(r.communeName),
      ...r.values.map((x) => (x === null ? SECRET_MARK : v.rate ? Number((x / 100).toPrecision(12)) : x)),
    ]);
    if (r.level === "ensemble" || r.level === "epci" || r.level === "commune")
      row.font = { bold: r.level !== "commune" };
    // Codes stay text: a leading zero or « 2A » must survive.
    for (const c of [2, 4]) row.getCell(c).numFmt = "@";
    r.values.forEach((x, k) => {
      const cell = row.getCell(FIXED_HEAD.length + 1 + k);
      if (x === null) cell.alignment = { horizontal: "right" };
      else cell.numFmt = v.rate ? PERCENT_FORMAT : decimal[k] ? DECIMAL_FORMAT : COUNT_FORMAT;
      const shown = x === null ? 1 : x.toLocaleString("fr-FR").length + (v.rate ? 2 : 0);
      width[FIXED_HEAD.length + k] = Math.max(width[FIXED_HEAD.length + k]!, shown);
    });
    [r.levelFr, r.code, r.name, r.communeCode, r.communeName].forEach((text, k) => {
      width[k] = Math.max(width[k]!, text.length);
    });
  }
  width.forEach((w, k) => {
    ws.getColumn(k + 1).width = Math.min(60, Math.max(8, w + 2));
  });
  for (const c of [2, 4]) ws.getColumn(c).numFmt = "@";
  ws.autoFilter = {
    from: { row: HEADER_ROW, column: 1 },
    to: { row: HEADER_ROW + v.rows.length, column: FIXED_HEAD.length + v.columns.length },
  };
  ws.addRow([]);
  ws.addRow([LEGEND]).font = { italic: true, size: 9 };
  ws.addRow([neutralise(source)]).font = { italic: true, size: 9 };
}

/**
 * The release as a workbook ready to read: a sheet per table (frozen header,
 * filter, number formats, fitted widths, landscape A4 fitted to width with
 * the header repeated) and a metadata sheet. `meta` gives the titles of the
 * convention and of the dataset, not their ids.
 */
export async function releaseXlsx(r: Release, meta: { convention: string; jeu: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Socle";
  wb.created = new Date(r.diffuseLe);
  wb.modified = new Date(r.diffuseLe);
  const views = tableViews(r.tableaux);
  const names = sheetNames(views.map((v) => v.name));
  views.forEach((v, k) => {
    tableSheet(wb, names[k]!, v, r.mentionSource);
  });
  const m = wb.addWorksheet("Métadonnées", {
    pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const statuses = new Map<string, number>();
  for (const t of r.tableaux)
    for (const c of t.cellules) statuses.set(c.statut, (statuses.get(c.statut) ?? 0) + 1);
  const diffuse = new Date(r.diffuseLe);
  const rows: [string, string | number | Date][] = [
    ["Convention", meta.convention],
    ["Jeu de données", meta.jeu],
    ["Millésime", r.annee],
    ["Zonage", r.zonage],
    ["Diffusé le", new Date(Date.UTC(diffuse.getUTCFullYear(), diffuse.getUTCMonth(), diffuse.getUTCDate()))],
    ["Source", r.mentionSource],
    ["Données au", isoAsDate(r.dateObservation)],
    ["Données mises à jour le", isoAsDate(r.miseAJour)],
    ["Champs absents du dépôt (non diffusés)", absentFields(r)],
    ["Secret statistique", LEGEND],
    ["Tableaux", views.map((v, k) => `${names[k]} : ${v.name}`).join(" ; ")],
    ["Lignes non localisées (hors tableaux)", r.nonLocalises],
    ["Cellules sous secret primaire", r.audit.primaires],
    ["Cellules sous secret secondaire", r.audit.secondaires],
    ["Audit du secret", r.audit.ok ? "réussi : aucune cellule masquée ne se recalcule" : "échec"],
    ["Identifiant de la diffusion", r.id],
  ];
  for (const [k, v] of rows) {
    const row = m.addRow([k, typeof v === "string" ? neutralise(v) : v]);
    row.getCell(1).font = { bold: true };
    const cell = row.getCell(2);
    cell.alignment = { horizontal: "left", wrapText: true, vertical: "top" };
    if (v instanceof Date) cell.numFmt = "dd/mm/yyyy";
    else if (typeof v === "number" && k !== "Millésime") cell.numFmt = COUNT_FORMAT;
  }
  m.addRow([]);
  m.addRow(["Statut des cellules", "Nombre"]).font = { bold: true };
  for (const [s, n] of statuses) m.addRow([STATUS_LABEL_FR[s as keyof typeof STATUS_LABEL_FR] ?? s, n]);
  m.getColumn(1).width = 38;
  m.getColumn(2).width = 90;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A calendar date as Excel shows it (midnight UTC: no time-zone shift). */
const isoAsDate = (d: string): Date => new Date(`${d}T00:00:00Z`);

/** The annex fields the deposits lacked, as the metadata and the CSV say them. */
export function absentFields(r: Release): string {
  return r.champsAbsents.length === 0
    ? "aucun"
    : r.champsAbsents.map((f) => `${f.libelle} (${f.nom})`).join(", ");
}

const csvField = (v: string | number): string => {
  const s = typeof v === "number" ? String(v).replace(".", ",") : neutralise(v);
  return /[;"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * All tables in long form (one line per cell, the table named on each line),
 * rows in territorial order, the commune of every IRIS, the source on every
 * line, and the annex fields the deposits lacked (« aucun » when none).
 * `tableIndex` keeps one table.
 */
export function releaseCsv(r: Release, tableIndex?: number): string {
  const lines = [
    [
      "tableau",
      "niveau",
      "code_territoire",
      "territoire",
      "code_commune",
      "commune",
      "variable",
      "modalite",
      "valeur",
      "source",
      "champs_absents",
    ].join(";"),
  ];
  const absents = absentFields(r);
  const views = tableViews(r.tableaux);
  for (const v of tableIndex === undefined ? views : views.slice(tableIndex, tableIndex + 1))
    for (const row of v.rows)
      v.columns.forEach((c, k) => {
        lines.push(
          [
            v.name,
            row.levelFr,
            row.code,
            row.name,
            row.communeCode,
            row.communeName,
            v.breakdown?.libelle ?? "",
            c.modality === null ? "" : c.label,
            row.values[k] ?? SECRET_MARK,
            r.mentionSource,
            absents,
          ]
            .map(csvField)
            .join(";"),
        );
      });
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

export { releaseGeoJson, releaseGeoPackage } from "./export-geo.js";
