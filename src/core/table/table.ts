/**
 * Statistical tables as the secrecy engine and its attacker see them.
 *
 * A `TableSet` holds one or more linked tables released from the same data.
 * Its inner space is the full cross-classification of the leaves of every
 * variable; each published cell (inner cells and every margin of every table)
 * is the sum of the inner cells under its codes. That single representation
 * carries all additivity equations of all linked tables, including several
 * groupings of one variable and earlier releases of the same data.
 */
import { invalide } from "../errors.js";
import type { Dimension } from "./dimension.js";

/**
 * What a table is to the attacker:
 * - `published` (default): a table of the release being protected;
 * - `earlier`: a table some earlier release published (on the data as they
 *   were then): its cells keep the status they had, none is published anew;
 * - `hidden`: part of no output, only there to carry sensitive cells (the
 *   people added or removed between two versions of the data).
 */
export type TableRole = "published" | "earlier" | "hidden";

export interface TableSpec {
  readonly name: string;
  /** Indices into `TableSet.variables`. */
  readonly variables: readonly number[];
  readonly role?: TableRole;
  /**
   * Variables outside the table taken on a subset of their leaves instead of
   * all of them (a version of the data: the segments of rows it holds).
   */
  readonly restrict?: readonly { readonly variable: number; readonly leaves: readonly string[] }[];
}

export const tableRole = (spec: TableSpec): TableRole => spec.role ?? "published";

export interface InnerData {
  /** Value of each inner cell: a count, or a magnitude (sum of an amount). */
  readonly values: Float64Array;
  /** Number of units in each inner cell (equals `values` for count tables). */
  readonly counts: Float64Array;
  /** Largest contributions of each inner cell, descending (magnitude tables only). */
  readonly top?: readonly (readonly number[])[];
}

export interface Cell {
  readonly table: number;
  /** One code per variable of its table, in the table's variable order. */
  readonly codes: readonly string[];
  readonly value: number;
  readonly count: number;
  /** True when the cell is a leaf in every variable of the whole set. */
  readonly inner: boolean;
  /** Distance from the inner level summed over variables: 0 for inner cells. */
  readonly level: number;
}

export interface TableSet {
  readonly variables: readonly Dimension[];
  readonly tables: readonly TableSpec[];
  readonly magnitude: boolean;
  readonly innerCount: number;
  readonly inner: InnerData;
  readonly cells: readonly Cell[];
  /** CSR: the inner cells under cell c are supportIdx[supportStart[c] .. supportStart[c+1]). */
  readonly supportStart: Int32Array;
  readonly supportIdx: Int32Array;
}

export function cellSupport(set: TableSet, c: number): Int32Array {
  return set.supportIdx.subarray(set.supportStart[c], set.supportStart[c + 1]);
}

/** Human-readable name of a cell for messages: "region=A × gender=female". */
export function cellLabel(set: TableSet, c: number): string {
  const cell = set.cells[c] as Cell;
  const spec = set.tables[cell.table] as TableSpec;
  const parts = spec.variables.map((v, i) => `${(set.variables[v] as Dimension).name}=${cell.codes[i]}`);
  return (set.tables.length > 1 ? `${spec.name} : ` : "") + parts.join(" × ");
}

export interface InnerRow {
  /** One leaf code per variable of the set. */
  readonly codes: readonly string[];
  readonly value: number;
  /** Units in the cell; defaults to `value`. */
  readonly count?: number;
  /** Individual contributions, for dominance rules on magnitudes. */
  readonly contributions?: readonly number[];
  /** Where the row came from, for error messages (e.g. "inner.csv ligne 12"). */
  readonly where?: string;
}

const TOP_KEPT = 4;

/**
 * Builds a set of linked tables over the inner rows. Rows may repeat an inner
 * cell only when `aggregate` is set (microdata); otherwise a repeated cell is
 * an error. Missing inner cells are zeros.
 */
export function buildTableSet(
  variables: readonly Dimension[],
  tables: readonly TableSpec[],
  rows: readonly InnerRow[],
  options: { magnitude?: boolean; aggregate?: boolean } = {},
): TableSet {
  if (variables.length === 0) throw invalide("table_vide", "Le tableau n'a aucune variable.");
  if (rows.length === 0)
    throw invalide("table_vide", "Le tableau est vide : aucune cellule n'a été fournie.");
  const magnitude = options.magnitude ?? false;
  // Mixed-radix index of inner cells.
  const leafIndex = variables.map((d) => new Map(d.leaves.map((l, i) => [l, i])));
  const radix = variables.map((d) => d.leaves.length);
  let innerCount = 1;
  for (const r of radix) innerCount *= r;
  if (innerCount > 5_000_000) {
    throw invalide("table_trop_grande", `Le tableau croisé compterait ${innerCount} cellules élémentaires.`);
  }
  const values = new Float64Array(innerCount);
  const counts = new Float64Array(innerCount);
  const filled = new Uint8Array(innerCount);
  const contributions: number[][] | undefined = magnitude ? [] : undefined;

  for (const row of rows) {
    const where = row.where ? `${row.where} : ` : "";
    let idx = 0;
    for (let v = 0; v < variables.length; v++) {
      const code = row.codes[v] ?? "";
      const i = (leafIndex[v] as Map<string, number>).get(code);
      if (i === undefined) {
        const dim = variables[v] as Dimension;
        const isMargin = dim.leavesOf.has(code);
        throw invalide(
          isMargin ? "cellule_non_elementaire" : "code_absent_hierarchie",
          isMargin
            ? `${where}la cellule ${describe(variables, row.codes)} porte le code agrégé « ${code} » ; seules les cellules élémentaires sont attendues ici.`
            : `${where}le code « ${code} » de la variable « ${dim.name} » est absent de sa hiérarchie (cellule ${describe(variables, row.codes)}).`,
        );
      }
      idx = idx * (radix[v] as number) + i;
    }
    const count = row.count ?? row.value;
    if (!Number.isFinite(row.value) || !Number.isFinite(count)) {
      throw invalide(
        "valeur_invalide",
        `${where}la cellule ${describe(variables, row.codes)} a une valeur non numérique.`,
      );
    }
    if (count < 0 || (!magnitude && row.value < 0)) {
      throw invalide(
        "effectif_negatif",
        `${where}la cellule ${describe(variables, row.codes)} a un effectif négatif (${count < 0 ? count : row.value}).`,
      );
    }
    if (filled[idx] && !options.aggregate) {
      throw invalide(
        "cellule_en_double",
        `${where}la cellule ${describe(variables, row.codes)} apparaît deux fois.`,
      );
    }
    filled[idx] = 1;
    values[idx] = (values[idx] as number) + row.value;
    counts[idx] = (counts[idx] as number) + count;
    if (contributions) {
      let list = contributions[idx];
      if (!list) {
        list = [];
        contributions[idx] = list;
      }
      for (const c of row.contributions ?? [row.value]) list.push(c);
    }
  }
  let top: number[][] | undefined;
  if (contributions) {
    top = new Array(innerCount);
    for (let i = 0; i < innerCount; i++) {
      const list = contributions[i] ?? [];
      list.sort((a, b) => b - a);
      top[i] = list.slice(0, TOP_KEPT);
    }
  }
  const inner: InnerData = top ? { values, counts, top } : { values, counts };
  return assemble(variables, tables, inner, magnitude, innerCount, radix);
}

function describe(variables: readonly Dimension[], codes: readonly string[]): string {
  return `(${variables.map((d, i) => `${d.name}=${codes[i] ?? "?"}`).join(", ")})`;
}

function assemble(
  variables: readonly Dimension[],
  tables: readonly TableSpec[],
  inner: InnerData,
  magnitude: boolean,
  innerCount: number,
  radix: readonly number[],
): TableSet {
  // For each variable and leaf: codes containing it (itself, parents of every grouping, total).
  const ancestors = variables.map((d) => {
    const perLeaf = new Map<string, string[]>(d.leaves.map((l) => [l, []]));
    for (const code of d.codes) {
      for (const leaf of d.leavesOf.get(code) ?? []) perLeaf.get(leaf)?.push(code);
    }
    return d.leaves.map((l) => perLeaf.get(l) as string[]);
  });
  const codeIndex = variables.map((d) => new Map(d.codes.map((c, i) => [c, i])));

  const cells: Cell[] = [];
  const tableOffset: number[] = [];
  for (let t = 0; t < tables.length; t++) {
    const spec = tables[t] as TableSpec;
    tableOffset.push(cells.length);
    const dims = spec.variables.map((v) => variables[v] as Dimension);
    const codes = dims.map(() => "");
    const rec = (k: number, level: number) => {
      if (k === dims.length) {
        cells.push({ table: t, codes: [...codes], value: 0, count: 0, inner: false, level });
        return;
      }
      const d = dims[k] as Dimension;
      const maxDepth = Math.max(...d.leaves.map((l) => d.depth.get(l) ?? 0));
      for (const c of d.codes) {
        codes[k] = c;
        const isLeaf = (d.leavesOf.get(c)?.length ?? 0) === 1 && d.leavesOf.get(c)?.[0] === c;
        rec(k + 1, level + (isLeaf ? 0 : Math.max(1, maxDepth - (d.depth.get(c) ?? 0))));
      }
    };
    rec(0, 0);
  }

  const restrictions = tables.map((spec) =>
    (spec.restrict ?? []).map((r) => {
      const d = variables[r.variable];
      if (!d || spec.variables.includes(r.variable))
        throw invalide(
          "restriction_invalide",
          `Tableau « ${spec.name} » : restriction sur une variable invalide.`,
        );
      const allowed = new Uint8Array(d.leaves.length);
      const wanted = new Set(r.leaves);
      d.leaves.forEach((l, i) => {
        if (wanted.has(l)) allowed[i] = 1;
      });
      return { variable: r.variable, allowed };
    }),
  );
  const inRestriction = (t: number, codes: readonly number[]) =>
    (restrictions[t] ?? []).every((r) => r.allowed[codes[r.variable] as number] === 1);

  // Support lists: each inner cell adds itself to every cell above it, table by table.
  const lists: number[][] = cells.map(() => []);
  const innerCodes = new Array<number>(variables.length).fill(0);
  for (let i = 0; i < innerCount; i++) {
    let rest = i;
    for (let v = variables.length - 1; v >= 0; v--) {
      const r = radix[v] as number;
      innerCodes[v] = rest % r;
      rest = Math.floor(rest / r);
    }
    for (let t = 0; t < tables.length; t++) {
      if (!inRestriction(t, innerCodes)) continue;
      const spec = tables[t] as TableSpec;
      const vars = spec.variables;
      // Enumerate the product of ancestor codes over the table's variables.
      const lists0 = vars.map((v) => (ancestors[v] as string[][])[innerCodes[v] as number] as string[]);
      const strides: number[] = [];
      let s = 1;
      for (let k = vars.length - 1; k >= 0; k--) {
        strides[k] = s;
        s *= (variables[vars[k] as number] as Dimension).codes.length;
      }
      const enumerate = (k: number, offset: number) => {
        if (k === vars.length) {
          (lists[(tableOffset[t] as number) + offset] as number[]).push(i);
          return;
        }
        const idx = codeIndex[vars[k] as number] as Map<string, number>;
        for (const code of lists0[k] as string[]) {
          enumerate(k + 1, offset + (idx.get(code) as number) * (strides[k] as number));
        }
      };
      enumerate(0, 0);
    }
  }
  const supportStart = new Int32Array(cells.length + 1);
  let nnz = 0;
  for (let c = 0; c < cells.length; c++) {
    supportStart[c] = nnz;
    nnz += (lists[c] as number[]).length;
  }
  supportStart[cells.length] = nnz;
  const supportIdx = new Int32Array(nnz);
  const allVars = variables.length;
  for (let c = 0; c < cells.length; c++) {
    const list = lists[c] as number[];
    supportIdx.set(list, supportStart[c] as number);
    let value = 0;
    let count = 0;
    for (const i of list) {
      value += inner.values[i] as number;
      count += inner.counts[i] as number;
    }
    const cell = cells[c] as Cell;
    const spec = tables[cell.table] as TableSpec;
    const isInner =
      spec.variables.length === allVars && cell.level === 0 && list.length === 1 && innerCount > 0;
    cells[c] = { ...cell, value: round(value), count: round(count), inner: isInner };
  }
  return {
    variables,
    tables,
    magnitude,
    innerCount,
    inner,
    cells,
    supportStart,
    supportIdx,
  };
}

/** Sums of decimal amounts accumulate binary noise; keep 9 significant decimals. */
function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** A single table over all its variables: the usual case. */
export function singleTable(variables: readonly Dimension[], rows: readonly InnerRow[], name = "tableau") {
  return buildTableSet(variables, [{ name, variables: variables.map((_, i) => i) }], rows);
}

/** Index of a cell by table and codes. */
export function cellIndex(set: TableSet): (table: number, codes: readonly string[]) => number | undefined {
  const map = new Map<string, number>();
  set.cells.forEach((c, i) => {
    map.set(`${c.table}\u0001${c.codes.join("\u0000")}`, i);
  });
  return (table, codes) => map.get(`${table}\u0001${codes.join("\u0000")}`);
}

/**
 * Checks margins given by a provider against the sums of their inner cells;
 * a non-additive total is named with its expected and given values.
 */
export function checkAdditivity(
  set: TableSet,
  given: readonly { table: number; codes: readonly string[]; value: number; where?: string }[],
  tolerance = 1e-6,
): void {
  const find = cellIndex(set);
  for (const g of given) {
    const c = find(g.table, g.codes);
    const spec = set.tables[g.table] as TableSpec;
    const label = `(${spec.variables.map((v, i) => `${(set.variables[v] as Dimension).name}=${g.codes[i]}`).join(", ")})`;
    if (c === undefined) {
      throw invalide(
        "code_absent_hierarchie",
        `${g.where ? `${g.where} : ` : ""}la cellule ${label} ne correspond à aucune cellule du tableau.`,
      );
    }
    const expected = (set.cells[c] as Cell).value;
    if (Math.abs(expected - g.value) > tolerance * Math.max(1, Math.abs(expected))) {
      throw invalide(
        "total_non_additif",
        `${g.where ? `${g.where} : ` : ""}le total ${label} vaut ${g.value} alors que la somme de ses cellules vaut ${expected}.`,
      );
    }
  }
}
