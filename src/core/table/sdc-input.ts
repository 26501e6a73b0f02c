/**
 * Tables in the exchange formats of the SDC tools (sdcTable, GaussSuppression,
 * rtauargus): a file of inner cells with a count column, hierarchy files as
 * parent/child pairs, and suppression patterns. Pure: callers pass parsed CSV.
 */
import { invalide } from "../errors.js";
import { buildDimension, type Dimension, flatDimension, type HierarchyEdge } from "./dimension.js";
import { buildTableSet, cellIndex, checkAdditivity, type InnerRow, type TableSet } from "./table.js";

export interface CsvInput {
  /** File name for messages. */
  readonly file: string;
  readonly header: readonly string[];
  readonly records: readonly (readonly string[])[];
}

export interface HierarchyInput extends CsvInput {
  /** Variable the file describes when it has no `hierarchy` column. */
  readonly variable?: string;
}

const COUNT_COLUMNS = ["freq", "n_obs", "effectif", "count", "nb"];
const TRUTHY = new Set(["true", "vrai", "1", "oui", "t"]);

export interface SdcTableOptions {
  /** Column holding a magnitude (amount); without it the table is a count table. */
  readonly valueColumn?: string;
  /** Column whose true values mark manual primaries (e.g. is_secret_prim). */
  readonly primaryColumn?: string;
  /** Code of the total of flat variables (default "Total"). */
  readonly totalCode?: string;
}

export interface SdcTable {
  readonly set: TableSet;
  /** Keys (cellKey) of the cells the input marks as primary. */
  readonly markedPrimary: ReadonlySet<string>;
}

const norm = (s: string) => s.trim().replace(/^"|"$/g, "");

export function readHierarchies(files: readonly HierarchyInput[]): Map<string, HierarchyEdge[]> {
  const byVar = new Map<string, HierarchyEdge[]>();
  for (const f of files) {
    const h = f.header.map((x) => norm(x).toLowerCase());
    const col = (name: string) => h.indexOf(name);
    const iParent = col("parent");
    const iChild = col("child") >= 0 ? col("child") : col("enfant");
    const iVar = col("hierarchy") >= 0 ? col("hierarchy") : col("variable");
    const iGroup = col("grouping") >= 0 ? col("grouping") : col("regroupement");
    if (iParent < 0 || iChild < 0) {
      throw invalide(
        "hierarchie_colonnes",
        `${f.file} : colonnes « parent » et « child » attendues (trouvées : ${f.header.join(", ")}).`,
      );
    }
    if (iVar < 0 && !f.variable) {
      throw invalide(
        "hierarchie_variable",
        `${f.file} : la variable décrite est inconnue ; ajoutez une colonne « hierarchy » ou nommez le fichier hierarchy_<variable>_parent_child.csv.`,
      );
    }
    f.records.forEach((r, k) => {
      const variable = iVar >= 0 ? norm(r[iVar] ?? "") : (f.variable as string);
      const parent = norm(r[iParent] ?? "");
      const child = norm(r[iChild] ?? "");
      if (!variable || !parent || !child) {
        throw invalide(
          "hierarchie_ligne",
          `${f.file} ligne ${k + 2} : parent, enfant et variable sont requis.`,
        );
      }
      let list = byVar.get(variable);
      if (!list) {
        list = [];
        byVar.set(variable, list);
      }
      const grouping = iGroup >= 0 ? norm(r[iGroup] ?? "") : undefined;
      list.push(grouping ? { parent, child, grouping } : { parent, child });
    });
  }
  return byVar;
}

/**
 * Reads a table of cells. Rows whose codes are all elementary are the inner
 * cells; rows carrying a margin code are checked against the sums of inner
 * cells (a non-additive total is an error naming the cell).
 */
export function readSdcTable(
  cells: CsvInput,
  hierarchies: readonly HierarchyInput[],
  options: SdcTableOptions = {},
): SdcTable {
  const header = cells.header.map(norm);
  const lower = header.map((h) => h.toLowerCase());
  const countCol = lower.findIndex((h) => COUNT_COLUMNS.includes(h));
  const valueCol = options.valueColumn ? header.indexOf(options.valueColumn) : -1;
  if (options.valueColumn && valueCol < 0) {
    throw invalide("colonne_absente", `${cells.file} : colonne « ${options.valueColumn} » absente.`);
  }
  if (countCol < 0 && valueCol < 0) {
    throw invalide(
      "colonne_effectif_absente",
      `${cells.file} : colonne d'effectif absente (freq, Freq, N_OBS ou effectif attendue).`,
    );
  }
  if (cells.records.length === 0) {
    throw invalide("table_vide", `${cells.file} : le fichier ne contient aucune cellule.`);
  }
  const primaryCol = options.primaryColumn ? header.indexOf(options.primaryColumn) : -1;
  if (options.primaryColumn && primaryCol < 0) {
    throw invalide("colonne_absente", `${cells.file} : colonne « ${options.primaryColumn} » absente.`);
  }
  const edges = readHierarchies(hierarchies);
  const total = options.totalCode ?? "Total";
  const built = new Map<string, Dimension>();
  for (const [v, e] of edges) built.set(v, buildDimension(v, e));
  for (const v of edges.keys()) {
    if (!header.includes(v)) {
      throw invalide(
        "variable_absente",
        `${cells.file} : la hiérarchie décrit la variable « ${v} », absente des colonnes (${header.join(", ")}).`,
      );
    }
  }
  // Candidate dimension columns: before the count column (or all non-numeric ones).
  const firstMeasure = countCol >= 0 ? countCol : valueCol;
  const candidates = header.map((_, i) => i).filter((i) => i < firstMeasure && i !== primaryCol);
  const nonLeaf = new Set<string>();
  const groupingNames = new Set<string>();
  for (const [v, e] of edges) {
    const d = built.get(v) as Dimension;
    for (const c of d.codes) if (!d.leaves.includes(c)) nonLeaf.add(c);
    for (const x of e) if (x.grouping) groupingNames.add(x.grouping);
  }
  const dimCols = candidates.filter((i) => {
    const name = header[i] as string;
    if (built.has(name)) return true;
    if (groupingNames.has(name)) return false;
    // Parent-code columns: every value is an aggregate code of a hierarchy.
    const allParents = cells.records.every((r) => nonLeaf.has(norm(r[i] ?? "")));
    return !allParents;
  });
  if (dimCols.length === 0) {
    throw invalide(
      "table_sans_variable",
      `${cells.file} : aucune colonne de variable avant la colonne d'effectif.`,
    );
  }
  const variables: Dimension[] = dimCols.map((i) => {
    const name = header[i] as string;
    const d = built.get(name);
    if (d) return d;
    const seen = new Set<string>();
    for (const r of cells.records) {
      const code = norm(r[i] ?? "");
      if (code !== total && code !== "") seen.add(code);
    }
    return flatDimension(name, [...seen].sort(naturalCompare), total);
  });
  const inner: InnerRow[] = [];
  const margins: { table: number; codes: string[]; value: number; where: string }[] = [];
  const marked: { codes: string[] }[] = [];
  cells.records.forEach((r, k) => {
    const where = `${cells.file} ligne ${k + 2}`;
    const codes = dimCols.map((i) => norm(r[i] ?? ""));
    codes.forEach((code, v) => {
      const dim = variables[v] as Dimension;
      if (!dim.leavesOf.has(code)) {
        throw invalide(
          "code_absent_hierarchie",
          `${where}, colonne « ${dim.name} » : le code « ${code} » est absent de la hiérarchie de « ${dim.name} ».`,
        );
      }
    });
    const count = countCol >= 0 ? parseNumber(r[countCol], where, header[countCol] as string) : undefined;
    const value =
      valueCol >= 0 ? parseNumber(r[valueCol], where, header[valueCol] as string) : (count as number);
    if (count !== undefined && count < 0) {
      throw invalide(
        "effectif_negatif",
        `${where}, colonne « ${header[countCol]} » : effectif négatif (${count}) pour la cellule (${codes.join(", ")}).`,
      );
    }
    const isInner = codes.every((code, v) => (variables[v] as Dimension).leaves.includes(code));
    if (primaryCol >= 0 && TRUTHY.has(norm(r[primaryCol] ?? "").toLowerCase())) marked.push({ codes });
    if (isInner) inner.push({ codes, value, count: count ?? 1, where });
    else margins.push({ table: 0, codes, value, where });
  });
  const set = buildTableSet(variables, [{ name: "tableau", variables: variables.map((_, i) => i) }], inner, {
    magnitude: valueCol >= 0,
  });
  checkAdditivity(set, margins);
  const markedPrimary = new Set(marked.map((m) => `0|${m.codes.join("×")}`));
  return { set, markedPrimary };
}

export interface MicrodataOptions {
  /** Classifying variables; by default every column holding a non-number. */
  readonly dimensions?: readonly string[];
  /** Magnitude summed per cell (contributions kept for dominance rules); without it, a count table. */
  readonly valueColumn?: string;
  readonly totalCode?: string;
}

/**
 * Microdata as sdcTable, GaussSuppression and τ-Argus take them: one row per
 * record, classifying variables and numbers. Each record counts once in its
 * inner cell and contributes its value.
 */
export function readSdcMicrodata(
  data: CsvInput,
  hierarchies: readonly HierarchyInput[],
  options: MicrodataOptions = {},
): SdcTable {
  const header = data.header.map(norm);
  if (data.records.length === 0)
    throw invalide("table_vide", `${data.file} : le fichier ne contient aucun enregistrement.`);
  const column = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw invalide(
        "colonne_absente",
        `${data.file} : colonne « ${name} » absente (colonnes : ${header.join(", ")}).`,
      );
    return i;
  };
  const valueCol = options.valueColumn ? column(options.valueColumn) : -1;
  const isNumber = (s: string) => s !== "" && Number.isFinite(Number(s.replace(",", ".")));
  const dimCols = options.dimensions
    ? options.dimensions.map(column)
    : header
        .map((_, i) => i)
        .filter((i) => i !== valueCol && data.records.some((r) => !isNumber(norm(r[i] ?? ""))));
  if (dimCols.length === 0)
    throw invalide(
      "table_sans_variable",
      `${data.file} : aucune variable de classement (colonne non numérique).`,
    );
  const edges = readHierarchies(hierarchies);
  const total = options.totalCode ?? "Total";
  const variables = dimCols.map((i) => {
    const name = header[i] as string;
    const e = edges.get(name);
    if (e) return buildDimension(name, e);
    const seen = new Set<string>();
    for (const r of data.records) seen.add(norm(r[i] ?? ""));
    return flatDimension(name, [...seen].sort(naturalCompare), total);
  });
  const rows: InnerRow[] = data.records.map((r, k) => {
    const where = `${data.file} ligne ${k + 2}`;
    const codes = dimCols.map((i, v) => {
      const code = norm(r[i] ?? "");
      const dim = variables[v] as Dimension;
      if (!dim.leaves.includes(code))
        throw invalide(
          "code_absent_hierarchie",
          `${where}, colonne « ${dim.name} » : le code « ${code} » n'est pas une modalité élémentaire de « ${dim.name} ».`,
        );
      return code;
    });
    const value = valueCol >= 0 ? parseNumber(r[valueCol], where, header[valueCol] as string) : 1;
    return { codes, value, count: 1, contributions: [value], where };
  });
  const set = buildTableSet(variables, [{ name: "tableau", variables: variables.map((_, i) => i) }], rows, {
    magnitude: valueCol >= 0,
    aggregate: true,
  });
  return { set, markedPrimary: new Set() };
}

function parseNumber(raw: string | undefined, where: string, column: string): number {
  const s = norm(raw ?? "").replace(",", ".");
  const x = s === "" || s === "NA" || s === "-" ? Number.NaN : Number(s);
  if (!Number.isFinite(x)) {
    throw invalide(
      "valeur_invalide",
      `${where}, colonne « ${column} » : nombre attendu, trouvé « ${norm(raw ?? "")} ».`,
    );
  }
  return x;
}

export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "fr", { numeric: true });
}

export interface PatternCell {
  readonly cell: number;
  readonly suppressed: boolean;
  /** Undefined when the pattern does not say which cells are primary. */
  readonly primary?: boolean;
}

/**
 * Reads a suppression pattern: Socle's own (`statut`), sdcTable's
 * (`sdcStatus` u/x/s/z) or GaussSuppression's (`suppressed`, `primary`).
 * Codes are matched to the table's cells; a total may be spelt differently.
 */
export function readPattern(set: TableSet, pattern: CsvInput): PatternCell[] {
  const header = pattern.header.map(norm);
  const find = cellIndex(set);
  const dims = set.variables;
  const cols = dims.map((d) => header.indexOf(d.name));
  const missing = dims.filter((_, i) => (cols[i] as number) < 0).map((d) => d.name);
  if (missing.length > 0) {
    throw invalide("colonne_absente", `${pattern.file} : colonnes absentes : ${missing.join(", ")}.`);
  }
  const iStatut = header.indexOf("statut");
  const iSdc = header.indexOf("sdcStatus");
  const iSupp = header.indexOf("suppressed");
  const iPrim = header.indexOf("primary");
  if (iStatut < 0 && iSdc < 0 && iSupp < 0) {
    throw invalide(
      "colonne_statut_absente",
      `${pattern.file} : colonne de statut absente (statut, sdcStatus ou suppressed attendue).`,
    );
  }
  const out: PatternCell[] = [];
  pattern.records.forEach((r, k) => {
    const where = `${pattern.file} ligne ${k + 2}`;
    const codes = dims.map((d, v) => {
      const raw = norm(r[cols[v] as number] ?? "");
      if (d.leavesOf.has(raw)) return raw;
      if (raw.toLowerCase() === d.total.toLowerCase() || raw.toLowerCase() === "total" || raw === "Tot")
        return d.total;
      const trimmedZeros = raw.replace(/^0+(?=\d)/, "");
      if (d.leavesOf.has(trimmedZeros)) return trimmedZeros;
      throw invalide(
        "code_absent_hierarchie",
        `${where}, colonne « ${d.name} » : le code « ${raw} » est absent du tableau.`,
      );
    });
    const cell = find(0, codes);
    if (cell === undefined) {
      throw invalide("cellule_inconnue", `${where} : cellule (${codes.join(", ")}) absente du tableau.`);
    }
    if (iStatut >= 0) {
      const s = norm(r[iStatut] ?? "").toUpperCase();
      out.push({
        cell,
        suppressed: ["A", "B", "C", "Z", "D"].includes(s),
        primary: ["A", "B", "C", "Z"].includes(s),
      });
    } else if (iSdc >= 0) {
      const s = norm(r[iSdc] ?? "").toLowerCase();
      out.push({ cell, suppressed: s === "u" || s === "x", primary: s === "u" });
    } else {
      const supp = TRUTHY.has(norm(r[iSupp] ?? "").toLowerCase());
      const prim = iPrim >= 0 ? TRUTHY.has(norm(r[iPrim] ?? "").toLowerCase()) : undefined;
      out.push(prim === undefined ? { cell, suppressed: supp } : { cell, suppressed: supp, primary: prim });
    }
  });
  return out;
}
