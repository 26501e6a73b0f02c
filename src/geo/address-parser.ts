/**
 * The address-line parser: splits an address, given in one string or in
 * several columns, into house number, suffix, street, postcode and commune,
 * after stripping the noise around it (appartement, étage, bâtiment,
 * résidence X, BP, CS, CEDEX, « chez … », an institution before the
 * address). Nothing is guessed about which street exists: that is the
 * matcher's job (`geocoder.ts`).
 */
import { withoutInstitution } from "./institution.js";
import { ABBREVIATIONS, expandWords, fold, STREET_TYPES, SUFFIXES } from "./normalize.js";

/** Markers of complements that are not part of the street: marker + its value. */
const NOISE_ONE = new Set([
  "appartement",
  "appart",
  "appt",
  "apt",
  "app",
  "etage",
  "etg",
  "batiment",
  "bat",
  "bt",
  "bati",
  "escalier",
  "esc",
  "logement",
  "log",
  "lgt",
  "bp",
  "cs",
  "tsa",
  "cedex",
  "immeuble",
  "imm",
]);
/** Markers whose complement runs to the next house number (or the end of the segment). */
const NOISE_REST = new Set(["chez", "residence", "res", "resid", "co"]);
/** « n° 12 », « no 12 »: the marker goes, the number stays. */
const NUMBER_MARKERS = new Set(["n", "no", "num", "numero"]);
const ORDINAL = /^(?:\d{1,2}(?:e|er|ere|eme|em|ieme)|rdc)$/;
const FLOOR_WORDS = new Set(["etage", "etg", "et"]);

export interface ParsedAddress {
  numero: number | null;
  suffixe: string | null;
  /** Street tokens (abbreviations expanded), may include a trailing commune name. */
  voie: string[];
  codePostal: string | null;
  /** Commune tokens when they could be told apart from the street. */
  commune: string[];
  /** The address parts other than the street, kept to try a lieu-dit or an old commune. */
  autres: string[][];
  /**
   * When the number was read after the street (« rue du Puits 89 »), the
   * street with it: « rue du 8 Mai 1945 » is a street, not number 1945.
   */
  voieEntiere?: string[];
  /**
   * Another reading, tried when this one finds no street: « Mairie, 12
   * Hattenville » read as street « Mairie », number 12, commune « Hattenville ».
   */
  inverse?: ParsedAddress;
}

const NUM_RE = /^(\d{1,4})(bis|ter|quater|qua|b|t|q|a|c|d)?$/;
function startsWithDigit(t: string): boolean {
  const c = t.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** /^\d{5}$/ without a regular expression: tried on every word. */
function isPostcode(t: string): boolean {
  if (t.length !== 5) return false;
  for (let i = 0; i < 5; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Splits an address, given in one string or in several parts (columns), into
 * its components. Noise complements are removed; nothing is guessed about
 * which commune or street exists: that is the matcher's job.
 */
export function parseAddress(parts: readonly string[]): ParsedAddress {
  // Segments: columns, and commas within a column.
  const segments: string[][] = [];
  for (const p of parts) {
    if (!p) continue;
    for (const seg of fold(p, true).split(",")) {
      const trimmed = seg.trim();
      const toks = trimmed === "" ? [] : withoutInstitution(trimmed.split(" "), isTypeToken);
      if (toks.length > 0) segments.push([...toks]);
    }
  }
  // Postcode: the last 5-digit token not preceded by BP/CS/CEDEX.
  let codePostal: string | null = null;
  let cpSeg = -1;
  let cpPos = -1;
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    for (let i = 0; i < seg.length; i++) {
      const t = seg[i]!;
      const prev = seg[i - 1];
      if (isPostcode(t) && prev !== "bp" && prev !== "cs" && prev !== "tsa" && prev !== "cedex") {
        codePostal = t;
        cpSeg = s;
        cpPos = i;
      }
    }
  }
  // Commune: what follows the postcode in its segment, or the next segment.
  let commune: string[] = [];
  if (cpSeg >= 0) {
    const seg = segments[cpSeg]!;
    const after = seg.slice(cpPos + 1).filter((t) => t !== "cedex" && !/^\d{1,2}$/.test(t));
    if (after.length > 0) commune = after;
    else if (cpPos === 0 && cpSeg + 1 < segments.length) {
      commune = segments[cpSeg + 1]!;
      segments.splice(cpSeg + 1, 1);
    }
    segments[cpSeg] = seg.slice(0, cpPos);
  }
  const clean = removeNoise(segments, true, codePostal === null);
  const parsed = splitStreet(clean, codePostal, commune, cpSeg);
  // « 12 résidence des Fleurs » may be the street itself: retry keeping it.
  if (!parsed.voie.some((t) => /[a-z]{2}/.test(t)) && segments.some((s) => s.some((t) => NOISE_REST.has(t))))
    return splitStreet(removeNoise(segments, false), codePostal, commune, cpSeg);
  return parsed;
}

const MONTHS = new Set([
  "janvier",
  "fevrier",
  "mars",
  "avril",
  "mai",
  "juin",
  "juillet",
  "aout",
  "septembre",
  "octobre",
  "novembre",
  "decembre",
]);

const ARTICLE_TOKENS = new Set(["le", "la", "les", "l", "du", "des", "de", "d"]);

function isTypeToken(t: string): boolean {
  return STREET_TYPES.has(ABBREVIATIONS[t] ?? t);
}

function isType(t: string | undefined): boolean {
  return t !== undefined && STREET_TYPES.has(ABBREVIATIONS[t] ?? t);
}

/** Whether a house number followed by a street type starts at `seg[j]`. */
function startsStreet(seg: readonly string[], j: number): boolean {
  const m = NUM_RE.exec(seg[j]!);
  if (!m) return false;
  let k = j + 1;
  if (!m[2] && SUFFIXES[seg[k] ?? ""] !== undefined) k++;
  const w = seg[k];
  return w !== undefined && STREET_TYPES.has(ABBREVIATIONS[w] ?? w);
}

/**
 * Drops the complements. Without a postcode (`keepTail`), a « résidence »
 * or « chez » complement that runs to the end of the last part is kept,
 * marker included: it may end with the commune (« Av. du Nord, 22,
 * Résidence du Parc Hattenville »), which the commune matcher finds after
 * the marker.
 */
/** Whether a segment ends with a house number (a year such as « 1945 » is part of a name). */
function endsWithHouseNumber(seg: readonly string[]): boolean {
  return /^\d{1,3}[a-z]*$/.test(seg[seg.length - 1] ?? "");
}

function removeNoise(segments: readonly string[][], rest: boolean, keepTail = false): string[][] {
  const clean: string[][] = [];
  for (let si = 0; si < segments.length; si++) {
    const seg = segments[si]!;
    const out: string[] = [];
    for (let i = 0; i < seg.length; i++) {
      const t = seg[i]!;
      if (rest && NOISE_REST.has(t)) {
        let j = i + 1;
        // The complement runs to the street: a house number and a type, or a type after a name.
        while (
          j < seg.length &&
          !startsStreet(seg, j) &&
          !(j >= i + 2 && isTypeToken(seg[j]!) && !ARTICLE_TOKENS.has(seg[j - 1]!))
        )
          j++;
        // « chez X » is always a complement; « résidence X » only before a street or alone in its part.
        // After a number alone in its column (« 30 » | « Résidence Hector Berlioz »), it is the street,
        // unless that number follows a street (« Av. du Nord, 22, Résidence du Parc »).
        const prev = clean[clean.length - 1];
        const beforeNumber = clean[clean.length - 2];
        const afterNumber =
          i === 0 &&
          prev !== undefined &&
          prev.length <= 2 &&
          NUM_RE.test(prev[0]!) &&
          !(beforeNumber !== undefined && isTypeToken(beforeNumber[0]!) && !NOISE_REST.has(beforeNumber[0]!));
        const complement =
          t === "chez" || t === "co" || j < seg.length || (i === 0 && segments.length > 1 && !afterNumber);
        if (complement) {
          if (keepTail && j === seg.length && si === segments.length - 1 && clean.length > 0 && t !== "co") {
            out.push(...seg.slice(i));
            break;
          }
          i = j - 1;
          continue;
        }
      }
      if (NOISE_ONE.has(t)) {
        // Marker and its value (« apt 12 », « bat B », « BP 123 », « cedex 9 »).
        const next = seg[i + 1];
        if (next !== undefined && (next.length <= 3 || /^\d+$/.test(next))) i++;
        continue;
      }
      if (NUMBER_MARKERS.has(t) && /^\d/.test(seg[i + 1] ?? "")) continue;
      if (
        (startsWithDigit(t) || t === "rdc") &&
        ORDINAL.test(t) &&
        (FLOOR_WORDS.has(seg[i + 1] ?? "") || t === "rdc")
      ) {
        if (t !== "rdc") i++;
        continue;
      }
      out.push(t);
    }
    if (out.length > 0) clean.push(out);
  }
  return clean;
}

function splitStreet(
  clean: string[][],
  codePostal: string | null,
  communeIn: string[],
  cpSeg: number,
): ParsedAddress {
  let commune = communeIn;
  // House number: the first segment that starts with a number followed by a word.
  let numero: number | null = null;
  let suffixe: string | null = null;
  let voie: string[] = [];
  let streetSeg = -1;
  let numSeg = -1;
  for (let s = 0; s < clean.length && streetSeg < 0; s++) {
    const seg = clean[s]!;
    for (let i = 0; i < seg.length; i++) {
      // A house number starts with a digit: the regular expression only for those words.
      if (!startsWithDigit(seg[i]!)) continue;
      const m = NUM_RE.exec(seg[i]!);
      if (!m) continue;
      let j = i + 1;
      let suf = m[2] ? (SUFFIXES[m[2]] ?? m[2]) : null;
      if (
        !suf &&
        j < seg.length &&
        SUFFIXES[seg[j]!] !== undefined &&
        (j + 1 < seg.length || s + 1 < clean.length)
      ) {
        suf = SUFFIXES[seg[j]!]!;
        j++;
      }
      if (j >= seg.length) {
        // A number ending a segment after words is read after the street (below).
        if (i > 0) break;
        const prev = clean[s - 1];
        if (
          prev &&
          isTypeToken(prev[0]!) &&
          !endsWithHouseNumber(prev) &&
          !(clean[s + 1] ?? []).some((t) => isTypeToken(t) && !NOISE_REST.has(t))
        ) {
          // « Rue Capitaine Dreyfus, 11, Apt 12 Rouville »: the number of the street before it.
          numero = Number(m[1]);
          suffixe = suf;
          streetSeg = s - 1;
          numSeg = s;
          voie = prev;
          break;
        }
        // A bare number segment (split columns: « 12 » | « rue … », « 84 » | « 8 Mai 1945 »).
        if (s + 1 < clean.length && (!/^\d/.test(clean[s + 1]![0]!) || !startsStreet(clean[s + 1]!, 0))) {
          numero = Number(m[1]);
          suffixe = suf;
          const next = s + 1;
          // « 3 » | « bis » | « rue … »: the suffix has a column of its own.
          const lone = clean[next]!;
          if (!suf && lone.length === 1 && SUFFIXES[lone[0]!] !== undefined && next + 1 < clean.length) {
            suffixe = SUFFIXES[lone[0]!]!;
            clean.splice(next, 1);
          }
          streetSeg = next;
          numSeg = s;
          voie = clean[next]!;
        }
        break;
      }
      // « Allée du 19 Mars 1962 », « Avneue du 8 Mai 1945 »: a number after an article is a date in a name.
      if (i > 0 && ARTICLE_TOKENS.has(seg[i - 1]!)) break;
      if (/^\d/.test(seg[j]!) && !ORDINAL.test(seg[j]!)) {
        // « 16 8 Mai 1945 »: a house number before a street named by a date (its type left out).
        if (!(i === 0 && /^\d{1,2}$/.test(seg[j]!) && MONTHS.has(seg[j + 1] ?? ""))) continue;
      }
      if (i > 0) {
        // « Passage des Chênes 24 q »: a number and its suffix end the street, read below.
        if (j === seg.length - 1 && SUFFIXES[seg[j]!] !== undefined) break;
        // « Square du 8 Mai 1945 66 »: after a street type, a number not followed by
        // another street is part of the name.
        if (seg.slice(0, i).some(isTypeToken) && !isTypeToken(seg[j]!)) break;
      }
      numero = Number(m[1]);
      suffixe = suf;
      // A suffix column split from the number (« 3 » | « bis » | « rue … ») is handled above.
      voie = seg.slice(j);
      streetSeg = s;
      break;
    }
  }
  if (streetSeg < 0) {
    // No number: the segment that names a street type, else the first one.
    let best = clean.findIndex((seg) => seg.some((t) => STREET_TYPES.has(ABBREVIATIONS[t] ?? t)));
    if (best < 0) best = clean.length > 0 ? 0 : -1;
    if (best >= 0) {
      streetSeg = best;
      voie = clean[best]!;
    }
  }
  const extra: string[][] = [];
  let inverse: ParsedAddress | undefined;
  // « Rue Corneille, 36 Quincampoix »: the number (and the commune) after a street named by its type.
  if (numero !== null && streetSeg > 0 && numSeg < 0 && !voie.some(isType)) {
    const k = clean.findIndex((seg, i) => i < streetSeg && isType(seg[0]) && !endsWithHouseNumber(seg));
    if (k < 0 && cpSeg < 0 && streetSeg === 1 && !clean[0]!.some((t) => /^\d/.test(t))) {
      // « Mairie, 12 Hattenville », « Sete du Port, 33 Envronville »: the street without its type
      // (or with a misspelt one) before the number and the commune; read so when the other
      // reading (street « Hattenville » in commune « Mairie ») finds nothing.
      inverse = {
        numero,
        suffixe,
        voie: expandWords(clean[0]!),
        codePostal,
        commune: expandWords(voie),
        autres: clean.slice(2).map((a) => expandWords(a)),
      };
    }
    if (k >= 0) {
      const rest = voie;
      voie = clean[k]!;
      numSeg = streetSeg;
      streetSeg = k;
      if (rest.length > 0) {
        if (commune.length === 0 && cpSeg < 0) commune = rest;
        else extra.push(rest);
      }
    }
  }
  let voieEntiere: string[] | undefined;
  if (numero === null && streetSeg >= 0) {
    // « Quai Victor Hugo, 12 » / « Quai Victor Hugo, 12 bis » : a number segment after the street.
    const k = streetSeg + 1;
    const seg = clean[k];
    const m = seg ? NUM_RE.exec(seg[0]!) : null;
    if (seg && m && !ORDINAL.test(seg[0]!)) {
      numero = Number(m[1]);
      suffixe = m[2] ? (SUFFIXES[m[2]] ?? m[2]) : null;
      let from = 1;
      if (!suffixe && seg.length > 1 && SUFFIXES[seg[1]!] !== undefined && seg[1]!.length > 1) {
        suffixe = SUFFIXES[seg[1]!]!;
        from = 2;
      }
      numSeg = k;
      const rest = seg.slice(from);
      if (rest.length > 0) {
        if (commune.length === 0 && cpSeg < 0) commune = rest;
        else extra.push(rest);
      }
    } else if (voie.length >= 2) {
      // « rue du Puits 89 », « impasse de Verdun 16 ter »: the number ends the street.
      let e = voie.length;
      let suf: string | null = null;
      const last = voie[e - 1]!;
      if (e >= 3 && SUFFIXES[last] !== undefined && /^\d+$/.test(voie[e - 2]!)) {
        suf = SUFFIXES[last]!;
        e--;
      }
      const n = NUM_RE.exec(voie[e - 1]!);
      // After a word, or after a year ending the street's name (« Square du 8 Mai 1945 66 »).
      if (n && /[a-z]|^\d{4}$/.test(voie[e - 2] ?? "")) {
        numero = Number(n[1]);
        suffixe = suf ?? (n[2] ? (SUFFIXES[n[2]] ?? n[2]) : null);
        voieEntiere = voie;
        voie = voie.slice(0, e - 1);
      }
    }
  }
  // A suffix alone in the street segment head (« 3 » | « bis » | « rue … » joined).
  if (numero !== null && suffixe === null && voie.length > 1 && SUFFIXES[voie[0]!] && voie[0]!.length > 1) {
    suffixe = SUFFIXES[voie[0]!]!;
    voie = voie.slice(1);
  }
  const autres = [...clean.filter((_, i) => i !== streetSeg && i !== numSeg), ...extra];
  if (commune.length === 0 && cpSeg < 0 && autres.length > 0) {
    // No postcode: a trailing segment is the commune.
    commune = autres[autres.length - 1]!;
    autres.pop();
  }
  return {
    numero,
    suffixe,
    voie: expandWords(voie),
    codePostal,
    commune: expandWords(commune),
    autres: autres.map((a) => expandWords(a)),
    ...(voieEntiere ? { voieEntiere: expandWords(voieEntiere) } : {}),
    ...(inverse ? { inverse } : {}),
  };
}
