/**
 * Which communes an address names: its postcode, its commune name (full
 * spelling, key, then within one or two edits among names of the same
 * initial), or both; a commune-code column decides alone.
 */
import type { AddressIndex } from "./address-index.js";
import type { ParsedAddress } from "./address-parser.js";
import { editDistance } from "./edit-distance.js";
import { communeKey, fold, streetKeyTokens } from "./normalize.js";

/** A commune the address may be in, with the confidence the way it was named gives. */
export interface Candidate {
  commune: number;
  conf: number;
}

/** Complements a commune name may trail when there is no postcode (see `parseAddress`). */
const COMPLEMENT_MARKERS = new Set(["residence", "res", "resid", "chez"]);
/** Words that join the parts of a commune name: a tail cut after one is not a name. */
const CONNECTORS = new Set([
  "de",
  "du",
  "des",
  "la",
  "le",
  "les",
  "l",
  "d",
  "sur",
  "sous",
  "en",
  "saint",
  "sainte",
  "et",
  "aux",
  "au",
  "lez",
  "les",
]);

/** What `candidates` answers: the communes named, and with those a disagreeing postcode adds. */
export interface Communes {
  readonly cands: readonly Candidate[];
  readonly wider: readonly Candidate[];
}

/** Remembered answers of `candidates` (postcode × commune spelling) before starting afresh. */
const MEMO_SIZE = 100_000;

export class CommuneMatcher {
  private readonly remembered = new Map<string, Communes>();
  private readonly rememberedFuzzy = new Map<string, readonly number[]>();
  private readonly postcodes = new Map<string, number[]>();
  private readonly communeCodes = new Map<string, number>();
  private readonly communeNames = new Map<string, number[]>();
  /** Full folded names: « Le Houville » is not « Houville » when both exist. */
  private readonly communeFull = new Map<string, number[]>();
  /** Per commune: its full folded names. */
  private readonly fullNames: string[][] = [];
  /**
   * Commune names by initial: a fuzzy search compares names of the same
   * initial only (a typo on the first letter stays unknown), which keeps it
   * fast on a national reference of 35,000 communes.
   */
  private readonly communeByInitial = new Map<string, { key: string; communes: number[] }[]>();

  constructor(index: AddressIndex) {
    const nc = index.communes.length;
    for (let c = 0; c < nc; c++) {
      const ce = index.communes[c]!;
      for (const pc of ce.postcodes) push(this.postcodes, pc, c);
      this.communeCodes.set(ce.code, c);
      for (const name of [ce.nom, ...ce.aliases]) push(this.communeNames, communeKey(name), c);
    }
    for (let c = 0; c < nc; c++) {
      const ce = index.communes[c]!;
      this.fullNames[c] = [ce.nom, ...ce.aliases].map((n) => fold(n));
      for (const name of this.fullNames[c]!) push(this.communeFull, name, c);
    }
    for (const [key, communes] of this.communeNames)
      push(this.communeByInitial, key[0] ?? "", { key, communes });
  }

  /** The commune of an INSEE code in the loaded reference. */
  byCode(code: string): number | undefined {
    return this.communeCodes.get(code);
  }

  /** Communes whose name key (or a former name's) is exactly `key`. */
  named(key: string): readonly number[] | undefined {
    return this.communeNames.get(key);
  }

  /**
   * Communes the address names; `wider` adds those of a postcode or name that disagree. They
   * depend on the postcode and the commune words only, which repeat from line to line: the
   * answers are remembered (frozen, shared by every line that names the commune so).
   */
  candidates(p: ParsedAddress): Communes {
    const memo = `${p.codePostal ?? ""}|${p.commune.join(" ")}`;
    const known = this.remembered.get(memo);
    if (known !== undefined) return known;
    const found = this.namedCommunes(p);
    Object.freeze(found.cands);
    Object.freeze(found.wider);
    for (const c of found.wider) Object.freeze(c);
    for (const c of found.cands) Object.freeze(c);
    if (this.remembered.size >= MEMO_SIZE) this.remembered.clear();
    this.remembered.set(memo, found);
    return found;
  }

  private namedCommunes(p: ParsedAddress): Communes {
    const byPc = p.codePostal ? (this.postcodes.get(p.codePostal) ?? []) : [];
    let byName: number[] = [];
    if (p.commune.length > 0) {
      const key = streetKeyTokens(p.commune).join(" ");
      byName =
        this.communeFull.get(p.commune.join(" ")) ??
        this.communeNames.get(key) ??
        this.fuzzy(key, byPc, p.commune.join(" "));
      if (byName.length === 0 && COMPLEMENT_MARKERS.has(p.commune[0]!))
        // « Résidence du Parc Hattenville-les-Bains »: the commune ends a complement. Longest
        // tail first, exact then within the usual edits; never a tail cut after a connecting
        // word (« Saint Deenis de Bosc » is not « Bosc »).
        for (let k = p.commune.length - 2; k >= 1 && byName.length === 0; k--) {
          if (CONNECTORS.has(p.commune[p.commune.length - k - 1]!)) continue;
          const tail = p.commune.slice(-k);
          const tailKey = streetKeyTokens(tail).join(" ");
          byName =
            this.communeFull.get(tail.join(" ")) ??
            this.communeNames.get(tailKey) ??
            (tailKey.length >= 5 ? this.fuzzy(tailKey, byPc, tail.join(" ")) : []);
        }
    }
    if (byPc.length > 0 && byName.length > 0) {
      // The name is typed on purpose, the postcode often mistyped.
      const union = [
        ...all(byName, 1),
        ...all(
          byPc.filter((c) => !byName.includes(c)),
          0.85,
        ),
      ];
      const inter = byName.filter((c) => byPc.includes(c));
      if (inter.length > 0) return { cands: all(inter, 1), wider: union };
      return { cands: union, wider: union };
    }
    const only = byName.length > 0 ? all(byName, 1) : all(byPc, 1);
    return { cands: only, wider: only };
  }

  /** Communes within one or two edits of `key`; `typed`, the full folded spelling, breaks ties. */
  fuzzy(key: string, near: readonly number[], typed?: string): number[] {
    if (key.length < 3) return [];
    const max = key.length <= 6 ? 1 : 2;
    let best = max + 1;
    let found: number[] = [];
    for (const { key: k, communes } of this.communeByInitial.get(key[0]!) ?? []) {
      if (Math.abs(k.length - key.length) > max) continue;
      const d = editDistance(key, k, max);
      if (d < best || (d === best && communes.some((c) => near.includes(c)))) {
        best = d;
        found = communes;
      } else if (d === best) found = [...found, ...communes];
    }
    if (best > max) return [];
    return found.length > 1 && typed !== undefined ? this.closestSpelling(typed, found) : found;
  }

  /**
   * `fuzzy` with no postcode's communes to prefer, remembered: the street words of every line
   * without a commune are tried as a trailing commune name, and they repeat.
   */
  fuzzyAlone(key: string, typed: string): readonly number[] {
    const memo = `${key}\u0002${typed}`;
    let found = this.rememberedFuzzy.get(memo);
    if (found === undefined) {
      found = this.fuzzy(key, [], typed);
      if (this.rememberedFuzzy.size >= MEMO_SIZE) this.rememberedFuzzy.clear();
      this.rememberedFuzzy.set(memo, found);
    }
    return found;
  }

  /**
   * Communes whose keys tie (« Le Envronville » and « Envronville »: the article is no key
   * word) told apart by the full typed spelling: « Le Entronville » is the one with « Le ».
   */
  private closestSpelling(typed: string, found: number[]): number[] {
    let best = Number.POSITIVE_INFINITY;
    let out: number[] = [];
    for (const c of found) {
      let d = Number.POSITIVE_INFINITY;
      for (const name of this.fullNames[c]!) d = Math.min(d, editDistance(typed, name, 4));
      if (d < best) {
        best = d;
        out = [c];
      } else if (d === best) out.push(c);
    }
    return out;
  }
}

function all(list: readonly number[], conf: number): Candidate[] {
  return list.map((c) => ({ commune: c, conf }));
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
