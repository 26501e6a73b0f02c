/**
 * Custom zones: named sets of communes or IRIS owned by one organisation
 * (a Relais Petite Enfance grouping communes, a quartier of IRIS, a QPV…).
 * The rules of what a zone may hold and when it may still change.
 */
import { conflit, invalide, type SocleError } from "../errors.js";
import { isCodeCommune, isCodeIris } from "./codes.js";

/** What a zone groups: whole communes or IRIS. */
export type ZoneUnits = "communes" | "iris";

/** What a zone is, for the people who read it (« RPE », « QPV »…). */
export const ZONE_CATEGORIES = ["rpe", "quartier", "qpv", "secteur", "autre"] as const;
export type ZoneCategory = (typeof ZONE_CATEGORIES)[number];

export const ZONE_CATEGORY_FR: Record<ZoneCategory, string> = {
  rpe: "Relais Petite Enfance (RPE)",
  quartier: "Quartier",
  qpv: "Quartier prioritaire de la politique de la ville (QPV)",
  secteur: "Secteur d'intervention",
  autre: "Autre zonage",
};

/**
 * The members as stored: trimmed, upper case (Corsica's `2A`), each once,
 * sorted; or the French refusal naming the malformed codes.
 *
 * @example zoneMembers("communes", ["00002", " 00004", "00002"]) // → ["00002", "00004"]
 */
export function zoneMembers(units: ZoneUnits, codes: readonly string[]): string[] | SocleError {
  const clean = [...new Set(codes.map((c) => c.trim().toUpperCase()))].sort();
  if (clean.length === 0) return invalide("membre_manquant", "Au moins une unité (commune ou IRIS).");
  const check = units === "communes" ? isCodeCommune : isCodeIris;
  const malformed = clean.filter((c) => !check(c));
  if (malformed.length === 0) return clean;
  const plural = malformed.length > 1 ? "s" : "";
  return invalide(
    "membre_invalide",
    `Code${plural} mal formé${plural} : ${malformed.slice(0, 5).join(", ")} ; attendu : ${
      units === "communes" ? "code commune à 5 caractères" : "code IRIS à 9 caractères"
    }.`,
  );
}

/** What an edit changes of a zone's members (for the audit log: counts, not a list). */
export function membersChange(
  before: readonly string[],
  after: readonly string[],
): { ajoutes: number; retires: number } {
  const b = new Set(before);
  const a = new Set(after);
  return {
    ajoutes: [...a].filter((c) => !b.has(c)).length,
    retires: [...b].filter((c) => !a.has(c)).length,
  };
}

/**
 * A zone some release published is part of the published history: the
 * secrecy engine attacks every later release with that zone's members as
 * they were, and maps draw it from them. Changing or deleting it would
 * silently rewrite what was published, so both are refused; a new zone is
 * the way to a new zoning.
 *
 * @example zoneChangeRefusal("modification", 2)?.message // « Zone déjà diffusée (2 diffusions) … »
 */
export function zoneChangeRefusal(
  change: "modification" | "suppression",
  releases: number,
): SocleError | undefined {
  if (releases === 0) return undefined;
  const n = `${releases} diffusion${releases > 1 ? "s" : ""}`;
  return change === "modification"
    ? conflit(
        "zone_diffusee",
        `Zone déjà diffusée (${n}) : son nom et ses unités sont figés dans l'historique publié ; créez une nouvelle zone.`,
      )
    : conflit(
        "zone_diffusee",
        `Zone déjà diffusée (${n}) : elle reste dans l'historique publié et ne peut être supprimée.`,
      );
}
