/**
 * Partners' aggregated tables (counts by commune: the Aix annexes FSL/FAJ,
 * ASH/PCH, ASE; CAF files): one row per territory, one column per
 * indicator. Special rows: « 99999 » (abroad), « XXXXX » (unknown commune),
 * a total row. Cells the provider blanked are secret at the source: they are
 * never published, and the release must not let them be recomputed.
 */
import { type FieldValue, readNumber } from "../deposit/fields.js";
import { buildDimension, type HierarchyEdge } from "../table/dimension.js";
import { buildTableSet, type InnerRow, type TableSet } from "../table/table.js";
import { ENSEMBLE, TERRITOIRE } from "./aggregate.js";

export const ETRANGER = "99999";
export const INCONNUE = "XXXXX";

export type TerritoryRow =
  | { kind: "commune"; code: string }
  | { kind: "etranger" }
  | { kind: "inconnue" }
  | { kind: "total" };

/** What a territory cell of a partner's aggregated file designates. */
export function readTerritory(raw: string): TerritoryRow | null {
  const s = raw.trim().toUpperCase().replace(/\.0+$/, "");
  if (s === ETRANGER) return { kind: "etranger" };
  if (/^X{5}$/.test(s) || s === "INCONNUE" || s === "INCONNU") return { kind: "inconnue" };
  if (/^(TOTAL|ENSEMBLE|TOTAL GENERAL|TOTAL GÉNÉRAL)$/.test(s)) return { kind: "total" };
  let c = s;
  if (/^\d{4}$/.test(c)) c = `0${c}`;
  if (/^(\d{2}|2A|2B)\d{3}$/.test(c)) return { kind: "commune", code: c };
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

export const TERRITORY_LABELS: Readonly<Record<string, string>> = {
  [ETRANGER]: "Étranger",
  [INCONNUE]: "Commune inconnue",
};

export interface IndicatorTable {
  indicateur: string;
  set: TableSet;
  /** Cells the provider blanked (kept secret: manual primary). */
  masquees: string[];
  /** The whole cannot be known (blanks and no total from the provider): never published. */
  ensembleInconnu: boolean;
}

/**
 * One count table per indicator: communes (and abroad, unknown) under the
 * whole. A blanked cell gets a value consistent with the provider's total
 * (split evenly when there are several; k−1 each without a total) so the
 * attacker's equations hold; its value never leaves Socle.
 */
export function indicatorTables(
  rows: readonly AggregatedRow[],
  indicateurs: readonly string[],
  threshold: number,
): IndicatorTable[] {
  const places = rows.filter((r) => r.territoire.kind !== "total");
  const total = rows.find((r) => r.territoire.kind === "total");
  const codeOf = (t: TerritoryRow) =>
    t.kind === "commune" ? t.code : t.kind === "etranger" ? ETRANGER : INCONNUE;
  const leaves = [...new Set(places.map((r) => codeOf(r.territoire)))];
  const edges: HierarchyEdge[] = leaves.map((c) => ({ parent: ENSEMBLE, child: c }));
  const dim = buildDimension(TERRITOIRE, edges);
  return indicateurs.map((ind) => {
    const known = places.filter((r) => r.valeurs[ind] !== null && r.valeurs[ind] !== undefined);
    const blanks = places.filter((r) => r.valeurs[ind] === null || r.valeurs[ind] === undefined);
    const given = total?.valeurs[ind];
    const sumKnown = known.reduce((s, r) => s + (r.valeurs[ind] as number), 0);
    const remainder = typeof given === "number" ? Math.max(0, given - sumKnown) : null;
    const share = (k: number) => {
      if (remainder === null) return Math.max(1, threshold - 1);
      const base = Math.floor(remainder / blanks.length);
      return k === blanks.length - 1 ? remainder - base * (blanks.length - 1) : base;
    };
    const inner: InnerRow[] = [
      ...known.map((r) => ({ codes: [codeOf(r.territoire)], value: r.valeurs[ind] as number })),
      ...blanks.map((r, k) => ({ codes: [codeOf(r.territoire)], value: share(k) })),
    ];
    const set = buildTableSet([dim], [{ name: ind, variables: [0] }], inner, { aggregate: true });
    return {
      indicateur: ind,
      set,
      masquees: blanks.map((r) => codeOf(r.territoire)),
      ensembleInconnu: blanks.length > 0 && remainder === null,
    };
  });
}

export type { FieldValue };
