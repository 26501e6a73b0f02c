/**
 * Address text normalisation: folds case, accents and punctuation, expands
 * the abbreviations partners type (bd, av, r, imp, st, gal…) and gives the
 * matching keys of street and commune names and the house number suffixes.
 * Pure and allocation-light: it runs on every address. The address-line
 * parser is `address-parser.ts`, the bounded edit distance `edit-distance.ts`.
 */
import { withoutPrototype } from "../core/lookup.js";

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
  // Character codes into a reused buffer, one string made at the end: a string grown one
  // character at a time is a chain V8 must flatten before it can split it.
  if (3 * s.length + 1 > FOLD_BUF.length) FOLD_BUF = new Uint16Array(3 * s.length + 64);
  const buf = FOLD_BUF;
  let n = 0;
  let space = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let t = -1;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) t = c;
    else if (c >= 65 && c <= 90) t = c + 32;
    else if (c >= 0xc0) {
      const f = FOLD.get(c);
      if (f !== undefined) {
        for (let k = 0; k < f.length; k++) buf[n++] = f.charCodeAt(k);
        space = false;
        continue;
      }
    } else if (keepCommas && (c === 44 || c === 59 || c === 10)) {
      if (!space) buf[n++] = 32;
      buf[n++] = 44;
      buf[n++] = 32;
      space = true;
      continue;
    }
    if (t < 0) {
      if (!space) {
        buf[n++] = 32;
        space = true;
      }
      continue;
    }
    buf[n++] = t;
    space = false;
  }
  if (space && n > 0) n--;
  let out = "";
  for (let from = 0; from < n; from += 4096)
    out += String.fromCharCode.apply(
      null,
      buf.subarray(from, Math.min(n, from + 4096)) as unknown as number[],
    );
  return out;
}

let FOLD_BUF = new Uint16Array(256);

/** Abbreviation → the word the BAN writes. Street types, titles and saints. */
export const ABBREVIATIONS: Readonly<Record<string, string>> = withoutPrototype({
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
});

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

/**
 * `expandTokens` of words already split (no empty word, no space): the same tokens without
 * joining and splitting them again.
 */
export function expandWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of words) {
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
export const SUFFIXES: Readonly<Record<string, string>> = withoutPrototype({
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
});

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
