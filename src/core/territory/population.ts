/**
 * Populations by IRIS from an INSEE "base infracommunale" table (e.g.
 * base-ic-evol-struct-pop-2013: columns IRIS and P13_POP). The year comes from
 * the column name; values may use a decimal comma.
 */
import { readIrisCode } from "./codes.js";

export interface PopulationRow {
  iris: string;
  annee: number;
  population: number;
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
  const rows: PopulationRow[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < records.length && problems.length < 20; i++) {
    const rec = records[i]!;
    const line = lineOf(i);
    if (rec.length === 1 && rec[0]!.trim() === "") continue;
    if (rec.length !== header.length) {
      problems.push(
        `${fileName}, ligne ${line} : ${rec.length} colonnes au lieu de ${header.length} (ligne tronquée ?).`,
      );
      continue;
    }
    const code = readIrisCode(rec[irisCol]);
    const colName = `colonne ${header[irisCol]}`;
    if (code.kind !== "ok") {
      problems.push(
        code.kind === "zero_perdu"
          ? `${fileName}, ligne ${line}, ${colName} : code IRIS de ${code.digits} chiffres, un zéro initial a été perdu ; attendu 9 caractères.`
          : `${fileName}, ligne ${line}, ${colName} : code IRIS invalide ou manquant ; attendu 9 caractères.`,
      );
      continue;
    }
    if (seen.has(code.code)) {
      problems.push(`${fileName}, ligne ${line}, ${colName} : code IRIS ${code.code} en double.`);
      continue;
    }
    seen.add(code.code);
    const raw = rec[popCol]!.trim().replace(/\s/g, "").replace(",", ".");
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value) || value < 0) {
      problems.push(
        `${fileName}, ligne ${line}, colonne ${popName} : population invalide ; attendu un nombre positif ou nul.`,
      );
      continue;
    }
    rows.push({ iris: code.code, annee, population: value });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (rows.length === 0) return { ok: false, problems: [`${fileName} : aucune ligne de données.`] };
  return { ok: true, annee, rows };
}
