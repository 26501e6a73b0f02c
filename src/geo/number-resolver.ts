/**
 * The number on the matched streets, and whether the IRIS is certain: an
 * exact number, an interpolation between two numbers of the same parity in
 * the same IRIS, or a street that lies in one IRIS; streets that tie with
 * different IRIS give « unknown ».
 */
import type { AddressIndex } from "./address-index.js";
import type { ParsedAddress } from "./address-parser.js";
import { type GeocodeResult, type NoIrisReason, type ResultType, round } from "./geocode-result.js";
import { streetKey, suffixAlternatives } from "./normalize.js";
import type { StreetHit } from "./street-matcher.js";

/** Candidates within this score of the best are ambiguous with it. */
const TIE = 0.04;

export function resolveNumber(
  ix: AddressIndex,
  hits: readonly StreetHit[],
  p: ParsedAddress,
  typeOmitted = false,
): GeocodeResult {
  const best = hits[0]!.score;
  let tied = hits.filter((h) => h.score >= best - TIE);
  let results = tied.map((h) => numberOn(ix, h.voie, p));
  if (tied.length > 1 && p.numero !== null && (typeOmitted || sameName(ix, tied))) {
    // « 85 Pierre Corneille » with a Rue and a Place Pierre Corneille, or « 29 Rue du
    // Château 96168 » where two villages of that postcode have a Rue du Château: a person
    // leaves out the streets whose numbering that number is outside of (two beyond the
    // last listed house, for a house the BAN may not list yet), and takes the IRIS when
    // every street left puts the number in the same one.
    const n = p.numero;
    const keep: number[] = [];
    for (let k = 0; k < tied.length; k++) if (holds(ix, tied[k]!.voie, n)) keep.push(k);
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

/** Whether street v's listed numbers, two beyond either end, hold number n. */
function holds(ix: AddressIndex, v: number, n: number): boolean {
  const lo = ix.numStart[v]!;
  const hi = ix.numStart[v + 1]!;
  return hi > lo && n >= ix.numero[lo]! - 2 && n <= ix.numero[hi - 1]! + 2;
}

/** The IRIS of street v when it lies in one (every street of a commune non irisée). */
function streetIris(ix: AddressIndex, v: number, ce: AddressIndex["communes"][number]): string | null {
  if (ce.irisStatus === "non_irisee") return `${ce.code}0000`;
  const a = ix.voieIrisStart[v]!;
  return ix.voieIrisStart[v + 1]! - a === 1 ? ix.iris[ix.voieIris[a]!]! : null;
}

function irisAt(ix: AddressIndex, k: number): string | null {
  const i = ix.numIris[k]!;
  return i < 0 ? null : ix.iris[i]!;
}

/** Whether the tied streets bear one name (the same street name in several communes). */
function sameName(ix: AddressIndex, tied: readonly StreetHit[]): boolean {
  const name = streetKey(ix.voieNom[tied[0]!.voie]!);
  return tied.every((h) => streetKey(ix.voieNom[h.voie]!) === name);
}

function numberOn(
  ix: AddressIndex,
  v: number,
  p: ParsedAddress,
): { type: ResultType; iris: string | null; factor: number; why?: NoIrisReason } {
  const lo = ix.numStart[v]!;
  const hi = ix.numStart[v + 1]!;
  const ce = ix.communes[ix.voieCommune[v]!]!;
  if (p.numero === null || hi === lo)
    return { type: "street", iris: streetIris(ix, v, ce), factor: 0.8, why: "numero_absent" };
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
  if (end > a) {
    const want = p.suffixe ?? "";
    const alts = p.suffixe ? [want, ...suffixAlternatives(want)] : [""];
    for (let q = 0; q < alts.length; q++)
      for (let k = a; k < end; k++)
        if (ix.reps[ix.numRep[k]!] === alts[q])
          return { type: "housenumber", iris: irisAt(ix, k), factor: q === 0 ? 1 : 0.97 };
    // The number exists with another suffix (or none): same building in all but rare cases.
    const set = new Set<string | null>();
    for (let k = a; k < end; k++) set.add(irisAt(ix, k));
    if (set.size === 1) return { type: "housenumber", iris: irisAt(ix, a), factor: 0.9 };
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
  const si = streetIris(ix, v, ce);
  if (below >= 0 && above >= 0) {
    const ib = irisAt(ix, below);
    if (ib !== null && ib === irisAt(ix, above)) return { type: "interpolated", iris: ib, factor: 0.9 };
  }
  const inside = below >= 0 && above >= 0;
  // Before the first or past the last listed house, the street may run on into another IRIS:
  // the street's own IRIS is only certain for a commune non irisée.
  return {
    type: "interpolated",
    iris: inside || ce.irisStatus === "non_irisee" ? si : null,
    factor: inside ? 0.85 : 0.7,
    why: inside ? "numero_ambigu" : "numero_hors_voie",
  };
}
