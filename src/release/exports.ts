/**
 * Exports of a release, and only of a release: its cells are already
 * protected (secret cells have no value). XLSX with a sheet per table and a
 * metadata sheet, CSV for Excel (semicolons, UTF-8 with BOM), GeoJSON of the
 * IRIS or communes with their released values. Every output carries the
 * source mention; every text cell is neutralised against formulas.
 */
import ExcelJS from "exceljs";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import { neutralise, type ReleasedTable, territoryCode, territoryLevel } from "../core/release/release.js";
import { STATUS_LABEL_FR } from "../core/secrecy/rules.js";
import type { AreaGeometry } from "../core/territory/geometry.js";
import { writeGeoPackage } from "../geo/geopackage.js";
import type { Queryable } from "../store/db.js";
import type { Release } from "./publish.js";

export const SECRET_MARK = "s";
export const LEGEND =
  "s : secret statistique (effectif trop faible, ou cellule masquée pour empêcher de le recalculer)";

const LEVEL_FR: Record<string, string> = {
  ensemble: "ensemble",
  non_localise: "non localisé",
  autre: "hors commune",
  commune: "commune",
  epci: "EPCI",
  iris: "IRIS",
};

/** A table in wide form: one row per territory, one column per modality of its breakdown. */
export function wideRows(t: ReleasedTable): { entete: string[]; lignes: (string | number)[][] } {
  const territoire = t.variables[0]!.nom;
  const breakdown = t.variables[1]?.nom;
  const territoryCodes = Object.keys(t.libelles[territoire] ?? {});
  const modalities = breakdown ? Object.keys(t.libelles[breakdown] ?? {}) : [];
  // "Total" first in the dimension's codes; keep it last, as readers expect.
  const cols = breakdown ? [...modalities.filter((m) => m !== "Total"), "Total"] : [""];
  const index = new Map(t.cellules.map((c) => [c.codes.join("\u0001"), c]));
  const entete = [
    "Niveau",
    "Code",
    "Territoire",
    ...(breakdown ? cols.map((m) => t.libelles[breakdown]?.[m] ?? m) : ["Effectif"]),
  ];
  const lignes = territoryCodes.map((code) => [
    LEVEL_FR[territoryLevel(code)] ?? "",
    territoryCode(code),
    t.libelles[territoire]?.[code] ?? code,
    ...cols.map((m) => {
      const cell = index.get(breakdown ? `${code}\u0001${m}` : code);
      return cell?.valeur ?? SECRET_MARK;
    }),
  ]);
  return { entete, lignes };
}

function sheetName(name: string, used: Set<string>): string {
  let base =
    name
      .replace(/[\\/?*[\]:]/g, " ")
      .slice(0, 28)
      .trim() || "Tableau";
  let k = 1;
  let candidate = base.slice(0, 31);
  while (used.has(candidate)) candidate = `${base.slice(0, 27)} (${++k})`;
  used.add(candidate);
  base = candidate;
  return base;
}

export async function releaseXlsx(r: Release, meta: { convention: string; jeu: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Socle";
  wb.created = new Date(r.diffuseLe);
  const used = new Set<string>();
  for (const t of r.tableaux) {
    const ws = wb.addWorksheet(sheetName(t.nom, used));
    ws.addRow([neutralise(t.nom)]).font = { bold: true, size: 13 };
    ws.addRow([neutralise(r.mentionSource)]).font = { italic: true };
    ws.addRow([]);
    const { entete, lignes } = wideRows(t);
    const head = ws.addRow(entete.map(neutralise));
    head.font = { bold: true };
    for (const l of lignes) {
      const row = ws.addRow(l.map((v) => (typeof v === "string" ? neutralise(v) : v)));
      // Codes stay text: a leading zero or « 2A » must survive.
      const code = row.getCell(2);
      code.value = String(l[1]);
      code.numFmt = "@";
      for (let k = 4; k <= entete.length; k++) {
        const cell = row.getCell(k);
        if (cell.value === SECRET_MARK) cell.alignment = { horizontal: "right" };
      }
    }
    ws.getColumn(2).numFmt = "@";
    ws.getColumn(3).width = 36;
    ws.addRow([]);
    ws.addRow([LEGEND]).font = { italic: true, size: 9 };
    ws.addRow([neutralise(r.mentionSource)]).font = { italic: true, size: 9 };
  }
  const m = wb.addWorksheet("Métadonnées");
  const statuses = new Map<string, number>();
  for (const t of r.tableaux)
    for (const c of t.cellules) statuses.set(c.statut, (statuses.get(c.statut) ?? 0) + 1);
  const rows: [string, string | number][] = [
    ["Convention", meta.convention],
    ["Jeu de données", meta.jeu],
    ["Millésime", r.annee],
    ["Zonage", r.zonage],
    ["Diffusé le", r.diffuseLe.slice(0, 10).split("-").reverse().join("/")],
    ["Source", r.mentionSource],
    ["Secret statistique", LEGEND],
    ["Lignes non localisées (hors tableaux)", r.nonLocalises],
    ["Cellules sous secret primaire", r.audit.primaires],
    ["Cellules sous secret secondaire", r.audit.secondaires],
    ["Audit du secret", r.audit.ok ? "réussi : aucune cellule masquée ne se recalcule" : "échec"],
    ["Identifiant de la diffusion", r.id],
  ];
  for (const [k, v] of rows) m.addRow([k, typeof v === "string" ? neutralise(v) : v]);
  m.addRow([]);
  m.addRow(["Statut des cellules", "Nombre"]).font = { bold: true };
  for (const [s, n] of statuses) m.addRow([STATUS_LABEL_FR[s as keyof typeof STATUS_LABEL_FR] ?? s, n]);
  m.getColumn(1).width = 34;
  m.getColumn(2).width = 90;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const csvField = (v: string | number): string => {
  const s = typeof v === "number" ? String(v).replace(".", ",") : neutralise(v);
  return /[;"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** All tables in long form: one line per cell, with the source on every line. */
export function releaseCsv(r: Release): string {
  const lines = [
    ["tableau", "niveau", "code_territoire", "territoire", "variable", "modalite", "valeur", "source"].join(
      ";",
    ),
  ];
  for (const t of r.tableaux) {
    const territoire = t.variables[0]!.nom;
    const breakdown = t.variables[1];
    for (const c of t.cellules) {
      const code = c.codes[0]!;
      lines.push(
        [
          t.nom,
          LEVEL_FR[territoryLevel(code)] ?? "",
          territoryCode(code),
          t.libelles[territoire]?.[code] ?? code,
          breakdown?.libelle ?? "",
          breakdown ? (t.libelles[breakdown.nom]?.[c.codes[1]!] ?? c.codes[1]!) : "",
          c.valeur ?? SECRET_MARK,
          r.mentionSource,
        ]
          .map(csvField)
          .join(";"),
      );
    }
  }
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

/** The IRIS (or communes) of the release with their released values, WGS84. */
export async function releaseGeoJson(
  q: Queryable,
  r: Release,
  tableIndex = 0,
  level: "iris" | "commune" = "iris",
): Promise<FeatureCollection & { source: string }> {
  const t = r.tableaux[tableIndex];
  if (!t) throw new Error("tableau absent");
  const { entete, lignes } = wideRows(t);
  const wanted = lignes.filter((l) => l[0] === LEVEL_FR[level]);
  const codes = wanted.map((l) => String(l[1]));
  const geoms =
    level === "iris"
      ? await q.query<{ code: string; geom: Geometry }>(
          "SELECT code, geom_wgs84 AS geom FROM iris WHERE code = ANY($1::text[])",
          [codes],
        )
      : await communeGeometries(q, codes);
  const byCode = new Map(geoms.map((g) => [g.code, g.geom]));
  const features: Feature[] = wanted
    .filter((l) => byCode.has(String(l[1])))
    .map((l) => {
      const properties: Record<string, string | number | null> = { code: String(l[1]), nom: String(l[2]) };
      entete.slice(3).forEach((h, k) => {
        const v = l[k + 3];
        properties[h] = typeof v === "number" ? v : null;
        if (typeof v !== "number") properties[`${h} (secret)`] = SECRET_MARK;
      });
      properties.source = r.mentionSource;
      return { type: "Feature", id: String(l[1]), properties, geometry: byCode.get(String(l[1]))! };
    });
  return { type: "FeatureCollection", features, source: r.mentionSource };
}

async function communeGeometries(
  q: Queryable,
  codes: readonly string[],
): Promise<{ code: string; geom: Geometry }[]> {
  // A commune is the union of its IRIS: a MultiPolygon of their polygons.
  const rows = await q.query<{ commune_code: string; geom: Geometry }>(
    "SELECT commune_code, geom_wgs84 AS geom FROM iris WHERE commune_code = ANY($1::text[]) ORDER BY code",
    [codes],
  );
  const out = new Map<string, number[][][][]>();
  for (const r of rows) {
    const polys =
      r.geom.type === "Polygon"
        ? [r.geom.coordinates]
        : r.geom.type === "MultiPolygon"
          ? r.geom.coordinates
          : [];
    out.set(r.commune_code, [...(out.get(r.commune_code) ?? []), ...polys]);
  }
  return [...out].map(([code, coordinates]) => ({ code, geom: { type: "MultiPolygon", coordinates } }));
}

/** A GeoPackage layer (WGS84) of the IRIS of a table with their released values, for QGIS. */
export async function releaseGeoPackage(q: Queryable, r: Release, tableIndex = 0): Promise<Uint8Array> {
  const gj = await releaseGeoJson(q, r, tableIndex, "iris");
  const t = r.tableaux[tableIndex]!;
  const { entete } = wideRows(t);
  const valueColumns = entete.slice(3);
  return writeGeoPackage({
    table: `diffusion_${r.annee}_${tableIndex + 1}`,
    crs: "EPSG:4326",
    columns: [
      { name: "code", type: "TEXT" },
      { name: "nom", type: "TEXT" },
      ...valueColumns.map((c) => ({ name: c, type: "INTEGER" as const })),
      { name: "secret", type: "TEXT" },
      { name: "source", type: "TEXT" },
    ],
    features: gj.features.map((f) => {
      const p = f.properties ?? {};
      const secret = valueColumns.filter((c) => typeof p[c] !== "number");
      return {
        properties: {
          code: String(p.code),
          nom: neutralise(String(p.nom)),
          ...Object.fromEntries(
            valueColumns.map((c) => [c, typeof p[c] === "number" ? (p[c] as number) : null]),
          ),
          secret: secret.length > 0 ? `${SECRET_MARK} : ${secret.join(", ")}` : "",
          source: r.mentionSource,
        },
        geometry: f.geometry as AreaGeometry,
      };
    }),
  });
}
