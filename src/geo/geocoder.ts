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
import { type ParsedAddress, parseAddress } from "./address-parser.js";
import { type Candidate, CommuneMatcher } from "./commune-matcher.js";
import { type GeocodeResult, type NoIrisReason, notFound, round } from "./geocode-result.js";
import { SUFFIXES, streetKeyTokens } from "./normalize.js";
import { resolveNumber } from "./number-resolver.js";
import { type StreetHit, StreetMatcher } from "./street-matcher.js";

export {
  type GeocodeResult,
  NO_IRIS_REASON_FR,
  type NoIrisReason,
  RESULT_TYPE_FR,
  type ResultType,
} from "./geocode-result.js";

/** Words that open a complement running to the house number (« Résidence du Parc 7 … »). */
const COMPLEMENT_FIRST = new Set(["residence", "res", "resid", "chez"]);

/** What the file says besides the address text: a commune code column. */
export interface GeocodeHint {
  codeCommune?: string | null;
}

export class Geocoder {
  readonly index: AddressIndex;
  private readonly communes: CommuneMatcher;
  private readonly streets: StreetMatcher;

  constructor(index: AddressIndex) {
    this.index = index;
    this.communes = new CommuneMatcher(index);
    this.streets = new StreetMatcher(index);
  }

  /** Geocodes one address given in one string or in several parts (columns). */
  geocode(parts: readonly string[], hint: GeocodeHint = {}): GeocodeResult {
    if (parts.every((x) => x.trim() === "")) return notFound("adresse_vide");
    const p = parseAddress(parts);
    const r = this.geocodeParsed(p, hint);
    if (r.codeIris === null && r.raison === "voie_inconnue") {
      const q = this.afterComplement(p);
      const after = q ? this.geocodeParsed(q, hint) : null;
      if (after && after.codeIris !== null) return after;
    }
    if (
      r.codeIris !== null ||
      !p.inverse ||
      (r.raison !== "commune_inconnue" && r.raison !== "voie_inconnue")
    )
      return r;
    // Nothing found: the other reading of the line (« Mairie, 12 Hattenville »), taken only when certain.
    const other = this.geocodeParsed(p.inverse, hint);
    return other.codeIris !== null ? other : r;
  }

  /**
   * « Résidence Les Tilleuls 43 Claude Debussy »: a complement before the number of a street
   * typed without its type was read as the street; the street is what follows the number.
   */
  private afterComplement(p: ParsedAddress): ParsedAddress | null {
    if (p.numero !== null || !COMPLEMENT_FIRST.has(p.voie[0] ?? "")) return null;
    const i = p.voie.findIndex((t, k) => k >= 2 && /^\d{1,4}$/.test(t));
    if (i < 0) return null;
    let rest = p.voie.slice(i + 1);
    let suffixe: string | null = null;
    if (rest.length > 1 && SUFFIXES[rest[0]!] !== undefined) {
      suffixe = SUFFIXES[rest[0]!]!;
      rest = rest.slice(1);
    }
    if (rest.length === 0) return null;
    return { ...p, numero: Number(p.voie[i]), suffixe, voie: rest, inverse: undefined };
  }

  private geocodeParsed(p: ParsedAddress, hint: GeocodeHint): GeocodeResult {
    const code = hint.codeCommune ?? null;
    let cands: readonly Candidate[];
    let wider: readonly Candidate[];
    const byCode = code ? this.communes.byCode(code) : undefined;
    if (byCode !== undefined) {
      // A commune code column is more reliable than anything typed: it decides.
      cands = [{ commune: byCode, conf: 1 }];
      wider = cands;
    } else if (code && !this.index.departements.includes(departementOf(code))) {
      // A commune outside the loaded reference: a namesake elsewhere would be wrong.
      return notFound("commune_inconnue");
    } else ({ cands, wider } = this.communes.candidates(p));
    let voie = p.voie;
    if (p.voieEntiere && this.streets.isExact(p.voieEntiere, cands)) {
      // « Rue du 8 Mai 1945 »: the trailing number belongs to the street's name.
      voie = p.voieEntiere;
      p.numero = null;
      p.suffixe = null;
    }
    if (voie.length === 0) return this.municipality(cands, "voie_absente");
    let hits = this.streets.match(voie, cands);
    // Two typos in the named commune come before a namesake street in the postcode's others;
    // two streets of the named commune that close leave it unknown.
    if (hits.length === 0 && wider.length > cands.length) {
      hits = this.streets.loose(voie, cands);
      if (this.ambiguous(hits)) return this.municipality(cands, "voie_ambigue");
    }
    // Name and postcode agreed on a commune without that street: one of them was wrong.
    if (hits.length === 0 && wider.length > cands.length) hits = this.streets.match(voie, wider);
    if (hits.length === 0 && p.commune.length === 0 && voie.length > 1) {
      // « 12 rue de la Paix Rouen »: the commune name trails the street.
      // Exact names first, then names within a typo or two (« Quincmapoix »).
      for (let pass = 0; pass < 2 && hits.length === 0; pass++)
        for (let k = Math.min(7, voie.length - 1); k >= 1 && hits.length === 0; k--) {
          const key = streetKeyTokens(voie.slice(-k)).join(" ");
          const named =
            pass === 0
              ? this.communes.named(key)
              : key.length >= 5
                ? this.communes.fuzzyAlone(key, voie.slice(-k).join(" "))
                : undefined;
          if (!named || named.length === 0) continue;
          const inter = cands.length > 0 ? cands.filter((c) => named.includes(c.commune)) : [];
          const next = inter.length > 0 ? inter : named.map((c) => ({ commune: c, conf: 1 }));
          let h = this.streets.match(voie.slice(0, -k), next);
          if (h.length === 0) {
            // « 20 Rue de la Croooix Lillebonne »: two typos, read when one street alone is that close.
            const loose = this.streets.loose(voie.slice(0, -k), next);
            if (this.ambiguous(loose)) return this.municipality(next, "voie_ambigue");
            h = loose;
          }
          if (h.length > 0) {
            hits = h;
            voie = voie.slice(0, -k);
          }
        }
    }
    if (hits.length === 0) {
      // The street may be a lieu-dit or a former commune name given in another part.
      for (const other of p.autres) {
        hits = this.streets.match(other, cands);
        if (hits.length > 0) break;
      }
    }
    if (hits.length === 0) {
      // A wrong postcode widens the search to its communes: the named one(s) alone when they are many.
      const named = wider.filter((c) => c.conf === 1);
      hits = this.streets.loose(voie, wider.length > 6 && named.length > 0 ? named : wider);
      if (this.ambiguous(hits)) return this.municipality(cands, "voie_ambigue");
    }
    if (hits.length === 0) return this.municipality(cands, "voie_inconnue");
    hits = this.streets.preferSpelling(voie, hits);
    // The type is left out (« 49 République ») or is none of the found streets' (« Clos Fleuri »
    // for the Rue and the Route du Clos Fleuri, a mistyped « Rite »): the number decides.
    const typed = new Set(voie);
    const typeOmitted = !hits.some((h) => {
      const t = this.streets.typeOf(h.voie);
      return t !== null && typed.has(t);
    });
    return resolveNumber(this.index, hits, p, typeOmitted);
  }

  /** Streets read within two typos are ambiguous when they bear different names. */
  private ambiguous(hits: readonly StreetHit[]): boolean {
    return hits.length > 1 && !this.streets.oneName(hits);
  }

  /** Geocodes many addresses; the caller drops each address as soon as its result is known. */
  geocodeBatch(addresses: readonly (readonly string[])[]): GeocodeResult[] {
    return addresses.map((a) => this.geocode(a));
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
}

/** « 13001 » → « 13 », « 97105 » → « 971 », « 2A004 » → « 2A ». */
function departementOf(code: string): string {
  return code.startsWith("97") || code.startsWith("98") ? code.slice(0, 3) : code.slice(0, 2);
}
