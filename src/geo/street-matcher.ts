/**
 * Which streets of the candidate communes a typed street name names: exact
 * key (the full spelling deciding between keys that collide), else fuzzy
 * (candidates sharing a name word exactly or within one edit, scored by
 * `similarity`), and the second chance for two typos (`loose`).
 */
import type { AddressIndex } from "./address-index.js";
import type { Candidate } from "./commune-matcher.js";
import { editDistance } from "./edit-distance.js";
import { expandTokens, fold, STREET_TYPES, streetKey, streetKeyTokens } from "./normalize.js";
import { isNumber, letterMask, similarity, surelyApart, withoutType } from "./similarity.js";

/** Below this street similarity a candidate street is not taken. */
const STREET_MIN = 0.78;

/** A street that matches, with its score. */
export interface StreetHit {
  voie: number;
  score: number;
}

export class StreetMatcher {
  private readonly index: AddressIndex;
  /** Per commune: street key → streets. */
  private readonly keyVoies: Map<string, number[]>[];
  /** Per commune: street token → streets containing it. */
  private readonly tokenVoies: Map<string, number[]>[];
  private readonly voieTokens: string[][];
  /** Per commune: its streets, for the second-chance comparison with every one of them. */
  private readonly voiesOf: number[][];
  private readonly allKeys = new Map<string, number[]>();
  /** Per commune: full folded name (stopwords kept) → streets; tells « Rue La Fontaine » from « Rue de la Fontaine ». */
  private readonly fullVoies: Map<string, number[]>[];
  /** 1-deletion variants of every street token → the tokens. */
  private readonly deletes = new Map<string, string[]>();
  private readonly vocabulary = new Set<string>();
  /** Per commune, its street words (filled on first use by `loose`). */
  private readonly vocabOf: (Vocabulary | undefined)[];
  /** Scratch marks for `possibleStreets`, one per street. */
  private readonly stamp: Int32Array;
  private stampCounter = 0;

  constructor(index: AddressIndex) {
    this.index = index;
    const nc = index.communes.length;
    this.keyVoies = Array.from({ length: nc }, () => new Map());
    this.tokenVoies = Array.from({ length: nc }, () => new Map());
    this.fullVoies = Array.from({ length: nc }, () => new Map());
    this.voieTokens = new Array(index.voieNom.length);
    this.voiesOf = Array.from({ length: nc }, () => []);
    this.vocabOf = new Array(nc);
    this.stamp = new Int32Array(index.voieNom.length);
    for (let v = 0; v < index.voieNom.length; v++) {
      const c = index.voieCommune[v]!;
      const key = streetKey(index.voieNom[v]!);
      const toks = key.split(" ").filter((t) => t !== "");
      this.voieTokens[v] = toks;
      this.voiesOf[c]!.push(v);
      push(this.keyVoies[c]!, key, v);
      push(this.fullVoies[c]!, expandTokens(fold(index.voieNom[v]!)).join(" "), v);
      push(this.allKeys, key, v);
      const tv = this.tokenVoies[c]!;
      for (const t of new Set(toks)) {
        push(tv, t, v);
        if (!this.vocabulary.has(t)) {
          this.vocabulary.add(t);
          if (t.length >= 4 && !/^\d+$/.test(t))
            for (let i = 0; i < t.length; i++) push(this.deletes, t.slice(0, i) + t.slice(i + 1), t);
        }
      }
    }
  }

  isExact(tokens: readonly string[], cands: readonly Candidate[]): boolean {
    const key = streetKeyTokens(tokens).join(" ");
    if (cands.length === 0) return this.allKeys.has(key);
    return cands.some((c) => this.keyVoies[c.commune]!.has(key));
  }

  /** Streets of the candidate communes (or of the whole reference) that match, best first. */
  match(tokens: readonly string[], cands: readonly Candidate[]): StreetHit[] {
    const keyToks = streetKeyTokens(tokens);
    if (keyToks.length === 0) return [];
    const key = keyToks.join(" ");
    const exact: StreetHit[] = [];
    if (cands.length === 0) {
      for (const v of this.allKeys.get(key) ?? []) exact.push({ voie: v, score: 0.9 });
      return exact;
    }
    for (const c of cands)
      for (const v of this.keyVoies[c.commune]!.get(key) ?? []) exact.push({ voie: v, score: c.conf });
    if (exact.length > 1) {
      // Same key, different names: the full spelling decides when it can.
      const full = tokens.join(" ");
      const same = exact.filter((h) =>
        this.fullVoies[this.index.voieCommune[h.voie]!]!.get(full)?.includes(h.voie),
      );
      if (same.length > 0) for (const h of exact) if (!same.includes(h)) h.score *= 0.9;
    }
    if (exact.length > 0) return exact.sort((a, b) => b.score - a.score);
    const fuzzy = this.fuzzyStreet(keyToks, cands);
    if (fuzzy.length === 0) return fuzzy;
    // A typed name read within a typo is taken only when no street of another name is within
    // two typos of it too (« Rue de la Forrê »: Forge or Forêt): such a street ties with it.
    const names = new Set(fuzzy.map((h) => withoutType(this.voieTokens[h.voie]!).join(" ")));
    // « 11 Mouettes »: the type left out, the name typed as it is: no typo, so no rival either.
    if (names.has(withoutType(keyToks).join(" "))) return fuzzy;
    const best = fuzzy[0]!.score;
    for (const h of this.loose(keyToks, cands, 2))
      if (!names.has(withoutType(this.voieTokens[h.voie]!).join(" ")))
        fuzzy.push({ voie: h.voie, score: best });
    return fuzzy.sort((a, b) => b.score - a.score);
  }

  /**
   * Whether several streets found bear one name but for their type (« Rue » and « Square de
   * Picardie », « Rue La Fontaine » and « Rue de la Fontaine »): not two names a reader hesitates
   * between; the number decides (`resolveNumber`), or the typed spelling (`preferSpelling`).
   */
  oneName(hits: readonly StreetHit[]): boolean {
    const name = withoutType(this.voieTokens[hits[0]!.voie]!).join(" ");
    return hits.every((h) => withoutType(this.voieTokens[h.voie]!).join(" ") === name);
  }

  /**
   * Among streets of one name, those whose small words (de, la, du…) are the typed ones come
   * first (« Rue La Fntaine » is Rue La Fontaine, not Rue de la Fontaine), as for an exact key.
   */
  preferSpelling(tokens: readonly string[], hits: StreetHit[]): StreetHit[] {
    if (hits.length < 2 || !this.oneName(hits)) return hits;
    const small = (toks: readonly string[]) => toks.filter((t) => !streetKeyTokens([t]).length).join(" ");
    const typed = small(tokens);
    const same = hits.filter((h) => small(expandTokens(fold(this.index.voieNom[h.voie]!))) === typed);
    if (same.length > 0 && same.length < hits.length)
      for (const h of hits) if (!same.includes(h)) h.score *= 0.9;
    return hits.sort((a, b) => b.score - a.score);
  }

  /** The type (first word) of a reference street, when it has one. */
  typeOf(v: number): string | null {
    const t = this.voieTokens[v]![0];
    return t !== undefined && STREET_TYPES.has(t) ? t : null;
  }

  private fuzzyStreet(input: readonly string[], cands: readonly Candidate[]): StreetHit[] {
    // Candidate streets: those sharing a name token, exactly or within one edit.
    const forms = input.map((t) => this.tokenForms(t));
    const seen = new Map<number, number>();
    for (const c of cands) {
      const tv = this.tokenVoies[c.commune]!;
      for (let i = 0; i < input.length; i++) {
        if (STREET_TYPES.has(input[i]!) && input.length > 1) continue;
        for (const f of forms[i]!) for (const v of tv.get(f) ?? []) seen.set(v, c.conf);
      }
    }
    const hits: StreetHit[] = [];
    // « 49 République »: also compared with the reference streets' names without their type
    // (the typed first word may be a misspelt type: « Routte Georges Brassens »).
    const typeless = !input.some((t) => STREET_TYPES.has(t));
    for (const [v, conf] of seen) {
      const s = this.streetSimilarity(input, v, typeless, false);
      if (s >= STREET_MIN) hits.push({ voie: v, score: s * conf });
    }
    return hits.sort((a, b) => b.score - a.score);
  }

  /**
   * Second chance for a street with two typos (« Jacuqls Brel »): every street
   * of the one to six named communes (a postcode's villages) compared word for word, one more edit
   * allowed per word of five letters or more, every name word on both sides
   * matched; taken only when exactly one street of those communes comes out
   * (the caller makes two or more « voie ambiguë »). `cap` bounds the edits per
   * word (two: the rivals of a street read within one typo).
   */
  loose(tokens: readonly string[], cands: readonly Candidate[], cap = Number.POSITIVE_INFINITY): StreetHit[] {
    if (cands.length === 0 || cands.length > 6) return [];
    const input = streetKeyTokens(tokens);
    if (input.length === 0) return [];
    const typeless = !input.some((t) => STREET_TYPES.has(t));
    const anchors = mustMatch(input);
    const hits: StreetHit[] = [];
    for (const c of cands)
      for (const v of anchors.length > 0
        ? this.possibleStreets(c.commune, anchors, cap)
        : this.voiesOf[c.commune]!) {
        const s = this.streetSimilarity(input, v, typeless, true, cap);
        if (s >= STREET_MIN) hits.push({ voie: v, score: s * c.conf * 0.9 });
      }
    return hits;
  }

  /**
   * The streets of a commune that hold, for each of `anchors`, a word `similarity` could pair it
   * with (the same, within the most edits a loose comparison allows at those lengths, or a
   * longer word it begins): a superset of the streets a loose comparison can take, since it
   * gives 0 to a street leaving a typed name word unmatched. Streets in reference order.
   */
  private possibleStreets(commune: number, anchors: readonly string[], cap: number): number[] {
    const tv = this.tokenVoies[commune]!;
    let vocab = this.vocabOf[commune];
    if (vocab === undefined) {
      vocab = wordsByLength(tv.keys());
      this.vocabOf[commune] = vocab;
    }
    const stamp = ++this.stampCounter;
    let first = true;
    let kept: number[] = [];
    for (const t of anchors) {
      const next: number[] = [];
      // Words within edits of t differ from it by three letters at most; a longer word t begins
      // is read in the sorted list, where the words it begins are contiguous.
      // The order words are taken in does not matter: `kept` is a set, sorted at the end.
      const L = t.length;
      if (isNumber(t)) {
        // A number pairs with itself only.
        const own = tv.get(t);
        if (own !== undefined) this.take(own, first, stamp, next);
      } else {
        const tMask = letterMask(t);
        for (let len = Math.max(1, L - 3); len <= L + 3 && len < vocab.byLength.length; len++) {
          const words = vocab.byLength[len];
          if (words === undefined) continue;
          const masks = vocab.masksByLength[len]!;
          const numeric = vocab.numericByLength[len]!;
          const allowed = Math.min(cap, allowedAt(Math.max(L, len)) + 1);
          // Lengths further apart than the edits allowed: only a longer word t begins pairs.
          const editable = Math.abs(len - L) <= allowed;
          if (!editable && len < L) continue;
          const prefix = L >= 3 && len >= L;
          for (let w = 0; w < words.length; w++) {
            const r = words[w]!;
            if (
              r === t ||
              (numeric[w] === 0 &&
                ((prefix && r.startsWith(t)) ||
                  (editable &&
                    !surelyApart(tMask, masks[w]!, allowed) &&
                    editDistance(t, r, allowed) <= allowed)))
            )
              this.take(tv.get(r)!, first, stamp, next);
          }
        }
      }
      if (L >= 3 && !isNumber(t))
        for (let i = lowerBound(vocab.sorted, t); i < vocab.sorted.length; i++) {
          const r = vocab.sorted[i]!;
          if (!r.startsWith(t)) break;
          if (r.length > L + 3 && !isNumber(r)) this.take(tv.get(r)!, first, stamp, next);
        }
      if (!first) for (const v of next) this.stamp[v] = stamp;
      kept = next;
      first = false;
      if (kept.length === 0) return kept;
    }
    return kept.sort((a, b) => a - b);
  }

  /**
   * Streets of word `r` into `next`: for the first anchor every street not yet marked, then only
   * those every anchor so far kept (marked once more for this anchor).
   */
  private take(streets: readonly number[], first: boolean, stamp: number, next: number[]): void {
    for (const v of streets) {
      if (first) {
        if (this.stamp[v] !== stamp) {
          this.stamp[v] = stamp;
          next.push(v);
        }
      } else if (this.stamp[v] === stamp) {
        this.stamp[v] = -stamp;
        next.push(v);
      }
    }
  }

  private streetSimilarity(
    input: readonly string[],
    v: number,
    typeless: boolean,
    loose: boolean,
    cap = Number.POSITIVE_INFINITY,
  ): number {
    const ref = this.voieTokens[v]!;
    const s = similarity(input, ref, loose, cap);
    if (!typeless) return s;
    const bare = withoutType(ref);
    return bare === ref ? s : Math.max(s, similarity(input, bare, loose, cap));
  }

  /** The token itself and the reference tokens within one edit of it. */
  private tokenForms(t: string): string[] {
    if (this.vocabulary.has(t) || t.length < 4 || /^\d+$/.test(t)) return [t];
    const out = new Set<string>();
    for (const f of this.deletes.get(t) ?? []) out.add(f);
    for (let i = 0; i < t.length; i++) {
      const d = t.slice(0, i) + t.slice(i + 1);
      if (this.vocabulary.has(d)) out.add(d);
      for (const f of this.deletes.get(d) ?? []) out.add(f);
    }
    return out.size > 0 ? [...out] : [t];
  }
}

/**
 * The typed words a loose `similarity` must pair with a word of the reference street: every name
 * word of two letters or more, but the first of several (it may be a mistyped type, matched to
 * the reference's type instead).
 */
function mustMatch(input: readonly string[]): string[] {
  return input.filter((t, i) => (i > 0 || input.length === 1) && t.length >= 2 && !STREET_TYPES.has(t));
}

/**
 * Whether `similarity` could pair typed word `t` with reference word `r` in a loose comparison
 * bounded by `cap`: the same word, within one more edit than the base allowance of the longer
 * (0, 1 or 2 by length), or a longer word `t` begins. Never false when `similarity` pairs them.
 */
/** The base edits `similarity` allows between words, the longer of `max` letters. */
function allowedAt(max: number): number {
  return max <= 4 ? 0 : max <= 7 ? 1 : 2;
}

/** A commune's street words, by length and sorted (for the words a typed word begins). */
interface Vocabulary {
  byLength: string[][];
  /** The `letterMask` of each word of `byLength`. */
  masksByLength: number[][];
  /** 1 for each word of `byLength` made of digits. */
  numericByLength: number[][];
  sorted: string[];
}

function wordsByLength(words: Iterable<string>): Vocabulary {
  const byLength: string[][] = [];
  const masksByLength: number[][] = [];
  const numericByLength: number[][] = [];
  const sorted = [...words].sort();
  for (const w of sorted) {
    const bucket = byLength[w.length];
    if (bucket) {
      bucket.push(w);
      masksByLength[w.length]!.push(letterMask(w));
      numericByLength[w.length]!.push(isNumber(w) ? 1 : 0);
    } else {
      byLength[w.length] = [w];
      masksByLength[w.length] = [letterMask(w)];
      numericByLength[w.length] = [isNumber(w) ? 1 : 0];
    }
  }
  return { byLength, masksByLength, numericByLength, sorted };
}

/** The first index of `sorted` whose word is not before `t`. */
function lowerBound(sorted: readonly string[], t: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
