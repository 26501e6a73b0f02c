/**
 * Address normalisation: folds case, accents and punctuation, expands the
 * abbreviations partners type (bd, av, r, imp, st, gal…), strips the noise
 * around an address (appartement, étage, bâtiment, résidence X, BP, CS, CEDEX,
 * « chez … ») and splits a line into house number, suffix, street, postcode
 * and commune. Pure and allocation-light: it runs on every address.
 */
import { withoutInstitution } from "./institution.js";

const FOLD = new Map<number, string>();
for (let c = 0xc0; c < 0x250; c++) {
  const ch = String.fromCharCode(c);
  const base = ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  if (base !== ch && base.length === 1) FOLD.set(c, base.toLowerCase());
}
for (const [c, s] of [
  ["œ", "oe"],
  ["Œ", "oe"],
  ["æ", "ae"],
  ["Æ", "ae"],
  ["ß", "ss"],
  ["ø", "o"],
  ["Ø", "o"],
  ["đ", "d"],
  ["ł", "l"],
] as const)
  FOLD.set(c.charCodeAt(0), s);

/**
 * Lower case, no accents, every character that is not a letter or a digit
 * turned into a space, spaces collapsed. A comma or semicolon becomes `,`
 * when `keepCommas` is set (it separates the parts of an address).
 *
 * @example fold("L'Église-Saint-Ouen") // "l eglise saint ouen"
 */
export function fold(s: string, keepCommas = false): string {
  let out = "";
  let space = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let t: string | undefined;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) t = s[i];
    else if (c >= 65 && c <= 90) t = String.fromCharCode(c + 32);
    else if (c >= 0xc0) t = FOLD.get(c);
    else if (keepCommas && (c === 44 || c === 59 || c === 10)) {
      if (!space) out += " ";
      out += ", ";
      space = true;
      continue;
    }
    if (t === undefined) {
      if (!space) {
        out += " ";
        space = true;
      }
      continue;
    }
    out += t;
    space = false;
  }
  return space && out.length > 0 ? out.slice(0, -1) : out;
}

/** Abbreviation → the word the BAN writes. Street types, titles and saints. */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  r: "rue",
  ru: "rue",
  av: "avenue",
  ave: "avenue",
  avn: "avenue",
  aven: "avenue",
  bd: "boulevard",
  bld: "boulevard",
  blvd: "boulevard",
  bvd: "boulevard",
  boul: "boulevard",
  bl: "boulevard",
  imp: "impasse",
  impas: "impasse",
  pl: "place",
  plc: "place",
  ch: "chemin",
  chem: "chemin",
  chm: "chemin",
  che: "chemin",
  rte: "route",
  rt: "route",
  fg: "faubourg",
  fbg: "faubourg",
  faub: "faubourg",
  sq: "square",
  squ: "square",
  all: "allee",
  al: "allee",
  alle: "allee",
  allees: "allee",
  pass: "passage",
  psg: "passage",
  crs: "cours",
  qu: "quai",
  qua: "quai",
  qai: "quai",
  sen: "sente",
  snt: "sente",
  sent: "sentier",
  res: "residence",
  resid: "residence",
  lot: "lotissement",
  lotiss: "lotissement",
  ham: "hameau",
  ld: "lieu dit",
  lieudit: "lieu dit",
  cite: "cite",
  chs: "chaussee",
  prom: "promenade",
  rpt: "rond point",
  esp: "esplanade",
  trav: "traverse",
  carr: "carrefour",
  dom: "domaine",
  rle: "ruelle",
  mte: "montee",
  st: "saint",
  ste: "sainte",
  sts: "saints",
  gen: "general",
  gal: "general",
  gl: "general",
  mal: "marechal",
  mar: "marechal",
  pdt: "president",
  pres: "president",
  dr: "docteur",
  doc: "docteur",
  prof: "professeur",
  pr: "professeur",
  cdt: "commandant",
  cmdt: "commandant",
  cne: "capitaine",
  cap: "capitaine",
  lt: "lieutenant",
  lieut: "lieutenant",
  col: "colonel",
  cel: "colonel",
  mgr: "monseigneur",
  nd: "notre dame",
  vx: "vieux",
  gd: "grand",
  gde: "grande",
  pt: "petit",
  pte: "petite",
  fr: "freres",
};

/** Words that carry no meaning for matching a street name. */
const STOPWORDS = new Set(["de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et", "en"]);

/** Street types: they weigh less than the name in a fuzzy comparison. */
export const STREET_TYPES = new Set([
  "rue",
  "avenue",
  "boulevard",
  "impasse",
  "place",
  "chemin",
  "route",
  "faubourg",
  "square",
  "allee",
  "passage",
  "cours",
  "quai",
  "sente",
  "sentier",
  "residence",
  "lotissement",
  "hameau",
  "lieu",
  "cite",
  "chaussee",
  "promenade",
  "rond",
  "esplanade",
  "traverse",
  "carrefour",
  "domaine",
  "ruelle",
  "montee",
  "voie",
  "villa",
  "cour",
  "clos",
  "mail",
  "venelle",
  "parvis",
  "quartier",
  "rampe",
  "zone",
]);

/** Tokens of a folded text with abbreviations expanded. */
export function expandTokens(folded: string): string[] {
  const out: string[] = [];
  for (const t of folded.split(" ")) {
    if (t === "") continue;
    const e = ABBREVIATIONS[t];
    if (e === undefined) out.push(t);
    else if (e.includes(" ")) out.push(...e.split(" "));
    else out.push(e);
  }
  return out;
}

/** The matching key of a street name: expanded tokens without stopwords. */
export function streetKeyTokens(tokens: readonly string[]): string[] {
  return tokens.filter((t) => !STOPWORDS.has(t));
}

export function streetKey(name: string): string {
  return streetKeyTokens(expandTokens(fold(name))).join(" ");
}

/** The matching key of a commune name (« Saint-Étienne-du-Rouvray » → "saint etienne rouvray"). */
export function communeKey(name: string): string {
  return streetKeyTokens(expandTokens(fold(name)))
    .filter((t) => t !== "cedex")
    .join(" ");
}

/** House number suffixes as the BAN writes them, and how partners type them. */
const SUFFIXES: Readonly<Record<string, string>> = {
  bis: "bis",
  b: "b",
  ter: "ter",
  t: "t",
  quater: "quater",
  qua: "quater",
  q: "q",
  quinquies: "quinquies",
  a: "a",
  c: "c",
  d: "d",
  e: "e",
};

/** Normalised BAN suffix (« Bis », « B », « ter »…) for the index. */
export function normaliseSuffix(rep: string): string {
  const f = fold(rep).replace(/ /g, "");
  return SUFFIXES[f] ?? f;
}

/** Suffixes that denote the same address in different communes' usage: b ↔ bis, t ↔ ter, q ↔ quater. */
export function suffixAlternatives(s: string): readonly string[] {
  switch (s) {
    case "b":
      return ["bis"];
    case "bis":
      return ["b"];
    case "t":
      return ["ter"];
    case "ter":
      return ["t"];
    case "q":
      return ["quater"];
    case "quater":
      return ["q"];
    default:
      return [];
  }
}

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
}

const NUM_RE = /^(\d{1,4})(bis|ter|quater|qua|b|t|q|a|c|d)?$/;
const POSTCODE_RE = /^\d{5}$/;

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
      const toks = seg.trim() === "" ? [] : withoutInstitution(seg.trim().split(" "), isTypeToken);
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
      if (POSTCODE_RE.test(t) && prev !== "bp" && prev !== "cs" && prev !== "tsa" && prev !== "cedex") {
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
  const clean = removeNoise(segments, true);
  const parsed = splitStreet(clean, codePostal, commune, cpSeg);
  // « 12 résidence des Fleurs » may be the street itself: retry keeping it.
  if (!parsed.voie.some((t) => /[a-z]{2}/.test(t)) && segments.some((s) => s.some((t) => NOISE_REST.has(t))))
    return splitStreet(removeNoise(segments, false), codePostal, commune, cpSeg);
  return parsed;
}

const ARTICLE_TOKENS = new Set(["le", "la", "les", "l", "du", "des", "de", "d"]);

function isTypeToken(t: string): boolean {
  return STREET_TYPES.has(ABBREVIATIONS[t] ?? t);
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

function removeNoise(segments: readonly string[][], rest: boolean): string[][] {
  const clean: string[][] = [];
  for (const seg of segments) {
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
        // After a number alone in its column (« 30 » | « Résidence Hector Berlioz »), it is the street.
        const prev = clean[clean.length - 1];
        const afterNumber = i === 0 && prev !== undefined && prev.length <= 2 && NUM_RE.test(prev[0]!);
        const complement =
          t === "chez" || t === "co" || j < seg.length || (i === 0 && segments.length > 1 && !afterNumber);
        if (complement) {
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
      if (ORDINAL.test(t) && (FLOOR_WORDS.has(seg[i + 1] ?? "") || t === "rdc")) {
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
          !prev.some((t) => /^\d/.test(t)) &&
          !(clean[s + 1] ?? []).some(isTypeToken)
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
      if (/^\d/.test(seg[j]!) && !ORDINAL.test(seg[j]!)) continue;
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
  const isType = (t: string | undefined) => t !== undefined && STREET_TYPES.has(ABBREVIATIONS[t] ?? t);
  const extra: string[][] = [];
  // « Rue Corneille, 36 Quincampoix »: the number (and the commune) after a street named by its type.
  if (numero !== null && streetSeg > 0 && numSeg < 0 && !voie.some(isType)) {
    const k = clean.findIndex((seg, i) => i < streetSeg && isType(seg[0]) && !seg.some((t) => /^\d/.test(t)));
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
    voie: expandTokens(voie.join(" ")),
    codePostal,
    commune: expandTokens(commune.join(" ")),
    autres: autres.map((a) => expandTokens(a.join(" "))),
    ...(voieEntiere ? { voieEntiere: expandTokens(voieEntiere.join(" ")) } : {}),
  };
}

/**
 * Damerau–Levenshtein (optimal string alignment) distance, bounded: returns
 * `max + 1` as soon as the distance exceeds `max`.
 */
export function editDistance(a: string, b: string, max = 3): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0) return lb;
  if (lb === 0) return la;
  // Three rows reused from call to call: this runs millions of times per file.
  if (lb + 1 > ROW_CAPACITY) growRows(lb + 1);
  let prev2 = ROWS[0]!;
  let prev = ROWS[1]!;
  let cur = ROWS[2]!;
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      if (ins < v) v = ins;
      const sub = prev[j - 1]! + (ca === cb ? 0 : 1);
      if (sub < v) v = sub;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        const tr = prev2[j - 2]! + 1;
        if (tr < v) v = tr;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb]!;
}

let ROW_CAPACITY = 64;
let ROWS: Int32Array[] = [
  new Int32Array(ROW_CAPACITY),
  new Int32Array(ROW_CAPACITY),
  new Int32Array(ROW_CAPACITY),
];
function growRows(n: number): void {
  ROW_CAPACITY = n;
  ROWS = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
}
