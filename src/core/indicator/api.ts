/**
 * The shapes of the indicator API (docs/indicators.md), shared by the
 * server and the web front. Stable: add fields, never rename.
 */
import type { StatutValeur } from "./derived.js";
import type { Indicateur, Niveau, Theme, TranchePopulation, Unite } from "./model.js";

/** GET /api/indicateurs */
export interface CatalogueReponse {
  themes: Theme[];
  indicateurs: IndicateurCatalogue[];
}

export interface IndicateurCatalogue {
  id: string;
  libelle: string;
  theme: Theme;
  unite: Unite;
  /** The formula in words. */
  formule: string;
  source: string;
  precautions: readonly string[];
  niveaux: readonly Niveau[];
  /** Annex ids of the datasets it reads. */
  jeux: string[];
  /** INSEE figures it divides by. */
  denominateursInsee: TranchePopulation[];
  definitions: readonly { depuis: number; note: string }[];
}

/** A reference territory of a value: commune → EPCI → département → France, where the data exist. */
export interface ValeurReference {
  niveau: Niveau | "france";
  code: string;
  nom: string;
  valeur: number | null;
  statut: StatutValeur;
}

/** A value with what it is made of and its references. */
export interface ValeurCalculee {
  /** null unless `statut` is « publie » or « fragile ». */
  valeur: number | null;
  statut: StatutValeur;
  numerateur: number | null;
  denominateur: number | null;
  /** Census vintage of the INSEE denominator, when the formula has one. */
  millesimePopulation: number | null;
  references: ValeurReference[];
}

export interface ValeurTerritoire extends ValeurCalculee {
  code: string;
  nom: string;
  niveau: Niveau;
  /** At the zone level: the zone's members (IRIS or commune codes), so that a map can draw it. */
  membres?: string[];
}

/** GET /api/indicateurs/:id/valeurs */
export interface ValeursReponse {
  indicateur: IndicateurCatalogue;
  niveau: Niveau;
  /** The vintage shown: the one asked, else the latest; null when no readable release holds the indicator. */
  millesime: number | null;
  /** Every vintage readable releases hold, newest first. */
  millesimes: number[];
  /** Source mentions of the releases the values come from (to print under a map or a table). */
  sources: string[];
  valeurs: ValeurTerritoire[];
}

export interface PointSerie extends ValeurCalculee {
  millesime: number;
}

/** GET /api/indicateurs/:id/series */
export interface SerieReponse {
  indicateur: IndicateurCatalogue;
  territoire: { niveau: Niveau; code: string; nom: string };
  points: PointSerie[];
  /** Vintages from which the series is not comparable with the one before. */
  ruptures: { millesime: number; raison: string }[];
  sources: string[];
}

/** One indicator of a portrait: the territory's value at the indicator's latest vintage, and its series. */
export interface LignePortrait {
  indicateur: IndicateurCatalogue;
  millesime: number;
  sources: string[];
  valeur: ValeurTerritoire;
  serie: SerieReponse;
}

/** GET /api/indicateurs/portrait: everything a territory portrait shows, in one request. */
export interface PortraitReponse {
  territoire: { niveau: Niveau; code: string; nom: string };
  lignes: LignePortrait[];
  /** IRIS values inside the territory of the first indicator (catalogue order) that has some: the portrait's map. */
  carte: ValeursReponse | null;
  /** Ids of the conventions whose releases the portrait's lines read. */
  conventions: string[];
}

/** GET /api/territoires/recherche */
export interface RechercheReponse {
  resultats: { niveau: "commune" | "epci" | "departement"; code: string; nom: string; detail: string }[];
}

/** The catalogue entry as the API gives it. */
export function presentIndicator(i: Indicateur, jeux: string[], denominateurs: TranchePopulation[]) {
  return {
    id: i.id,
    libelle: i.libelle,
    theme: i.theme,
    unite: i.unite,
    formule: i.formuleFr,
    source: i.source,
    precautions: i.precautions,
    niveaux: i.niveaux,
    jeux,
    denominateursInsee: denominateurs,
    definitions: i.definitions ?? [],
  } satisfies IndicateurCatalogue;
}
