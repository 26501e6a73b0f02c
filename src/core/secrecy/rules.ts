/**
 * Secrecy rules of a convention and the statuses they give to cells.
 *
 * Status letters follow τ-Argus / rtauargus usage: A primary by frequency,
 * B primary by dominance (n,k) or p %, C primary set by hand, Z primary by
 * the zone rule (territory under its population minimum), D secondary,
 * V published, F published because forced, E empty (published zero of a
 * magnitude table, no contributor), H outside every output (a cell of a
 * hidden table, or one no earlier release published: the attacker's unknown).
 */

export type Status = "A" | "B" | "C" | "Z" | "D" | "V" | "F" | "E" | "H";

export const STATUS_LABEL_FR: Readonly<Record<Status, string>> = {
  A: "secret primaire : fréquence",
  B: "secret primaire : dominance",
  C: "secret primaire : manuel",
  Z: "secret primaire : zone trop peu peuplée",
  D: "secret secondaire",
  V: "publiée",
  F: "publication forcée",
  E: "vide",
  H: "hors diffusion",
};

export const isPrimary = (s: Status) => s === "A" || s === "B" || s === "C" || s === "Z";
export const isSuppressed = (s: Status) => isPrimary(s) || s === "D" || s === "H";

/** How far apart the attacker's bounds on a primary cell must stay. */
export type Protection =
  | { readonly kind: "absolute"; readonly width: number }
  | { readonly kind: "relative"; readonly ratio: number; readonly minimum?: number };

/** What the attacker must not learn. "full" is 3a–3c; "exact" is 3a only. */
export type Standard = "full" | "exact";

export interface ZoneRule {
  /** Name of the geographic variable the rule applies to. */
  readonly variable: string;
  /** Territories under this population are never shown (100 by default). */
  readonly minimum: number;
  /** Population of each code of that variable (habitants or allocataires per convention). */
  readonly population: ReadonlyMap<string, number>;
}

export interface SecrecyRules {
  /** Cells of 1..threshold−1 units are sensitive (5 for CAF/CD data, 11 for DGFiP). */
  readonly threshold: number;
  /** Zeros are sensitive too. */
  readonly protectZeros?: boolean;
  readonly zone?: ZoneRule;
  /** (n,k) dominance: the n largest contributors make more than k % of the cell. */
  readonly dominance?: { readonly n: number; readonly k: number };
  /** p % rule: the cell minus its two largest contributions is under p % of the largest. */
  readonly pPercent?: { readonly p: number };
  /** Cells declared sensitive by hand, as "table|code×code…" keys (see `cellKey`). */
  readonly manual?: ReadonlySet<string>;
  /** Cells whose publication is forced (never suppressed). */
  readonly forced?: ReadonlySet<string>;
  /** Protection range of primaries in the full standard; default: width = threshold. */
  readonly protection?: Protection;
  readonly standard?: Standard;
}

export function cellKey(table: number, codes: readonly string[]): string {
  return `${table}|${codes.join("×")}`;
}

/** Required width of the attacker's interval on a primary cell of this value. */
export function requiredWidth(rules: SecrecyRules, value: number): number {
  const p = rules.protection ?? { kind: "absolute", width: rules.threshold };
  if (p.kind === "absolute") return p.width;
  return Math.max(p.minimum ?? 0, p.ratio * Math.abs(value));
}
