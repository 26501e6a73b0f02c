/**
 * How close a typed street name is to a reference street name, on tokens
 * already folded, expanded and without stopwords (see `streetKeyTokens`).
 */
import { editDistance } from "./edit-distance.js";
import { STREET_TYPES } from "./normalize.js";

const isNumber = (t: string) => /^\d+$/.test(t);

const weight = (t: string) =>
  STREET_TYPES.has(t) ? 0.5 : isNumber(t) ? 1 : Math.min(1.5, 0.5 + t.length / 8);

/**
 * Edit distance allowed between two words of `min` and `max` letters;
 * `loose` allows one more (a second typo) when both have five letters or
 * more (« Ceotte » is not « Côte »).
 */
function allowedEdits(min: number, max: number, loose: boolean, cap: number): number {
  const base = max <= 4 ? 0 : max <= 7 ? 1 : 2;
  return loose && min >= 5 ? Math.min(cap, base + 1) : base;
}

/**
 * Similarity of two token lists in [0, 1]: a Dice coefficient where tokens
 * match exactly, within an edit distance that grows with their length, or as
 * abbreviations (prefix of 3+ letters); street types weigh half. A name word
 * of the input that matches no word of the reference makes it another street:
 * 0. With `loose` (two typos), every name word of the reference must match too;
 * `cap` bounds the edits a loose comparison allows per word.
 *
 * @example similarity(["rue", "victr", "hugo"], ["rue", "victor", "hugo"]) // ≈ 0.95
 */
export function similarity(
  input: readonly string[],
  ref: readonly string[],
  loose = false,
  cap = Number.POSITIVE_INFINITY,
): number {
  let wr = 0;
  for (const t of ref) wr += weight(t);
  const used = new Uint8Array(input.length);
  // An input token weighs as the reference token it matches (a mistyped type is still a type).
  const wIn = input.map(weight);
  let matched = 0;
  let nameMatched = false;
  let refNameMissed = false;
  for (const r of ref) {
    let bestSim = 0;
    let bestI = -1;
    for (let i = 0; i < input.length; i++) {
      if (used[i]) continue;
      const t = input[i]!;
      let s = 0;
      if (t === r) s = 1;
      else if (isNumber(t) || isNumber(r)) s = 0;
      else {
        const max = Math.max(t.length, r.length);
        const allowed = allowedEdits(Math.min(t.length, r.length), max, loose, cap);
        const d = allowed > 0 ? editDistance(t, r, allowed) : allowed + 1;
        if (d <= allowed) s = 1 - d / (max + 2);
        else if (t.length >= 3 && r.startsWith(t)) s = 0.75;
      }
      if (s > bestSim) {
        bestSim = s;
        bestI = i;
      }
    }
    if (bestI >= 0) {
      used[bestI] = 1;
      const w = weight(r);
      wIn[bestI] = w;
      matched += w * bestSim;
      if (!STREET_TYPES.has(r)) nameMatched = true;
    } else if (!STREET_TYPES.has(r)) refNameMissed = true;
  }
  if (!nameMatched) return 0;
  // A word typed that the reference lacks names another street (« Allée Président Wiln »
  // is not « Allée des Prés »); a word of the reference left out is only a missing word.
  if (input.some((t, i) => !used[i] && t.length >= 2 && !STREET_TYPES.has(t))) return 0;
  if (loose && refNameMissed) return 0;
  let wi = 0;
  for (const w of wIn) wi += w;
  return (2 * matched) / (wi + wr);
}

/** The reference street without its leading type, to compare with a street typed without one. */
export function withoutType(ref: readonly string[]): readonly string[] {
  return ref.length > 1 && STREET_TYPES.has(ref[0]!) ? ref.slice(1) : ref;
}
