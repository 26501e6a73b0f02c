/**
 * Secrecy of derived figures. An indicator is computed only from cells a
 * reader may see (the reader view of releases: a secret cell is « s »,
 * without a value) and from INSEE referential figures:
 * - a sum or a difference of cells is known only when every cell in it is
 *   published: one secret part makes it secret (a complement 1 − p whose
 *   complement cell is secret, numerators summed over territories one of
 *   which is secret, would give a secret part back);
 * - a ratio whose numerator or denominator is secret is secret;
 * - a ratio on a denominator under `SEUIL_FRAGILE` is published but flagged
 *   « fragile »;
 * - a missing cell (no release holds it) makes the figure « manquant ».
 * So every published indicator value is a function of published cells only:
 * it tells an attacker nothing the published tables did not
 * (test: attack.test.ts feeds the values to the LP attacker).
 */
import type { Formule, Operande, TranchePopulation } from "./model.js";

/** A rate on a denominator under this is published with the status « fragile ». */
export const SEUIL_FRAGILE = 100;

/** What a reader may know of one cell or figure. */
export type Lecture = { statut: "publie"; valeur: number } | { statut: "secret" } | { statut: "manquant" };

export type StatutValeur = "publie" | "secret" | "manquant" | "fragile";

export interface ValeurIndicateur {
  /** null unless `statut` is « publie » or « fragile ». */
  valeur: number | null;
  statut: StatutValeur;
  /** The numerator when it is published (a count, or the provider's rate). */
  numerateur: number | null;
  /** The denominator when it is published. */
  denominateur: number | null;
}

/** One cell a formula reads, for one territory. */
export type Atome =
  | { kind: "colonne"; jeux: readonly string[]; colonne: string }
  | { kind: "effectif"; jeux: readonly string[]; variable?: string; modalite?: string }
  | { kind: "taux_publie"; jeux: readonly string[]; colonne: string }
  | { kind: "population"; tranche: TranchePopulation };

/** An operand as signed cells: `difference` gives its `moins` part a minus sign. */
export function atomes(o: Operande): { signe: 1 | -1; atome: Atome }[] {
  switch (o.kind) {
    case "colonnes":
      return o.colonnes.map((colonne) => ({ signe: 1, atome: { kind: "colonne", jeux: o.jeux, colonne } }));
    case "effectif":
      if (!o.variable || !o.modalites) return [{ signe: 1, atome: { kind: "effectif", jeux: o.jeux } }];
      return o.modalites.map((modalite) => ({
        signe: 1,
        atome: { kind: "effectif", jeux: o.jeux, variable: o.variable as string, modalite },
      }));
    case "taux_publie":
      return [{ signe: 1, atome: { kind: "taux_publie", jeux: o.jeux, colonne: o.colonne } }];
    case "population":
      return [{ signe: 1, atome: { kind: "population", tranche: o.tranche } }];
    case "difference":
      return [
        ...atomes(o.de),
        ...atomes(o.moins).map((a) => ({ ...a, signe: (a.signe === 1 ? -1 : 1) as 1 | -1 })),
      ];
  }
}

/**
 * A signed sum of what a reader knows: secret as soon as one part is
 * secret (whatever else is missing), missing when one part is missing.
 *
 * @example somme([{ statut: "publie", valeur: 40 }, { statut: "secret" }]) // { statut: "secret" }
 */
export function somme(parts: readonly Lecture[], signes: readonly number[] = []): Lecture {
  if (parts.length === 0) return { statut: "manquant" };
  if (parts.some((p) => p.statut === "secret")) return { statut: "secret" };
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as Lecture;
    if (p.statut !== "publie") return { statut: "manquant" };
    total += (signes[i] ?? 1) * p.valeur;
  }
  return { statut: "publie", valeur: total };
}

export function lireOperande(o: Operande, lire: (a: Atome) => Lecture): Lecture {
  const terms = atomes(o);
  return somme(
    terms.map((t) => lire(t.atome)),
    terms.map((t) => t.signe),
  );
}

/**
 * The value of a formula for one territory, from what a reader may know.
 *
 * @example evaluer({ numerateur: n, denominateur: d, facteur: 100 }, lire) // { valeur: 21.4, statut: "publie", … }
 */
export function evaluer(
  f: Formule,
  lire: (a: Atome) => Lecture,
  seuilFragile = SEUIL_FRAGILE,
): ValeurIndicateur {
  const num = lireOperande(f.numerateur, lire);
  const den = f.denominateur ? lireOperande(f.denominateur, lire) : undefined;
  const known = (l: Lecture | undefined) => (l?.statut === "publie" ? l.valeur : null);
  const out = (valeur: number | null, statut: StatutValeur): ValeurIndicateur => ({
    valeur,
    statut,
    numerateur: known(num),
    denominateur: known(den),
  });
  if (num.statut === "secret" || den?.statut === "secret") return out(null, "secret");
  if (num.statut !== "publie" || (den && den.statut !== "publie")) return out(null, "manquant");
  if (!den) return out(num.valeur * (f.numerateur.kind === "taux_publie" ? 1 : f.facteur), "publie");
  const d = (den as { valeur: number }).valeur;
  if (d <= 0) return out(null, "manquant");
  return out((num.valeur / d) * f.facteur, d < seuilFragile ? "fragile" : "publie");
}
