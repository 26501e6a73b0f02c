/**
 * What an indicator is: a French label, a theme, a formula over published
 * cells of releases (or INSEE referential figures), a unit, a source, the
 * caveats a reader must know, and the levels it makes sense at. The formula
 * names datasets by their annex id in the conventions (`socle-caf`, `apa`…)
 * and cells by their column (aggregated tables) or by a modality of a
 * breakdown (individual releases).
 */

export type Unite = "%" | "pour 100" | "pour 1 000" | "nombre";

export type Niveau = "iris" | "commune" | "epci" | "departement" | "zone";
export const NIVEAUX: readonly Niveau[] = ["iris", "commune", "epci", "departement", "zone"];

export type Theme =
  | "Population couverte"
  | "Familles"
  | "Revenus et dépendance"
  | "Prestations et minima sociaux"
  | "Personnes âgées"
  | "Petite enfance"
  | "Aides financières"
  | "Enfance";

/**
 * INSEE referential figures kept per vintage (base-ic): the whole population,
 * age bands and households (when the imported file has them).
 */
export type TranchePopulation = "total" | "0-2" | "0-17" | "75+" | "menages";

export const TRANCHE_FR: Readonly<Record<TranchePopulation, string>> = {
  total: "population totale",
  "0-2": "enfants de moins de 3 ans",
  "0-17": "jeunes de moins de 18 ans",
  "75+": "personnes de 75 ans et plus",
  menages: "ménages",
};

/**
 * A term of a formula.
 * - `colonnes`: cells of an aggregated release (a partner's table), the
 *   columns summed for the territory: every one must be published;
 * - `effectif`: the count of an individual release for the territory, or
 *   the sum of some modalities of one breakdown (GIR 1 and 2);
 * - `taux_publie`: a rate the provider itself published (read as is);
 * - `population`: an INSEE referential figure of the vintage;
 * - `difference`: `de` minus `moins` (a complement): both must be published.
 */
export type Operande =
  | { kind: "colonnes"; jeux: readonly string[]; colonnes: readonly string[] }
  | { kind: "effectif"; jeux: readonly string[]; variable?: string; modalites?: readonly string[] }
  | { kind: "taux_publie"; jeux: readonly string[]; colonne: string }
  | { kind: "population"; tranche: TranchePopulation }
  | { kind: "difference"; de: Operande; moins: Operande };

export interface Formule {
  numerateur: Operande;
  /** Absent for a count or a rate the provider published. */
  denominateur?: Operande;
  /** 100 for a percentage or « pour 100 », 1 000 for « pour 1 000 », 1 for a count. */
  facteur: number;
}

export interface Indicateur {
  id: string;
  libelle: string;
  theme: Theme;
  formule: Formule;
  /** The formula in words, for the catalogue page. */
  formuleFr: string;
  unite: Unite;
  source: string;
  precautions: readonly string[];
  niveaux: readonly Niveau[];
  /**
   * Changes of definition by vintage: a time series is broken at each
   * (`depuis` is the first vintage of the new definition).
   */
  definitions?: readonly { depuis: number; note: string }[];
}

/** The datasets (annex ids) an operand reads from. */
export function jeuxOf(o: Operande): string[] {
  switch (o.kind) {
    case "colonnes":
    case "effectif":
    case "taux_publie":
      return [...o.jeux];
    case "population":
      return [];
    case "difference":
      return [...new Set([...jeuxOf(o.de), ...jeuxOf(o.moins)])];
  }
}

/** The datasets an indicator reads from (numerator and denominator). */
export function jeuxOfIndicator(i: Indicateur): string[] {
  const f = i.formule;
  return [...new Set([...jeuxOf(f.numerateur), ...(f.denominateur ? jeuxOf(f.denominateur) : [])])];
}

/** The population figures an operand needs. */
export function tranchesOf(o: Operande): TranchePopulation[] {
  if (o.kind === "population") return [o.tranche];
  if (o.kind === "difference") return [...new Set([...tranchesOf(o.de), ...tranchesOf(o.moins)])];
  return [];
}
