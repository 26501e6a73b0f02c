/**
 * How close a typed street name is to a reference street name, on tokens
 * already folded, expanded and without stopwords (see `streetKeyTokens`).
 */
import { editDistance } from "./edit-distance.js";
import { STREET_TYPES } from "./normalize.js";

/** Whether `t` is digits only (/^\d+$/ without a regular expression: this runs per word pair). */
export function isNumber(t: string): boolean {
  if (t.length === 0) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function weight(t: string): number {
  return STREET_TYPES.has(t) ? 0.5 : isNumber(t) ? 1 : Math.min(1.5, 0.5 + t.length / 8);
}

/** The set of a word's characters, one bit each (character code modulo 32). */
export function letterMask(w: string): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m |= 1 << (w.charCodeAt(i) & 31);
  return m;
}

/** Set bits of a 32-bit mask. */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * Whether two words are surely more than `allowed` edits apart: each edit takes away at most one
 * character the other word lacks (characters hashed to 32 bits: a collision only undercounts).
 */
export function surelyApart(tMask: number, rMask: number, allowed: number): boolean {
  return popcount(tMask & ~rMask) > allowed || popcount(rMask & ~tMask) > allowed;
}

/** Scratch arrays of `similarity`, reused from call to call (it runs millions of times per file). */
let USED = new Uint8Array(16);
let W_IN = new Float64Array(16);
let MASKS = new Int32Array(16);

/**
 * Edit distance allowed between two words of `min` and `max` letters;
 * `loose` allows one more (a second typo) when both have five letters or
 * more (« Ceotte » is not « Côte »), or when four letters are typed for a
 * longer word of the same initial (« Eifl » is Eiffel, « Plie » Plaine: two
 * letters lost; never the other way round). When reading (no `cap`), that
 * second typo needs the same initial: « Lavro » is not read as Havre, nor
 * « Sroces » as Roses (the first letter is the one people least mistype);
 * when looking for rivals (a `cap`), any initial counts, to stay unknown.
 */
function allowedEdits(
  min: number,
  max: number,
  loose: boolean,
  cap: number,
  lettersLost: boolean,
  sameInitial: boolean,
): number {
  const base = max <= 4 ? 0 : max <= 7 ? 1 : 2;
  const second = min >= 5 || (min === 4 && max >= 5 && lettersLost);
  return loose && second && (sameInitial || cap !== Number.POSITIVE_INFINITY)
    ? Math.min(cap, base + 1)
    : base;
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
  const n = input.length;
  if (n > USED.length) {
    USED = new Uint8Array(2 * n);
    W_IN = new Float64Array(2 * n);
    MASKS = new Int32Array(2 * n);
  }
  const used = USED;
  // An input token weighs as the reference token it matches (a mistyped type is still a type).
  const wIn = W_IN;
  const masks = MASKS;
  for (let i = 0; i < n; i++) {
    used[i] = 0;
    wIn[i] = weight(input[i]!);
    masks[i] = letterMask(input[i]!);
  }
  let matched = 0;
  let nameMatched = false;
  let refNameMissed = false;
  let typeUnmatched = false;
  for (let j = 0; j < ref.length; j++) {
    const r = ref[j]!;
    let bestSim = 0;
    let bestI = -1;
    const rMask = letterMask(r);
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      const t = input[i]!;
      let s = 0;
      if (t === r) s = 1;
      else if (isNumber(t) || isNumber(r)) s = 0;
      else {
        const max = Math.max(t.length, r.length);
        // Four letters typed for a longer word of the same initial: letters lost, not added.
        const lost = t.length === 4 && r.length > 4 && t[0] === r[0];
        const allowed = allowedEdits(Math.min(t.length, r.length), max, loose, cap, lost, t[0] === r[0]);
        const d =
          allowed > 0 && !surelyApart(masks[i]!, rMask, allowed) ? editDistance(t, r, allowed) : allowed + 1;
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
    else if (j === 0) typeUnmatched = true;
  }
  if (!nameMatched) return 0;
  // « Aeue de la Forêt », « Rite du Four »: the first word typed, matched by nothing, is the
  // reference's type mistyped (two edits, one for a type of three letters) when that type
  // matched nothing either; the name words still decide alone whether this is the street.
  if (!used[0] && typeUnmatched && input.length > 1) {
    const t = input[0]!;
    const r = ref[0]!;
    const allowed = Math.min(t.length, r.length) <= 3 ? 1 : 2;
    if (t.length >= 3 && !isNumber(t) && t[0] === r[0]) {
      const d = editDistance(t, r, allowed);
      if (d <= allowed) {
        used[0] = 1;
        wIn[0] = 0.5;
        matched += 0.5 * (1 - d / (Math.max(t.length, r.length) + 2));
      }
    }
  }
  // A word typed that the reference lacks names another street (« Allée Président Wiln »
  // is not « Allée des Prés »); a word of the reference left out is only a missing word.
  for (let i = 0; i < n; i++) {
    const t = input[i]!;
    if (!used[i] && t.length >= 2 && !STREET_TYPES.has(t)) return 0;
  }
  if (loose && refNameMissed) return 0;
  let wi = 0;
  for (let i = 0; i < n; i++) wi += wIn[i]!;
  return (2 * matched) / (wi + wr);
}

/** The reference street without its leading type, to compare with a street typed without one. */
export function withoutType(ref: readonly string[]): readonly string[] {
  return ref.length > 1 && STREET_TYPES.has(ref[0]!) ? ref.slice(1) : ref;
}
