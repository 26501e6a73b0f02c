/**
 * Populations by IRIS from an INSEE "base infracommunale" table (e.g.
 * base-ic-evol-struct-pop-2013: columns IRIS and P13_POP). The year comes from
 * the column name; values may use a decimal comma. The denominators of the
 * indicator catalogue are read too when the file has them: children under 3
 * (P13_POP0002), young people under 18 (P13_POP0017, or the sum of
 * P13_POP0002, P13_POP0305, P13_POP0610 and P13_POP1117), people aged 75
 * and over (P13_POP75P) and households (P13_MEN or C13_MEN, else the
 * résidences principales P13_RP).
 */
import { readIrisCode } from "./codes.js";

export interface PopulationRow {
  iris: string;
  annee: number;
  population: number;
  /** Children under 3, when the file has the age band. */
  pop0002?: number;
  /** Young people under 18. */
  pop0017?: number;
  /** People aged 75 and over. */
  pop75p?: number;
  /** Households (ménages). */
  menages?: number;
}

/** The columns of each denominator, summed; the first spelling the file has wins. */
const BANDS: readonly {
  key: "pop0002" | "pop0017" | "pop75p" | "menages";
  spellings: readonly string[][];
}[] = [
  { key: "pop0002", spellings: [["POP0002"]] },
  { key: "pop0017", spellings: [["POP0017"], ["POP0002", "POP0305", "POP0610", "POP1117"]] },
  { key: "pop75p", spellings: [["POP75P"], ["POP7579", "POP80P"]] },
  { key: "menages", spellings: [["MEN"], ["RP"]] },
];

/** Columns of each denominator present in the header (P or C prefix, the population's year). */
function bandColumns(
  header: readonly string[],
  yy: string,
): Map<string, { names: string[]; cols: number[] }> {
  const index = new Map(header.map((h, i) => [h.trim().toUpperCase(), i]));
  const out = new Map<string, { names: string[]; cols: number[] }>();
  for (const band of BANDS)
    for (const parts of band.spellings) {
      const found = parts.map((part) => {
        for (const prefix of ["P", "C"]) {
          const name = `${prefix}${yy}_${part}`;
          const i = index.get(name);
          if (i !== undefined) return { name, i };
        }
        return undefined;
      });
      if (found.every((f) => f !== undefined)) {
        out.set(band.key, {
          names: found.map((f) => (f as { name: string }).name),
          cols: found.map((f) => (f as { i: number }).i),
        });
        break;
      }
    }
  return out;
}

const readCount = (raw: string | undefined): number | null => {
  const s = (raw ?? "").trim().replace(/\s/g, "").replace(",", ".");
  const v = Number(s);
  return s === "" || !Number.isFinite(v) || v < 0 ? null : v;
};

/**
 * Checks one record's shape and IRIS code (and that the code is new);
 * returns the code, or the French problem of the line.
 */
function readIrisRecord(
  fileName: string,
  header: readonly string[],
  irisCol: number,
  rec: readonly string[],
  line: number,
  seen: Set<string>,
): { code: string } | { problem: string } | null {
  if (rec.length === 1 && rec[0]!.trim() === "") return null;
  if (rec.length !== header.length)
    return {
      problem: `${fileName}, ligne ${line} : ${rec.length} colonnes au lieu de ${header.length} (ligne tronquée ?).`,
    };
  const code = readIrisCode(rec[irisCol]);
  const colName = `colonne ${header[irisCol]}`;
  if (code.kind !== "ok")
    return {
      problem:
        code.kind === "zero_perdu"
          ? `${fileName}, ligne ${line}, ${colName} : code IRIS de ${code.digits} chiffres, un zéro initial a été perdu ; attendu 9 caractères.`
          : `${fileName}, ligne ${line}, ${colName} : code IRIS invalide ou manquant ; attendu 9 caractères.`,
    };
  if (seen.has(code.code))
    return { problem: `${fileName}, ligne ${line}, ${colName} : code IRIS ${code.code} en double.` };
  seen.add(code.code);
  return { code: code.code };
}

export type PopulationResult =
  | { ok: true; annee: number; rows: PopulationRow[] }
  | { ok: false; problems: string[] };

/**
 * @param header column names of the file
 * @param records data rows (arrays aligned on the header), `lineOf(i)` gives the file line of record i
 */
export function readPopulationTable(
  fileName: string,
  header: readonly string[],
  records: readonly (readonly string[])[],
  lineOf: (i: number) => number = (i) => i + 2,
): PopulationResult {
  const irisCol = header.findIndex((h) => /^(iris|code_iris|CODE_IRIS|IRIS)$/i.test(h.trim()));
  const popCol = header.findIndex((h) => /^P\d{2}_POP$/i.test(h.trim()));
  const problems: string[] = [];
  if (irisCol < 0)
    problems.push(`${fileName}, ligne 1 : colonne IRIS introuvable ; attendu une colonne « IRIS ».`);
  if (popCol < 0)
    problems.push(
      `${fileName}, ligne 1 : colonne de population introuvable ; attendu une colonne « PAA_POP » (ex. P13_POP).`,
    );
  if (problems.length > 0) return { ok: false, problems };
  const popName = header[popCol]!.trim();
  const annee = 2000 + Number(popName.slice(1, 3));
  const bands = bandColumns(header, popName.slice(1, 3));
  const rows: PopulationRow[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < records.length && problems.length < 20; i++) {
    const rec = records[i]!;
    const line = lineOf(i);
    const read = readIrisRecord(fileName, header, irisCol, rec, line, seen);
    if (read === null) continue;
    if ("problem" in read) {
      problems.push(read.problem);
      continue;
    }
    const code = read;
    const raw = rec[popCol]!.trim().replace(/\s/g, "").replace(",", ".");
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value) || value < 0) {
      problems.push(
        `${fileName}, ligne ${line}, colonne ${popName} : population invalide ; attendu un nombre positif ou nul.`,
      );
      continue;
    }
    const row: PopulationRow = { iris: code.code, annee, population: value };
    for (const [key, b] of bands) {
      let sum = 0;
      for (let k = 0; k < b.cols.length; k++) {
        const v = readCount(rec[b.cols[k] as number]);
        if (v === null) {
          problems.push(
            `${fileName}, ligne ${line}, colonne ${b.names[k]} : effectif invalide ; attendu un nombre positif ou nul.`,
          );
          sum = Number.NaN;
          break;
        }
        sum += v;
      }
      if (Number.isFinite(sum)) row[key as "pop0002"] = sum;
    }
    rows.push(row);
  }
  if (problems.length > 0) return { ok: false, problems };
  if (rows.length === 0) return { ok: false, problems: [`${fileName} : aucune ligne de données.`] };
  return { ok: true, annee, rows };
}

/** Households of one IRIS in a census vintage (base-ic « Logement » or « Couples – Familles – Ménages »). */
export interface HouseholdsRow {
  iris: string;
  annee: number;
  menages: number;
}

export type HouseholdsResult =
  | { ok: true; annee: number; colonne: string; rows: HouseholdsRow[] }
  | { ok: false; problems: string[] };

/** The households column of a base-ic file without population: `Cyy_MEN`, `Pyy_MEN` or `Pyy_RP`. */
export function householdsColumn(header: readonly string[]): { name: string; index: number } | null {
  for (const re of [/^C\d{2}_MEN$/i, /^P\d{2}_MEN$/i, /^P\d{2}_RP$/i]) {
    const index = header.findIndex((h) => re.test(h.trim()));
    if (index >= 0) return { name: header[index]!.trim().toUpperCase(), index };
  }
  return null;
}

/**
 * Households by IRIS from a base-ic file that has no population column: the
 * « Logement » file (P13_RP, résidences principales, one per household) or
 * the « Couples – Familles – Ménages » file (C13_MEN). The year comes from
 * the column name.
 *
 * @example readHouseholdsTable("base-ic-logement-2013.csv", ["IRIS", "P13_RP"], [["765400101", "1204"]]) // { ok: true, annee: 2013, rows: [{ iris: "765400101", annee: 2013, menages: 1204 }] }
 */
export function readHouseholdsTable(
  fileName: string,
  header: readonly string[],
  records: readonly (readonly string[])[],
  lineOf: (i: number) => number = (i) => i + 2,
): HouseholdsResult {
  const irisCol = header.findIndex((h) => /^(iris|code_iris)$/i.test(h.trim()));
  const col = householdsColumn(header);
  const problems: string[] = [];
  if (irisCol < 0)
    problems.push(`${fileName}, ligne 1 : colonne IRIS introuvable ; attendu une colonne « IRIS ».`);
  if (!col)
    problems.push(
      `${fileName}, ligne 1 : colonne de ménages introuvable ; attendu « CAA_MEN » ou « PAA_RP » (ex. C13_MEN, P13_RP).`,
    );
  if (problems.length > 0 || !col) return { ok: false, problems };
  const annee = 2000 + Number(col.name.slice(1, 3));
  const rows: HouseholdsRow[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < records.length && problems.length < 20; i++) {
    const rec = records[i]!;
    const line = lineOf(i);
    const read = readIrisRecord(fileName, header, irisCol, rec, line, seen);
    if (read === null) continue;
    if ("problem" in read) {
      problems.push(read.problem);
      continue;
    }
    const code = read;
    const v = readCount(rec[col.index]);
    if (v === null) {
      problems.push(
        `${fileName}, ligne ${line}, colonne ${col.name} : nombre de ménages invalide ; attendu un nombre positif ou nul.`,
      );
      continue;
    }
    rows.push({ iris: code.code, annee, menages: v });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (rows.length === 0) return { ok: false, problems: [`${fileName} : aucune ligne de données.`] };
  return { ok: true, annee, colonne: col.name, rows };
}
