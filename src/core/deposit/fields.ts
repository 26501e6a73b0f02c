/**
 * Reading one value of a partner's file as the type its convention states.
 * Partner software exports dates as dd/mm/yyyy or Excel serials, decimals
 * with a comma, codes as numbers that lost their leading zero, yes/no in
 * French. Each reader returns the normalised value or what was expected, in
 * French; it never echoes the value (it may be an identifier or an address).
 */

import type { FieldType } from "../convention/model.js";
import { withoutPrototype } from "../lookup.js";

export type FieldValue = string | number | boolean | null;

export type Read = { ok: true; value: FieldValue } | { ok: false; attendu: string };

const OK = (value: FieldValue): Read => ({ ok: true, value });
const KO = (attendu: string): Read => ({ ok: false, attendu });

export const EXPECTED_FR: Readonly<Record<FieldType, string>> = {
  identifiant: "un identifiant non vide",
  adresse: "une adresse",
  texte: "un texte",
  entier: "un nombre entier (ex. 12)",
  decimal: "un nombre (ex. 12,5)",
  date: "une date JJ/MM/AAAA",
  sexe: "un sexe : M ou F (1 ou 2, H, homme, femme)",
  gir: "un GIR de 1 à 6",
  oui_non: "oui ou non",
  code_commune: "un code commune à 5 caractères (ex. 13001, 2A004)",
  code_iris: "un code IRIS à 9 caractères (ex. 130010101)",
  montant: "un montant en euros (ex. 1 234,56)",
  taux: "un taux ou une part (ex. 12,5 ou 12,5 %)",
};

/** Days from 1899-12-30 (Excel's epoch, with its 1900 leap-year bug accounted for). */
function fromExcelSerial(n: number): string | null {
  if (!Number.isFinite(n) || n < 1 || n > 2958465) return null;
  const ms = Math.round(n) * 86_400_000 + Date.UTC(1899, 11, 30);
  return new Date(ms).toISOString().slice(0, 10);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in month m (1–12) of year y, Gregorian (no Date: this runs on every row). */
export function daysInMonth(y: number, m: number): number {
  if (m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) return 29;
  return MONTH_DAYS[m - 1]!;
}

function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1) return null;
  if (d > daysInMonth(y, m)) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

export function readDate(raw: string): string | null {
  const s = raw.trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s);
  if (m) return isoDate(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/.exec(s);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (/^\d{4,6}(?:[.,]0+)?$/.test(s)) return fromExcelSerial(Number(s.replace(",", ".")));
  return null;
}

/** French-formatted number: spaces or dots as thousands separators, comma or dot decimal, optional €. */
export function readNumber(raw: string): number | null {
  let s = raw
    .trim()
    .replace(/\u00a0|\u202f/g, " ")
    .replace(/€|EUR$/i, "")
    .trim();
  if (s === "") return null;
  const negative = /^-/.test(s) || /^\(.*\)$/.test(s);
  s = s.replace(/^[-+]|^\(|\)$/g, "").replace(/ /g, "");
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) s = s.replace(/\./g, "").replace(",", ".");
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
  else s = s.replace(",", ".");
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) return null;
  const n = Number(s);
  return negative ? -n : n;
}

const SEXE: Readonly<Record<string, "M" | "F">> = withoutPrototype({
  m: "M",
  h: "M",
  "1": "M",
  homme: "M",
  masculin: "M",
  garcon: "M",
  f: "F",
  "2": "F",
  femme: "F",
  feminin: "F",
  fille: "F",
});

const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .trim();

const YES = new Set(["oui", "o", "1", "vrai", "yes", "y", "x"]);
const NO = new Set(["non", "n", "0", "faux", "no"]);

/** A commune or IRIS code given as a number loses its leading zero: 1004 → 01004. */
function readCode(raw: string, length: number): string | null {
  let s = raw.trim().toUpperCase().replace(/\.0+$/, "");
  if (/^\d+$/.test(s) && s.length === length - 1) s = `0${s}`;
  if (length === 5 ? /^(\d{2}|2A|2B)\d{3}$/.test(s) : /^(\d{2}|2A|2B)\d{7}$/.test(s)) return s;
  return null;
}

/** Reads one value; an empty value is null (whether it is allowed is the caller's rule). */
export function readField(type: FieldType, raw: string): Read {
  const s = raw.trim();
  if (s === "") return OK(null);
  switch (type) {
    case "identifiant":
    case "adresse":
    case "texte":
      return OK(s.normalize("NFC"));
    case "entier": {
      const n = readNumber(s);
      return n !== null && Number.isInteger(n) ? OK(n) : KO(EXPECTED_FR.entier);
    }
    case "decimal":
    case "montant": {
      const n = readNumber(s.replace(/\s*€$/, ""));
      return n !== null ? OK(n) : KO(EXPECTED_FR[type]);
    }
    case "taux": {
      const n = readNumber(s.replace(/\s*%$/, ""));
      return n !== null ? OK(n) : KO(EXPECTED_FR.taux);
    }
    case "date": {
      const d = readDate(s);
      return d ? OK(d) : KO(EXPECTED_FR.date);
    }
    case "sexe": {
      const v = SEXE[fold(s)];
      return v ? OK(v) : KO(EXPECTED_FR.sexe);
    }
    case "gir": {
      const m = /^(?:gir\s*)?([1-6])$/i.exec(s);
      return m ? OK(Number(m[1])) : KO(EXPECTED_FR.gir);
    }
    case "oui_non": {
      const f = fold(s);
      if (YES.has(f)) return OK(true);
      if (NO.has(f)) return OK(false);
      return KO(EXPECTED_FR.oui_non);
    }
    case "code_commune": {
      const c = readCode(s, 5);
      return c ? OK(c) : KO(EXPECTED_FR.code_commune);
    }
    case "code_iris": {
      const c = readCode(s, 9);
      return c ? OK(c) : KO(EXPECTED_FR.code_iris);
    }
  }
}

/** Age in whole years on a date (birthdays on 29 February count on 28 February in common years). */
export function ageOn(birth: string, on: string): number {
  const [by, bm, bd] = ymd(birth);
  const [y, m, d] = ymd(on);
  let age = y - by;
  const lastDay = daysInMonth(y, m);
  const birthdayDay = Math.min(bd, bm === m ? lastDay : bd);
  if (m < bm || (m === bm && d < birthdayDay)) age--;
  return age;
}

/** Year, month, day of an ISO date « YYYY-MM-DD ». */
function ymd(iso: string): [number, number, number] {
  const a = iso.indexOf("-");
  const b = iso.indexOf("-", a + 1);
  return [Number(iso.slice(0, a)), Number(iso.slice(a + 1, b)), Number(iso.slice(b + 1))];
}

export interface AgeBand {
  code: string;
  libelle: string;
  min: number;
  /** Inclusive; undefined for the open last band. */
  max?: number;
}

/** Bands from their lower bounds, e.g. [0, 3, 6, 18, 60, 75] → 0-2, 3-5, 6-17, 18-59, 60-74, 75+. */
export function ageBands(bounds: readonly number[]): AgeBand[] {
  return bounds.map((min, i) => {
    const next = bounds[i + 1];
    return next === undefined
      ? { code: `${min}+`, libelle: `${min} ans et plus`, min }
      : { code: `${min}-${next - 1}`, libelle: `${min} à ${next - 1} ans`, min, max: next - 1 };
  });
}

export function bandOf(bands: readonly AgeBand[], age: number): AgeBand | undefined {
  return bands.find((b) => age >= b.min && (b.max === undefined || age <= b.max));
}
