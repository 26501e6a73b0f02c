/**
 * What the geocoder answers for one address: result type, score, IRIS and
 * commune, and when there is no IRIS the reason, told to the depositor in
 * French without the address.
 */
export type ResultType = "housenumber" | "interpolated" | "street" | "municipality" | "not_found";

export const RESULT_TYPE_FR: Readonly<Record<ResultType, string>> = {
  housenumber: "numéro",
  interpolated: "numéro interpolé",
  street: "voie",
  municipality: "commune",
  not_found: "non trouvé",
};

/** Why an address got no IRIS: told to the depositor, never with the address. */
export type NoIrisReason =
  | "adresse_vide"
  | "commune_inconnue"
  | "commune_ambigue"
  | "voie_absente"
  | "voie_inconnue"
  | "voie_ambigue"
  | "numero_absent"
  | "numero_hors_voie"
  | "numero_ambigu";

export const NO_IRIS_REASON_FR: Readonly<Record<NoIrisReason, string>> = {
  adresse_vide: "adresse vide",
  commune_inconnue: "commune inconnue du référentiel d'adresses",
  commune_ambigue: "commune ambiguë (plusieurs communes possibles, code postal ou commune manquant)",
  voie_absente: "aucune voie dans l'adresse et commune découpée en IRIS",
  voie_inconnue: "voie inconnue dans la commune",
  voie_ambigue: "voie ambiguë (plusieurs voies possibles dans des IRIS différents)",
  numero_absent: "numéro absent et voie traversant plusieurs IRIS",
  numero_hors_voie: "numéro hors des numéros connus de la voie, qui traverse plusieurs IRIS",
  numero_ambigu: "numéro entre deux adresses connues situées dans des IRIS différents",
};

export interface GeocodeResult {
  type: ResultType;
  score: number;
  codeIris: string | null;
  codeCommune: string | null;
  /** Set when codeIris is null. */
  raison?: NoIrisReason;
}

/** What the file says besides the address text: a commune code column. */
export interface GeocodeHint {
  codeCommune?: string | null;
}

export const notFound = (raison: NoIrisReason): GeocodeResult => ({
  type: "not_found",
  score: 0,
  codeIris: null,
  codeCommune: null,
  raison,
});

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
