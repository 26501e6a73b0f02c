/**
 * One view of a released table shared by every export format, so that the
 * XLSX, the CSV, the GeoJSON and the GeoPackage of a release agree: rows in
 * territorial order (Ensemble, EPCI, then each commune followed by its IRIS),
 * the level and the commune of every row, modalities in their natural order,
 * GIS-friendly column names beside the French labels, and one way of saying
 * that a value is secret (« s », never why).
 */
import { withoutPrototype } from "../core/lookup.js";
import { type ReleasedTable, territoryCode, territoryLevel } from "../core/release/release.js";

export const SECRET_MARK = "s";

export const LEVEL_FR: Readonly<Record<string, string>> = withoutPrototype({
  ensemble: "ensemble",
  departement: "département",
  epci: "EPCI",
  commune: "commune",
  iris: "IRIS",
  autre: "hors commune",
  non_localise: "non localisé",
});

/** Rank of a level in the row order; a level not listed here (a custom zone…) comes after the EPCI. */
const LEVEL_RANK: Readonly<Record<string, number>> = withoutPrototype({
  ensemble: 0,
  departement: 1,
  epci: 2,
  commune: 4,
  iris: 4,
  autre: 8,
  non_localise: 9,
});

export interface ExportColumn {
  /** Name for GIS tools and scripts: lowercase ASCII, no spaces, unique in the table. */
  key: string;
  /** French label, as the table shows it. */
  label: string;
  /** Modality code of the breakdown, or null for a table without breakdown. */
  modality: string | null;
}

export interface ExportRow {
  /** The table's own territory code (`C76540`, `765400101`, `Ensemble`…). */
  territory: string;
  level: string;
  levelFr: string;
  code: string;
  name: string;
  /** Code and name of the commune of an IRIS or commune row; empty otherwise. */
  communeCode: string;
  communeName: string;
  /** One per column; null when secret. */
  values: (number | null)[];
}

export interface TableView {
  name: string;
  /** Descriptive ASCII name (for a GeoPackage layer or a file name). */
  slug: string;
  breakdown: { nom: string; libelle: string } | null;
  columns: ExportColumn[];
  rows: ExportRow[];
  /** Values are rates in percent points (ReleasedTable.unite). */
  rate: boolean;
}

/** Lowercase ASCII words joined by underscores: « Âge au 31/12 » → `age_au_31_12`. */
export function slugify(text: string, fallback = "valeur"): string {
  const s = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/œ/gi, "oe")
    .replace(/æ/gi, "ae")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return s || fallback;
}

/**
 * Modalities in their natural order: when every code carries a number (age
 * bands « 60-74 », « 85+ », « GIR1 »…), ascending by that number; otherwise
 * as the table declares them. The total always comes last.
 */
export function naturalModalities(codes: readonly string[]): string[] {
  const rest = codes.filter((c) => c !== "Total");
  const numbered = rest.every((c) => /^\D{0,6}\d/.test(c));
  const ordered = numbered
    ? [...rest].sort((a, b) => a.localeCompare(b, "fr", { numeric: true, sensitivity: "base" }))
    : rest;
  return codes.includes("Total") ? [...ordered, "Total"] : ordered;
}

function communeOf(territory: string, level: string): string {
  if (level === "iris") return territory.slice(0, 5);
  if (level === "commune") return territoryCode(territory);
  return "";
}

/** The rows of a table in territorial order, each with its level and commune. */
export function tableView(t: ReleasedTable): TableView {
  const territoire = t.variables[0]!.nom;
  const breakdownVar = t.variables[1] ?? null;
  const labels = t.libelles[territoire] ?? {};
  const territories = Object.keys(labels);
  const modalities = breakdownVar ? naturalModalities(Object.keys(t.libelles[breakdownVar.nom] ?? {})) : [];
  const used = new Set<string>([
    "code",
    "nom",
    "niveau",
    "code_commune",
    "commune",
    "secret",
    "source",
    "fid",
  ]);
  const columns: ExportColumn[] = (breakdownVar ? modalities : [null]).map((m) => {
    const label = m === null ? "Effectif" : (t.libelles[breakdownVar!.nom]?.[m] ?? m);
    const base = m === null ? "effectif" : `n_${slugify(m === "Total" ? "total" : label)}`;
    let key = base.slice(0, 60);
    for (let k = 2; used.has(key); k++) key = `${base.slice(0, 56)}_${k}`;
    used.add(key);
    return { key, label, modality: m };
  });
  const index = new Map(t.cellules.map((c) => [c.codes.join("\u0001"), c]));
  const communeName = new Map<string, string>();
  for (const code of territories)
    if (territoryLevel(code) === "commune") communeName.set(territoryCode(code), labels[code] ?? code);
  const rows: ExportRow[] = territories.map((territory) => {
    const level = territoryLevel(territory);
    const commune = communeOf(territory, level);
    return {
      territory,
      level,
      levelFr: LEVEL_FR[level] ?? level,
      code: territoryCode(territory),
      name: labels[territory] ?? territory,
      communeCode: commune,
      communeName: communeName.get(commune) ?? "",
      values: columns.map((c) => {
        const cell = index.get(c.modality === null ? territory : `${territory}\u0001${c.modality}`);
        return cell?.valeur ?? null;
      }),
    };
  });
  const rank = (r: ExportRow) => LEVEL_RANK[r.level] ?? 3;
  rows.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.communeCode.localeCompare(b.communeCode) ||
      // Within a commune: the commune first, then its IRIS.
      (a.level === "commune" ? 0 : 1) - (b.level === "commune" ? 0 : 1) ||
      a.code.localeCompare(b.code),
  );
  return {
    name: t.nom,
    slug: slugify(t.nom, "tableau").slice(0, 50),
    breakdown: breakdownVar,
    columns,
    rows,
    rate: t.unite === "taux",
  };
}

/** Every table of a release with a slug unique in the release. */
export function tableViews(tables: readonly ReleasedTable[]): TableView[] {
  const used = new Set<string>();
  return tables.map((t) => {
    const v = tableView(t);
    let slug = v.slug;
    for (let k = 2; used.has(slug); k++) slug = `${v.slug}_${k}`;
    used.add(slug);
    return { ...v, slug };
  });
}
