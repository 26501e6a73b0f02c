/**
 * Territory search as a CCAS analyst types it: accents, case, hyphens,
 * apostrophes and word order ignored (« saint aubin des pres » finds
 * Saint-Aubin-des-Prés, « pres saint aubin » too), « St »/« Ste » read as
 * Saint/Sainte, a postcode finds its communes, a commune or EPCI code its
 * territory, a département number or name its département. Exact names
 * first, then names starting with the words typed, then the others; larger
 * territories first within each rank.
 */

export type SearchLevel = "commune" | "epci" | "departement";

export interface SearchEntry {
  niveau: SearchLevel;
  code: string;
  nom: string;
  /** Postcodes of a commune. */
  codesPostaux?: readonly string[];
  /** Département code of a commune, for the detail line. */
  departement?: string;
  population?: number | null;
}

export interface SearchHit {
  entry: SearchEntry;
  rank: number;
}

/** Folded words of a name: no accents, lower case, Saint/Sainte spelt out. */
export function foldWords(s: string): string[] {
  return s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => (w === "st" ? "saint" : w === "ste" ? "sainte" : w));
}

export interface SearchIndex {
  entries: readonly SearchEntry[];
  words: readonly string[][];
  folded: readonly string[];
}

export function buildSearchIndex(entries: readonly SearchEntry[]): SearchIndex {
  const words = entries.map((e) => foldWords(e.nom));
  return { entries, words, folded: words.map((w) => w.join(" ")) };
}

const LEVEL_ORDER: Record<SearchLevel, number> = { departement: 0, epci: 1, commune: 2 };

/**
 * @example searchTerritories(index, "saint aubin des pres")[0].entry.nom // "Saint-Aubin-des-Prés"
 */
export function searchTerritories(index: SearchIndex, text: string, limit = 20): SearchHit[] {
  const q = foldWords(text);
  if (q.length === 0) return [];
  const joined = q.join(" ");
  const raw = text.trim().toUpperCase();
  const hits: SearchHit[] = [];
  index.entries.forEach((e, i) => {
    let rank: number | undefined;
    // Codes: INSEE code, SIREN, département number, postcode.
    if (e.code.toUpperCase() === raw || (e.niveau === "departement" && e.code === raw.padStart(2, "0")))
      rank = 0;
    else if (/^\d{5}$/.test(raw) && e.codesPostaux?.includes(raw)) rank = 1;
    else {
      const words = index.words[i] as string[];
      const folded = index.folded[i] as string;
      if (folded === joined) rank = 0;
      else if (folded.startsWith(joined)) rank = 2;
      else if (q.every((w) => words.some((x) => x === w))) rank = 3;
      else if (q.every((w) => words.some((x) => x.startsWith(w)))) rank = 4;
    }
    if (rank !== undefined) hits.push({ entry: e, rank });
  });
  hits.sort(
    (a, b) =>
      a.rank - b.rank ||
      (b.entry.population ?? 0) - (a.entry.population ?? 0) ||
      LEVEL_ORDER[a.entry.niveau] - LEVEL_ORDER[b.entry.niveau] ||
      a.entry.nom.localeCompare(b.entry.nom, "fr"),
  );
  return hits.slice(0, limit);
}
