/**
 * Partners' aggregated tables as they send them: one row per territory
 * (commune, IRIS, EPCI, département, custom zone such as a Relais Petite
 * Enfance, abroad « 99999 », unknown commune « XXXXX », total), one column
 * per indicator. Each row the provider gives is published as that territory
 * with its own value, never replaced by a sum. Cells the provider blanked
 * are secret at the source: never published, never recomputable.
 *
 * The attacker's equations hold every relation: communes ⊂ EPCI, ⊂
 * département, ⊂ zone, IRIS ⊂ commune. Where the listed rows do not cover a
 * territory, the rest is an unknown « autres communes » leaf, never
 * published. Columns the annex declares additive (total = hommes + femmes =
 * moins de 40 ans + 40 ans et plus) are one variable: its margins are the
 * given columns, its leaves the crossings nobody gave.
 */

import { type FieldValue, readNumber } from "../deposit/fields.js";
import { withoutPrototype } from "../lookup.js";
import { buildDimension, type Dimension, flatDimension, type HierarchyEdge } from "../table/dimension.js";
import { buildTableSet, type InnerRow, type TableSet } from "../table/table.js";
import { type DataHistory, ENSEMBLE, historyTables, TERRITOIRE, VERSION } from "./aggregate.js";

export const ETRANGER = "99999";
export const INCONNUE = "XXXXX";
/** Prefix of the « rest » leaves: what the listed rows leave out of a territory. */
export const RESTE = "R:";
/** Prefix of column crossings nobody gave (« hommes × moins de 40 ans »). */
export const CROISEMENT = "x:";

export type TerritoryRow =
  | { kind: "commune"; code: string }
  | { kind: "iris"; code: string }
  | { kind: "epci"; code: string }
  | { kind: "departement"; code: string }
  | { kind: "zone"; code: string }
  | { kind: "etranger" }
  | { kind: "inconnue" }
  | { kind: "total" };

/** Code of a territory row in the tables (uppers carry a prefix: E, D, Z). */
export function territoryKey(t: TerritoryRow): string {
  switch (t.kind) {
    case "commune":
    case "iris":
      return t.code;
    case "epci":
      return `E${t.code}`;
    case "departement":
      return `D${t.code}`;
    case "zone":
      return `Z${t.code}`;
    case "etranger":
      return ETRANGER;
    case "inconnue":
      return INCONNUE;
    case "total":
      return ENSEMBLE;
  }
}

/**
 * What a territory cell designates when it is a code: commune (5), IRIS (9,
 * starting with a commune code), EPCI (SIREN, 9 digits starting with 2),
 * département (2 or 3), 99999, XXXXX, Total. Names are resolved by the caller.
 */
export function readTerritory(raw: string): TerritoryRow | null {
  const s = raw.trim().toUpperCase().replace(/\.0+$/, "");
  if (s === ETRANGER) return { kind: "etranger" };
  if (/^X{5}$/.test(s) || s === "INCONNUE" || s === "INCONNU") return { kind: "inconnue" };
  if (/^(TOTAL|ENSEMBLE|TOTAL GENERAL|TOTAL GÉNÉRAL)$/.test(s)) return { kind: "total" };
  if (/^2\d{8}$/.test(s)) return { kind: "epci", code: s };
  if (/^(\d{2}|2A|2B)\d{7}$/.test(s)) return { kind: "iris", code: s };
  let c = s;
  if (/^\d{4}$/.test(c)) c = `0${c}`;
  if (/^(\d{2}|2A|2B)\d{3}$/.test(c)) return { kind: "commune", code: c };
  if (/^(\d{1,2}|2A|2B|97\d)$/.test(s)) return { kind: "departement", code: s.padStart(2, "0") };
  return null;
}

/** A provider's blank: the cell is secret at the source. */
export function isBlanked(raw: string): boolean {
  return /^(|s|secret|nd|n\.d\.|c|\*|-)$/i.test(raw.trim());
}

export interface AggregatedRow {
  territoire: TerritoryRow;
  /** Indicator → value; null when blanked by the provider. */
  valeurs: Record<string, number | null>;
}

export function readIndicator(raw: string): { ok: true; value: number | null } | { ok: false } {
  if (isBlanked(raw)) return { ok: true, value: null };
  const n = readNumber(raw);
  return n !== null && Number.isInteger(n) && n >= 0 ? { ok: true, value: n } : { ok: false };
}

/** A rate, share, mean or amount: decimal comma, « % » and « € » accepted. */
export function readRate(raw: string): { ok: true; value: number | null } | { ok: false } {
  if (isBlanked(raw)) return { ok: true, value: null };
  const n = readNumber(raw.replace(/[%€\s\u00a0\u202f]/g, ""));
  return n !== null && Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
}

export const TERRITORY_LABELS: Readonly<Record<string, string>> = withoutPrototype({
  [ETRANGER]: "Étranger",
  [INCONNUE]: "Commune inconnue",
});

/** How columns add up: `total` = Σ `parties`, one partition per entry. */
export interface ColumnSum {
  total: string;
  parties: readonly string[];
}

/** A set of columns linked by declared sums, protected as one table. */
export interface ColumnGroup {
  name: string;
  /** Columns the provider gives, margins and leaves of `dimension`. */
  columns: readonly string[];
  dimension: Dimension;
}

export const COLONNE = "colonne";

/**
 * Groups the count columns by the sums the annex declares. A total with one
 * partition has its parts as leaves; with several (by sex and by age), the
 * leaves are their crossings, which nobody gave.
 */
export function columnGroups(columns: readonly string[], sums: readonly ColumnSum[]): ColumnGroup[] {
  const groups: ColumnGroup[] = [];
  const used = new Set<string>();
  const byTotal = new Map<string, ColumnSum[]>();
  for (const s of sums) {
    if (!columns.includes(s.total) || s.parties.some((p) => !columns.includes(p))) continue;
    byTotal.set(s.total, [...(byTotal.get(s.total) ?? []), s]);
  }
  for (const [total, partitions] of byTotal) {
    const edges: HierarchyEdge[] = [];
    if (partitions.length === 1) {
      for (const p of (partitions[0] as ColumnSum).parties) edges.push({ parent: total, child: p });
    } else {
      // Leaves: one crossing per combination of parts, one part per partition.
      let crossings: string[][] = [[]];
      for (const part of partitions) crossings = crossings.flatMap((c) => part.parties.map((p) => [...c, p]));
      partitions.forEach((part, g) => {
        for (const p of part.parties) edges.push({ parent: total, child: p, grouping: `g${g}` });
        for (const c of crossings)
          edges.push({ parent: c[g] as string, child: `${CROISEMENT}${c.join("×")}`, grouping: `g${g}` });
      });
    }
    const cols = [total, ...partitions.flatMap((p) => p.parties)];
    for (const c of cols) used.add(c);
    groups.push({ name: total, columns: [...new Set(cols)], dimension: buildDimension(COLONNE, edges) });
  }
  for (const c of columns)
    if (!used.has(c))
      groups.push({
        name: c,
        columns: [c],
        dimension: buildDimension(COLONNE, [{ parent: c, child: `${CROISEMENT}${c}` }]),
      });
  return groups;
}

/** EPCI, département or zone row (not the whole, whose code also starts with E). */
export const isUpperKey = (k: string) => k !== ENSEMBLE && /^[EDZ]/.test(k);

/** Territories above the listed rows, with the communes they hold (from the COG and the zones). */
export type Memberships = ReadonlyMap<string, ReadonlySet<string>>;

export interface AggregatedTable {
  group: ColumnGroup;
  set: TableSet;
  /** Cells given by the provider: (territory key, column) → value, null when blanked. */
  given: ReadonlyMap<string, number | null>;
  /** Leaves nobody gave (« autres communes », crossings of columns): never published. */
  unknownLeaves: ReadonlySet<string>;
}

const givenKey = (territory: string, column: string) => `${territory}\u0000${column}`;

/** Commune of a leaf territory (an IRIS belongs to the commune its code starts with). */
const communeOf = (key: string) => (/^(\d{2}|2A|2B)\d{7}$/.test(key) ? key.slice(0, 5) : key);

/**
 * The territory variable: every listed leaf (communes without IRIS rows,
 * IRIS, abroad, unknown), one « rest » leaf per pattern of membership of the
 * communes no row lists, each given commune with IRIS rows above its IRIS,
 * and one grouping per upper territory (EPCI, département, zone), all under
 * the whole.
 */
export function territoryOfRows(rows: readonly AggregatedRow[], members: Memberships): Dimension {
  const keys = rows.map((r) => territoryKey(r.territoire));
  const uppers = [...new Set(keys.filter(isUpperKey))];
  const irisKeys = keys.filter((k) => /^(\d{2}|2A|2B)\d{7}$/.test(k));
  const communeKeys = keys.filter((k) => /^(\d{2}|2A|2B)\d{3}$/.test(k));
  const withIris = new Set(irisKeys.map(communeOf));
  const leaves: string[] = [
    ...communeKeys.filter((c) => !withIris.has(c)),
    ...irisKeys,
    ...keys.filter((k) => k === ETRANGER || k === INCONNUE),
  ];
  // A commune given with some IRIS rows: the IRIS not listed are its rest.
  const communeNodes = new Map<string, string[]>();
  for (const i of irisKeys) communeNodes.set(communeOf(i), [...(communeNodes.get(communeOf(i)) ?? []), i]);
  for (const c of communeNodes.keys()) {
    const rest = `${RESTE}${c}`;
    (communeNodes.get(c) as string[]).push(rest);
    leaves.push(rest);
  }
  // Communes of the uppers that no row lists, by the uppers holding them.
  const listed = new Set([...communeKeys, ...irisKeys.map(communeOf)]);
  const pattern = new Map<string, string[]>();
  for (const u of uppers)
    for (const c of members.get(u) ?? []) if (!listed.has(c)) pattern.set(c, [...(pattern.get(c) ?? []), u]);
  const restOf = new Map<string, string>();
  for (const us of pattern.values()) {
    const code = `${RESTE}${us.join("+")}`;
    restOf.set(code, us.join("+"));
  }
  for (const r of restOf.keys()) leaves.push(r);
  const inUpper = (leaf: string, u: string): boolean => {
    if (leaf.startsWith(RESTE)) {
      const body = leaf.slice(RESTE.length);
      if (/^(\d{2}|2A|2B)\d{3}$/.test(body)) return members.get(u)?.has(body) ?? false;
      return body.split("+").includes(u);
    }
    if (leaf === ETRANGER || leaf === INCONNUE) return false;
    return members.get(u)?.has(communeOf(leaf)) ?? false;
  };
  const top = (leaf: string) => {
    const c = communeOf(
      leaf.startsWith(RESTE) && communeNodes.has(leaf.slice(RESTE.length)) ? leaf.slice(RESTE.length) : leaf,
    );
    return communeNodes.has(c) ? c : leaf;
  };
  const edges: HierarchyEdge[] = [];
  const groupings = uppers.length === 0 ? [""] : uppers;
  for (const g of groupings) {
    const seen = new Set<string>();
    for (const leaf of leaves) {
      const node = top(leaf);
      if (node !== leaf) edges.push({ parent: node, child: leaf, grouping: g });
      if (seen.has(node)) continue;
      seen.add(node);
      const parent = g !== "" && inUpper(leaf, g) ? g : ENSEMBLE;
      edges.push({ parent, child: node, grouping: g });
    }
    if (g !== "") edges.push({ parent: ENSEMBLE, child: g, grouping: g });
  }
  return buildDimension(TERRITOIRE, edges);
}

/**
 * Values of the inner cells that agree with every value the provider gave
 * (blanks between 1 and k−1 when possible): the attacker's unknowns need a
 * consistent point; only published cells' values ever leave Socle.
 */
export type Completion = (problem: {
  numVars: number;
  /** Each constraint: the inner cells it sums, and its bounds. */
  rows: readonly { vars: readonly number[]; lower: number; upper: number }[];
}) => Float64Array | null;

/**
 * One count table per column group: territory × columns, the provider's
 * values at every cell it gave, consistent values elsewhere. With earlier
 * versions of the table (a corrected file after a release), each version's
 * values are matched unit by unit per inner cell (unit j is held by every
 * version with more than j), so the tables of every version and the hidden
 * tables of what changed share the attacker's unknowns (see `DataHistory`).
 */
export function aggregatedTables(
  rows: readonly AggregatedRow[],
  columns: readonly string[],
  sums: readonly ColumnSum[],
  members: Memberships,
  threshold: number,
  complete: Completion,
  earlier: readonly (readonly AggregatedRow[])[] = [],
  labels: readonly string[] = [],
): AggregatedTable[] {
  const versions = [...earlier, rows];
  const territory = territoryOfRows(versions.flat(), members);
  return columnGroups(columns, sums).map((group) => {
    const givenOf = (rs: readonly AggregatedRow[]) => {
      const given = new Map<string, number | null>();
      for (const r of rs)
        for (const c of group.columns)
          if (c in r.valeurs) given.set(givenKey(territoryKey(r.territoire), c), r.valeurs[c] ?? null);
      return given;
    };
    const tLeaves = territory.leaves;
    const cLeaves = group.dimension.leaves;
    const innerIndex = (t: number, c: number) => t * cLeaves.length + c;
    const tIdx = new Map(tLeaves.map((l, i) => [l, i]));
    const cIdx = new Map(cLeaves.map((l, i) => [l, i]));
    const support = (tCode: string, cCode: string) => {
      const out: number[] = [];
      for (const tl of territory.leavesOf.get(tCode) ?? [])
        for (const cl of group.dimension.leavesOf.get(cCode) ?? [])
          out.push(innerIndex(tIdx.get(tl) as number, cIdx.get(cl) as number));
      return out;
    };
    const numVars = tLeaves.length * cLeaves.length;
    const completed = versions.map((rs) => {
      const constraints: { vars: number[]; lower: number; upper: number }[] = [];
      for (const [key, v] of givenOf(rs)) {
        const [t, c] = key.split("\u0000") as [string, string];
        const vars = support(t, c);
        if (v === null) constraints.push({ vars, lower: 1, upper: Math.max(1, threshold - 1) });
        else constraints.push({ vars, lower: v, upper: v });
      }
      // A blank the provider made as a secondary can hold more than k−1.
      const x =
        complete({ numVars, rows: constraints }) ??
        complete({
          numVars,
          rows: constraints.map((r) =>
            r.lower === r.upper ? r : { ...r, lower: 0, upper: Number.POSITIVE_INFINITY },
          ),
        });
      if (!x) throw new RangeError("valeurs incohérentes");
      return x;
    });
    const inner: InnerRow[] = [];
    const segments = new Set<string>();
    const last = versions.length - 1;
    tLeaves.forEach((tl, ti) => {
      cLeaves.forEach((cl, ci) => {
        const values = completed.map((x) => Math.round(x[innerIndex(ti, ci)] as number));
        if (versions.length === 1) {
          if ((values[0] as number) > 0) inner.push({ codes: [tl, cl], value: values[0] as number });
          return;
        }
        // Units 0..max−1 of this cell: unit j is held by the versions with more than j.
        const steps = [...new Set(values)].filter((v) => v > 0).sort((a, b) => a - b);
        let from = 0;
        for (const to of steps) {
          const held = values.flatMap((v, k) => (v > from ? [k] : []));
          const segment = held.join(".");
          segments.add(segment);
          inner.push({ codes: [tl, cl, segment], value: to - from });
          from = to;
        }
      });
    });
    const all = versions.map((_, k) => k).join(".");
    if (inner.length === 0)
      inner.push({
        codes: [tLeaves[0] as string, cLeaves[0] as string, ...(last > 0 ? [all] : [])],
        value: 0,
      });
    if (last > 0) segments.add(all);
    const base = [{ name: group.name, variables: [0, 1] }];
    const history: DataHistory | undefined =
      last > 0
        ? {
            versions: versions.map((_, k) => ({
              label: labels[k] ?? `version ${k + 1}`,
              segments: [...segments].filter((sg) => sg.split(".").includes(String(k))),
              role: k === last ? ("published" as const) : ("earlier" as const),
            })),
            changes: [...segments].filter((sg) => sg.split(".").length < versions.length),
          }
        : undefined;
    const dims = history
      ? [territory, group.dimension, flatDimension(VERSION, [...segments].sort(), "Toutes")]
      : [territory, group.dimension];
    const set = buildTableSet(dims, history ? historyTables(base, history, 2) : base, inner, {
      aggregate: true,
    });
    const unknownLeaves = new Set([
      ...tLeaves.filter((l) => l.startsWith(RESTE)),
      ...cLeaves.filter((l) => l.startsWith(CROISEMENT)),
    ]);
    return { group, set, given: givenOf(rows), unknownLeaves };
  });
}

/** Was this cell given by the provider? Its value when given, null when blanked, undefined otherwise. */
export function givenValue(t: AggregatedTable, territory: string, column: string): number | null | undefined {
  return t.given.get(givenKey(territory, column));
}

export type { FieldValue };
