/**
 * The geocoder: an address as partners type it → commune, street, number and
 * the IRIS, with a result type and a score in [0, 1]. The IRIS is given only
 * when it is certain: an exact number, an interpolation between two numbers
 * of the same parity in the same IRIS, a street that lies in one IRIS, or a
 * commune non irisée. A wrong IRIS is worse than an unknown one, so every
 * ambiguity (two streets, two communes, neighbours in different IRIS) ends
 * in « unknown ».
 */
import type { AddressIndex } from "./address-index.js";
import {
  communeKey,
  editDistance,
  expandTokens,
  fold,
  type ParsedAddress,
  parseAddress,
  STREET_TYPES,
  streetKey,
  streetKeyTokens,
  suffixAlternatives,
} from "./normalize.js";
import { similarity, withoutType } from "./similarity.js";

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

const notFound = (raison: NoIrisReason): GeocodeResult => ({
  type: "not_found",
  score: 0,
  codeIris: null,
  codeCommune: null,
  raison,
});
/** Below this street similarity a candidate street is not taken. */
const STREET_MIN = 0.78;
/** Candidates within this score of the best are ambiguous with it. */
const TIE = 0.04;

interface Candidate {
  commune: number;
  conf: number;
}

interface StreetHit {
  voie: number;
  score: number;
}

export class Geocoder {
  readonly index: AddressIndex;
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
  private readonly postcodes = new Map<string, number[]>();
  private readonly communeCodes = new Map<string, number>();
  private readonly communeNames = new Map<string, number[]>();
  /** Full folded names: « Le Houville » is not « Houville » when both exist. */
  private readonly communeFull = new Map<string, number[]>();
  /**
   * Commune names by initial: a fuzzy search compares names of the same
   * initial only (a typo on the first letter stays unknown), which keeps it
   * fast on a national reference of 35,000 communes.
   */
  private readonly communeByInitial = new Map<string, { key: string; communes: number[] }[]>();
  /** 1-deletion variants of every street token → the tokens. */
  private readonly deletes = new Map<string, string[]>();
  private readonly vocabulary = new Set<string>();

  constructor(index: AddressIndex) {
    this.index = index;
    const nc = index.communes.length;
    this.keyVoies = Array.from({ length: nc }, () => new Map());
    this.tokenVoies = Array.from({ length: nc }, () => new Map());
    this.fullVoies = Array.from({ length: nc }, () => new Map());
    this.voieTokens = new Array(index.voieNom.length);
    this.voiesOf = Array.from({ length: nc }, () => []);
    for (let c = 0; c < nc; c++) {
      const ce = index.communes[c]!;
      for (const pc of ce.postcodes) push(this.postcodes, pc, c);
      this.communeCodes.set(ce.code, c);
      for (const name of [ce.nom, ...ce.aliases]) push(this.communeNames, communeKey(name), c);
    }
    for (let c = 0; c < nc; c++) {
      const ce = index.communes[c]!;
      for (const name of [ce.nom, ...ce.aliases]) push(this.communeFull, fold(name), c);
    }
    for (const [key, communes] of this.communeNames)
      push(this.communeByInitial, key[0] ?? "", { key, communes });
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

  /** Geocodes one address given in one string or in several parts (columns). */
  geocode(parts: readonly string[], hint: GeocodeHint = {}): GeocodeResult {
    if (parts.every((x) => x.trim() === "")) return notFound("adresse_vide");
    const p = parseAddress(parts);
    const code = hint.codeCommune ?? null;
    let cands: Candidate[];
    let wider: Candidate[];
    const byCode = code ? this.communeCodes.get(code) : undefined;
    if (byCode !== undefined) {
      // A commune code column is more reliable than anything typed: it decides.
      cands = [{ commune: byCode, conf: 1 }];
      wider = cands;
    } else if (code && !this.index.departements.includes(departementOf(code))) {
      // A commune outside the loaded reference: a namesake elsewhere would be wrong.
      return notFound("commune_inconnue");
    } else ({ cands, wider } = this.candidateCommunes(p));
    let voie = p.voie;
    if (p.voieEntiere && this.isExactStreet(p.voieEntiere, cands)) {
      // « Rue du 8 Mai 1945 »: the trailing number belongs to the street's name.
      voie = p.voieEntiere;
      p.numero = null;
      p.suffixe = null;
    }
    if (voie.length === 0) return this.municipality(cands, "voie_absente");
    let hits = this.matchStreet(voie, cands);
    // Two typos in the named commune come before a namesake street in the postcode's others;
    // two streets of the named commune that close leave it unknown.
    if (hits.length === 0 && wider.length > cands.length) {
      hits = this.looseStreet(voie, cands);
      if (hits.length > 1) return this.municipality(cands, "voie_ambigue");
    }
    // Name and postcode agreed on a commune without that street: one of them was wrong.
    if (hits.length === 0 && wider.length > cands.length) hits = this.matchStreet(voie, wider);
    if (hits.length === 0 && p.commune.length === 0 && voie.length > 1) {
      // « 12 rue de la Paix Rouen »: the commune name trails the street.
      // Exact names first, then names within a typo or two (« Quincmapoix »).
      for (let pass = 0; pass < 2 && hits.length === 0; pass++)
        for (let k = Math.min(7, voie.length - 1); k >= 1 && hits.length === 0; k--) {
          const key = streetKeyTokens(voie.slice(-k)).join(" ");
          const named =
            pass === 0
              ? this.communeNames.get(key)
              : key.length >= 5
                ? this.fuzzyCommune(key, [])
                : undefined;
          if (!named || named.length === 0) continue;
          const inter = cands.length > 0 ? cands.filter((c) => named.includes(c.commune)) : [];
          const next = inter.length > 0 ? inter : named.map((c) => ({ commune: c, conf: 1 }));
          const h = this.matchStreet(voie.slice(0, -k), next);
          if (h.length > 0) {
            hits = h;
            voie = voie.slice(0, -k);
          }
        }
    }
    if (hits.length === 0) {
      // The street may be a lieu-dit or a former commune name given in another part.
      for (const other of p.autres) {
        hits = this.matchStreet(other, cands);
        if (hits.length > 0) break;
      }
    }
    if (hits.length === 0) {
      hits = this.looseStreet(voie, wider);
      if (hits.length > 1) return this.municipality(cands, "voie_ambigue");
    }
    if (hits.length === 0) return this.municipality(cands, "voie_inconnue");
    return this.resolveNumber(hits, p, !voie.some((t) => STREET_TYPES.has(t)));
  }

  /** Geocodes many addresses; the caller drops each address as soon as its result is known. */
  geocodeBatch(addresses: readonly (readonly string[])[]): GeocodeResult[] {
    return addresses.map((a) => this.geocode(a));
  }

  /** Communes the address names; `wider` adds those of a postcode or name that disagree. */
  private candidateCommunes(p: ParsedAddress): { cands: Candidate[]; wider: Candidate[] } {
    const byPc = p.codePostal ? (this.postcodes.get(p.codePostal) ?? []) : [];
    let byName: number[] = [];
    if (p.commune.length > 0) {
      const key = streetKeyTokens(p.commune).join(" ");
      byName =
        this.communeFull.get(p.commune.join(" ")) ??
        this.communeNames.get(key) ??
        this.fuzzyCommune(key, byPc);
    }
    const all = (list: readonly number[], conf: number) => list.map((c) => ({ commune: c, conf }));
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

  private fuzzyCommune(key: string, near: readonly number[]): number[] {
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
    return best <= max ? found : [];
  }

  private municipality(cands: readonly Candidate[], why: NoIrisReason): GeocodeResult {
    if (cands.length === 0) return notFound("commune_inconnue");
    if (cands.length > 1) return notFound("commune_ambigue");
    const ce = this.index.communes[cands[0]!.commune]!;
    const codeIris = ce.irisStatus === "non_irisee" ? `${ce.code}0000` : null;
    return {
      type: "municipality",
      score: round(0.5 * cands[0]!.conf),
      codeIris,
      codeCommune: ce.code,
      ...(codeIris ? {} : { raison: why }),
    };
  }

  private isExactStreet(tokens: readonly string[], cands: readonly Candidate[]): boolean {
    const key = streetKeyTokens(tokens).join(" ");
    if (cands.length === 0) return this.allKeys.has(key);
    return cands.some((c) => this.keyVoies[c.commune]!.has(key));
  }

  /** Streets of the candidate communes (or of the whole reference) that match, best first. */
  private matchStreet(tokens: readonly string[], cands: readonly Candidate[]): StreetHit[] {
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
    return this.fuzzyStreet(keyToks, cands);
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
   * of the one or few named communes compared word for word, one more edit
   * allowed per word of five letters or more, every name word on both sides
   * matched; taken only when exactly one street of those communes comes out
   * (the caller makes two or more « voie ambiguë »).
   */
  private looseStreet(tokens: readonly string[], cands: readonly Candidate[]): StreetHit[] {
    if (cands.length === 0 || cands.length > 3) return [];
    const input = streetKeyTokens(tokens);
    if (input.length === 0) return [];
    const typeless = !input.some((t) => STREET_TYPES.has(t));
    const hits: StreetHit[] = [];
    for (const c of cands)
      for (const v of this.voiesOf[c.commune]!) {
        const s = this.streetSimilarity(input, v, typeless, true);
        if (s >= STREET_MIN) hits.push({ voie: v, score: s * c.conf * 0.9 });
      }
    return hits;
  }

  private streetSimilarity(input: readonly string[], v: number, typeless: boolean, loose: boolean): number {
    const ref = this.voieTokens[v]!;
    const s = similarity(input, ref, loose);
    if (!typeless) return s;
    const bare = withoutType(ref);
    return bare === ref ? s : Math.max(s, similarity(input, bare, loose));
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

  private resolveNumber(hits: readonly StreetHit[], p: ParsedAddress, typeOmitted = false): GeocodeResult {
    const best = hits[0]!.score;
    let tied = hits.filter((h) => h.score >= best - TIE);
    let results = tied.map((h) => this.numberOn(h.voie, p));
    if (typeOmitted && tied.length > 1 && p.numero !== null) {
      // « 85 Pierre Corneille » with a Rue and a Place Pierre Corneille: a person leaves out
      // the streets whose numbering that number is outside of (two beyond the last listed
      // house, for a house the BAN may not list yet), and takes the IRIS when every street
      // left puts the number in the same one.
      const n = p.numero;
      const holds = (v: number) => {
        const lo = this.index.numStart[v]!;
        const hi = this.index.numStart[v + 1]!;
        return hi > lo && n >= this.index.numero[lo]! - 2 && n <= this.index.numero[hi - 1]! + 2;
      };
      const keep = tied.flatMap((h, k) => (holds(h.voie) ? [k] : []));
      const iris = keep.length > 0 ? results[keep[0]!]!.iris : null;
      if (
        keep.length > 0 &&
        keep.length < tied.length &&
        iris !== null &&
        keep.every((k) => results[k]!.iris === iris)
      ) {
        tied = keep.map((k) => tied[k]!);
        results = keep.map((k) => ({ ...results[k]!, factor: results[k]!.factor * 0.85 }));
      }
    }
    const first = results[0]!;
    const ix = this.index;
    const commune = ix.communes[ix.voieCommune[tied[0]!.voie]!]!.code;
    const sameCommune = tied.every((h) => ix.communes[ix.voieCommune[h.voie]!]!.code === commune);
    const irisAgree = results.every((r) => r.iris === first.iris);
    const score = round(Math.min(1, best) * first.factor);
    const codeIris = irisAgree ? first.iris : null;
    const raison: NoIrisReason | undefined =
      codeIris !== null
        ? undefined
        : !irisAgree || new Set(tied.map((h) => h.voie)).size > 1
          ? "voie_ambigue"
          : (first.why ?? "numero_ambigu");
    return {
      type: first.type,
      score: tied.length > 1 ? round(score * 0.8) : score,
      codeIris,
      codeCommune: sameCommune ? commune : null,
      ...(raison ? { raison } : {}),
    };
  }

  private numberOn(
    v: number,
    p: ParsedAddress,
  ): { type: ResultType; iris: string | null; factor: number; why?: NoIrisReason } {
    const ix = this.index;
    const lo = ix.numStart[v]!;
    const hi = ix.numStart[v + 1]!;
    const ce = ix.communes[ix.voieCommune[v]!]!;
    const streetIris = (): string | null => {
      if (ce.irisStatus === "non_irisee") return `${ce.code}0000`;
      const a = ix.voieIrisStart[v]!;
      return ix.voieIrisStart[v + 1]! - a === 1 ? ix.iris[ix.voieIris[a]!]! : null;
    };
    if (p.numero === null || hi === lo)
      return { type: "street", iris: streetIris(), factor: 0.8, why: "numero_absent" };
    const n = p.numero;
    // First position with numero >= n.
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (ix.numero[m]! < n) a = m + 1;
      else b = m;
    }
    let end = a;
    while (end < hi && ix.numero[end] === n) end++;
    const irisAt = (k: number): string | null => {
      const i = ix.numIris[k]!;
      return i < 0 ? null : ix.iris[i]!;
    };
    if (end > a) {
      const want = p.suffixe ?? "";
      const alts = p.suffixe ? [want, ...suffixAlternatives(want)] : [""];
      for (let q = 0; q < alts.length; q++)
        for (let k = a; k < end; k++)
          if (ix.reps[ix.numRep[k]!] === alts[q])
            return { type: "housenumber", iris: irisAt(k), factor: q === 0 ? 1 : 0.97 };
      // The number exists with another suffix (or none): same building in all but rare cases.
      const set = new Set<string | null>();
      for (let k = a; k < end; k++) set.add(irisAt(k));
      if (set.size === 1) return { type: "housenumber", iris: irisAt(a), factor: 0.9 };
      return { type: "housenumber", iris: null, factor: 0.8, why: "numero_ambigu" };
    }
    // Interpolation between the nearest numbers of the same parity.
    let below = -1;
    for (let k = a - 1; k >= lo; k--)
      if ((ix.numero[k]! & 1) === (n & 1)) {
        below = k;
        break;
      }
    let above = -1;
    for (let k = a; k < hi; k++)
      if ((ix.numero[k]! & 1) === (n & 1)) {
        above = k;
        break;
      }
    const si = streetIris();
    if (below >= 0 && above >= 0) {
      const ib = irisAt(below);
      if (ib !== null && ib === irisAt(above)) return { type: "interpolated", iris: ib, factor: 0.9 };
    }
    const inside = below >= 0 && above >= 0;
    return {
      type: "interpolated",
      iris: si,
      factor: inside ? 0.85 : 0.7,
      why: inside ? "numero_ambigu" : "numero_hors_voie",
    };
  }
}

/** « 13001 » → « 13 », « 97105 » → « 971 », « 2A004 » → « 2A ». */
function departementOf(code: string): string {
  return code.startsWith("97") || code.startsWith("98") ? code.slice(0, 3) : code.slice(0, 2);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
