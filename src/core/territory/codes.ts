/**
 * Territorial codes. Codes are always strings: Corsica is `2A`/`2B`, and
 * leading zeros matter (`01001`). An IRIS code is the 5-character commune code
 * followed by 4 digits; a commune without IRIS has the pseudo-IRIS `XXXXX0000`.
 */

const COMMUNE_RE = /^(?:[0-9]{2}|2A|2B)[0-9]{3}$/;
const IRIS_RE = /^(?:[0-9]{2}|2A|2B)[0-9]{3}[0-9]{4}$/;
const EPCI_RE = /^[0-9]{9}$/;

export type CodeCommune = string;
export type CodeIris = string;

export const isCodeCommune = (s: string): boolean => COMMUNE_RE.test(s);
export const isCodeIris = (s: string): boolean => IRIS_RE.test(s);
export const isCodeEpci = (s: string): boolean => EPCI_RE.test(s);

/** `765400101` → `76540`. */
export const communeOfIris = (iris: CodeIris): CodeCommune => iris.slice(0, 5);

/** The pseudo-IRIS of a commune non irisée: `76001` → `760010000`. */
export const irisCommuneNonIrisee = (commune: CodeCommune): CodeIris => `${commune}0000`;

export const isIrisCommuneNonIrisee = (iris: CodeIris): boolean => iris.endsWith("0000");

/** Département of a commune: 3 characters overseas (`97105` → `971`), else 2. */
export function departementOfCommune(commune: CodeCommune): string {
  return commune.startsWith("97") || commune.startsWith("98") ? commune.slice(0, 3) : commune.slice(0, 2);
}

export type CodeProblem =
  | { kind: "ok"; code: string }
  | { kind: "manquant" }
  | { kind: "zero_perdu"; digits: number }
  | { kind: "format" };

/**
 * Reads an IRIS code as found in a source file. A number (a DBF numeric field,
 * a JSON number) or a string of 8 digits means a leading zero was lost: the
 * code cannot be trusted and the file is refused rather than guessed.
 *
 * @example readIrisCode("765400101") // { kind: "ok", code: "765400101" }
 * @example readIrisCode(10010101)    // { kind: "zero_perdu", digits: 8 }
 */
export function readIrisCode(raw: unknown): CodeProblem {
  if (raw === null || raw === undefined) return { kind: "manquant" };
  if (typeof raw === "number") {
    if (!Number.isInteger(raw) || raw < 0) return { kind: "format" };
    const s = String(raw);
    if (s.length < 9) return { kind: "zero_perdu", digits: s.length };
    return isCodeIris(s) ? { kind: "ok", code: s } : { kind: "format" };
  }
  if (typeof raw !== "string") return { kind: "format" };
  const s = raw.trim().toUpperCase();
  if (s === "") return { kind: "manquant" };
  if (/^[0-9]{1,8}$/.test(s)) return { kind: "zero_perdu", digits: s.length };
  return isCodeIris(s) ? { kind: "ok", code: s } : { kind: "format" };
}
