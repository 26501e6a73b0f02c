/**
 * Comparisons of territories on an indicator: the gap to a reference
 * territory, and the sortable, filterable table of every territory of a
 * level. Secret and missing values have no gap and sort last, whichever
 * the direction.
 */
import { formatValue } from "./classes.js";

/** Lower case, no accents, hyphens and apostrophes as spaces: « Saint-Aubin-des-Prés » ~ « saint aubin des pres ». */
export function normalise(s: string): string {
  return s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[-'’_.,/()]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Gap of a value to its reference, in the indicator's unit (points for a share). */
export function gap(value: number | null, reference: number | null): number | null {
  if (value === null || reference === null || !Number.isFinite(value) || !Number.isFinite(reference))
    return null;
  return value - reference;
}

/**
 * @example formatGap(2.345, "%") // "+2,3 pts"
 */
export function formatGap(g: number | null, unite: string, decimals = 1): string {
  if (g === null) return "—";
  const sign = g > 0 ? "+" : g < 0 ? "−" : "";
  const abs = Math.abs(g);
  if (unite === "%") {
    const s = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: decimals }).format(abs);
    return `${sign}${s} pt${abs >= 2 ? "s" : ""}`;
  }
  return sign + formatValue(abs, unite, decimals);
}

export interface Row {
  code: string;
  nom: string;
  valeur: number | null;
  /** publie, secret (statistical secrecy), absent (no data), fragile (small denominator). */
  statut: string;
  ecart: number | null;
}

export type SortKey = "nom" | "code" | "valeur" | "ecart";

/** Rows sorted by a column; rows without a value stay at the end in both directions. */
export function sortRows<T extends Row>(rows: readonly T[], key: SortKey, descending: boolean): T[] {
  const dir = descending ? -1 : 1;
  const collator = new Intl.Collator("fr", { sensitivity: "base", numeric: true });
  return [...rows].sort((a, b) => {
    if (key === "nom" || key === "code") return dir * collator.compare(a[key], b[key]);
    const x = a[key];
    const y = b[key];
    if (x === null && y === null) return collator.compare(a.nom, b.nom);
    if (x === null) return 1;
    if (y === null) return -1;
    return dir * (x - y) || collator.compare(a.nom, b.nom);
  });
}

/** Rows whose name or code holds every word of the filter (accents and hyphens ignored). */
export function filterRows<T extends Row>(rows: readonly T[], text: string): T[] {
  const words = normalise(text).split(" ").filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const hay = `${normalise(r.nom)} ${r.code.toLowerCase()}`;
    return words.every((w) => hay.includes(w));
  });
}

/** The rank of each published value (1 = highest), for « 3e sur 42 ». */
export function rankOf(rows: readonly Row[], code: string): { rang: number; sur: number } | null {
  const published = rows.filter((r) => r.valeur !== null).sort((a, b) => b.valeur! - a.valeur!);
  const i = published.findIndex((r) => r.code === code);
  return i < 0 ? null : { rang: i + 1, sur: published.length };
}
