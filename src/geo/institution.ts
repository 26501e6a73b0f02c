/**
 * Institutions partners write before the address of a person who lives in
 * one (« EHPAD Les Tilleuls, 12 rue du Parc », « Résidence autonomie
 * Bellevue Square Lamartine, 16 »): the institution and its name are not
 * part of the street. Works on folded tokens (see `fold`).
 */

/** Folded institution markers, longest first (« foyer de vie » before « foyer »). */
const MARKERS: readonly (readonly string[])[] = [
  ["etablissement", "hebergement", "personnes", "agees", "dependantes"],
  ["residence", "autonomie"],
  ["residence", "services"],
  ["resid", "autonomie"],
  ["maison", "de", "retraite"],
  ["foyer", "logement"],
  ["foyer", "de", "vie"],
  ["foyer", "d", "hebergement"],
  ["foyer"],
  ["ehpad"],
  ["ehpa"],
  ["marpa"],
  ["usld"],
];

const ARTICLES = new Set(["le", "la", "les", "l", "du", "des", "de", "d"]);

/** The first words of the markers: most segments start with none of them. */
const FIRST_WORDS = new Set(MARKERS.map((m) => m[0]!));

/** How many tokens the institution marker at `seg[i]` takes, 0 when there is none. */
function markerAt(seg: readonly string[], i: number): number {
  if (!FIRST_WORDS.has(seg[i] ?? "")) return 0;
  for (const m of MARKERS) {
    let k = 0;
    while (k < m.length && seg[i + k] === m[k]) k++;
    if (k === m.length) return m.length;
  }
  return 0;
}

/**
 * The segment without the institution that starts it: its name runs to the
 * house number, else to the first street type not preceded by an article
 * (« MARPA Le Clos Rue … » keeps « Rue … », not « Clos »), else to the end
 * of the segment (then the segment was only the institution).
 *
 * @example withoutInstitution(["ehpad","les","tilleuls","12","rue","du","parc"], isType)
 * // ["12", "rue", "du", "parc"]
 */
export function withoutInstitution(
  seg: readonly string[],
  isStreetType: (t: string) => boolean,
): readonly string[] {
  const m = markerAt(seg, 0);
  if (m === 0 || seg.length === m) return seg;
  for (let j = m; j < seg.length; j++) {
    if (/^\d/.test(seg[j]!)) return seg.slice(j);
    if (isStreetType(seg[j]!) && (j === m || !ARTICLES.has(seg[j - 1]!))) return seg.slice(j);
  }
  return [];
}
