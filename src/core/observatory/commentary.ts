/**
 * The analyst's commentary of a territory portrait (the Aix convention
 * publishes only « des données analysées et commentées »): one text per
 * portrait — territory, reference territory and themes chosen — kept in
 * versions with their author and date. A version records the conventions
 * whose releases fed the portrait when it was written; it may be read only
 * by someone who may read the protected outputs of every one of them today,
 * since it comments on their figures.
 */
import { conflit, invalide } from "../errors.js";
import type { Niveau } from "../indicator/model.js";

/** Longest commentary kept (about ten printed pages). */
export const COMMENTAIRE_MAX = 20_000;

export interface CleCommentaire {
  niveau: Niveau;
  territoire: string;
  /** « epci:200023414 », or "" when the portrait has no reference chosen. */
  reference: string;
  /** Sorted, without repeats. */
  themes: string[];
}

export interface VersionCommentaire {
  version: number;
  texte: string;
  auteur: string;
  /** ISO date-time. */
  creeLe: string;
  conventions: string[];
}

/** The key with its themes sorted and unrepeated. */
export function normaliseKey(k: CleCommentaire): CleCommentaire {
  return {
    ...k,
    territoire: k.territoire.trim(),
    themes: [...new Set(k.themes.map((t) => t.trim()))].filter(Boolean).sort(),
  };
}

/**
 * One key for the same portrait however its themes were ticked.
 *
 * @example portraitKey({ niveau: "commune", territoire: "62119", reference: "", themes: ["b", "a", "a"] }) === portraitKey({ niveau: "commune", territoire: "62119", reference: "", themes: ["a", "b"] })
 */
export function portraitKey(k: CleCommentaire): string {
  const n = normaliseKey(k);
  return [`${n.niveau}:${n.territoire}`, n.reference, n.themes.join(",")].join("|");
}

/** The text as kept: line ends unified, trailing blanks dropped; refused when too long. */
export function cleanText(texte: string): string {
  const t = texte
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+$/gm, "")
    .trim();
  if (t.length > COMMENTAIRE_MAX)
    throw invalide(
      "commentaire_trop_long",
      `Le commentaire dépasse ${COMMENTAIRE_MAX.toLocaleString("fr-FR")} caractères ; raccourcissez-le.`,
    );
  return t;
}

/**
 * The next version number: a save says which version it edited, so two
 * analysts editing at once do not silently overwrite each other.
 */
export function nextVersion(latest: number | null, edited: number | null): number {
  if ((latest ?? null) !== (edited ?? null))
    throw conflit(
      "commentaire_modifie",
      "Le commentaire a été modifié entre-temps par quelqu'un d'autre : rechargez la page pour voir sa version avant d'enregistrer la vôtre.",
    );
  return (latest ?? 0) + 1;
}

/** True when every convention the version comments on is readable by the user today. */
export function mayRead(v: Pick<VersionCommentaire, "conventions">, readable: ReadonlySet<string>): boolean {
  return v.conventions.length > 0 && v.conventions.every((c) => readable.has(c));
}
