/**
 * `socle geo import-ban FILE…`: reads BAN files (plain or gzip, one or several
 * départements), places every address in its IRIS by point in polygon on the
 * IRIS contours of the store, builds the compact index and replaces each
 * département's reference in one transaction. Any bad line refuses the
 * import before anything is written.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { invalide } from "../core/errors.js";
import { departementOfCommune } from "../core/territory/codes.js";
import type { AreaGeometry } from "../core/territory/geometry.js";
import { replaceAddressReference } from "../store/addresses.js";
import type { Db } from "../store/db.js";
import { type AddressIndex, buildAddressIndex, indexStats, type ReferenceAddress } from "./address-index.js";
import { type BanRow, banLines, checkBanHeader, parseBanLine } from "./ban.js";
import { IrisLocator } from "./iris-locator.js";

const MAX_PROBLEMS = 20;

export type BanProgress = (bytesRead: number, bytesTotal: number, lines: number) => void;

/** Reads and checks BAN files; throws a French error naming file, line and column. */
export async function readBanFiles(files: readonly string[], progress?: BanProgress): Promise<BanRow[]> {
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  let read = 0;
  const rows: BanRow[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const name = path.basename(file);
    let n = 0;
    let bad = 0;
    for await (const line of banLines(file, (b) => {
      read += b;
    })) {
      n++;
      if (n === 1) {
        const p = checkBanHeader(line);
        if (p) throw invalide("ban_entete", `${name}, ligne 1 : en-tête inattendu : ${p}`);
        continue;
      }
      if (line.trim() === "") continue;
      const r = parseBanLine(line);
      if (r.ok) rows.push(r.row);
      else {
        bad++;
        if (problems.length < MAX_PROBLEMS)
          problems.push(`${name}, ligne ${n}${r.column ? `, colonne ${r.column}` : ""} : ${r.problem}.`);
      }
      if ((n & 0x3fff) === 0) progress?.(read, total, rows.length);
    }
    if (n === 0)
      throw invalide("ban_vide", `${name} : fichier vide ; attendu un fichier BAN adresses-XX.csv.`);
    if (bad > 0 && problems.length >= MAX_PROBLEMS)
      problems.push(`${name} : ${bad} ligne(s) invalide(s) en tout.`);
  }
  progress?.(total, total, rows.length);
  if (problems.length > 0)
    throw invalide("ban_invalide", `Import refusé, rien n'a été écrit : ${problems[0]}`, problems);
  return rows;
}

export interface DepartementReport {
  departement: string;
  adresses: number;
  voies: number;
  communes: number;
  sansIris: number;
  communesSansContour: string[];
}

/** Places every row in its IRIS and builds one index per département. Pure but for the locator. */
export function buildReferences(
  rows: readonly BanRow[],
  locator: IrisLocator,
): { departement: string; index: AddressIndex; report: DepartementReport }[] {
  const byDep = new Map<string, ReferenceAddress[]>();
  const noContour = new Map<string, Set<string>>();
  for (const r of rows) {
    const dep = departementOfCommune(r.communeCode);
    let list = byDep.get(dep);
    if (!list) {
      list = [];
      byDep.set(dep, list);
      noContour.set(dep, new Set());
    }
    let iris: string | null = null;
    if (locator.hasCommune(r.communeCode)) iris = locator.locateInCommune(r.communeCode, r.x, r.y);
    else noContour.get(dep)!.add(r.communeCode);
    list.push({ ...r, iris });
  }
  return [...byDep.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([departement, list]) => {
      const index = buildAddressIndex([departement], list);
      const s = indexStats(index);
      return {
        departement,
        index,
        report: { departement, ...s, communesSansContour: [...noContour.get(departement)!].sort() },
      };
    });
}

export async function importBanFiles(
  db: Db,
  files: readonly string[],
  progress?: BanProgress,
): Promise<DepartementReport[]> {
  if (files.length === 0) throw invalide("fichier_absent", "Aucun fichier BAN donné.");
  const rows = await readBanFiles(files, progress);
  if (rows.length === 0) throw invalide("ban_vide", "Aucune adresse dans les fichiers donnés.");
  const communes = [...new Set(rows.map((r) => r.communeCode))];
  const iris = await db.query<{ code: string; commune_code: string; geom_l93: AreaGeometry }>(
    "SELECT code, commune_code, geom_l93 FROM iris WHERE commune_code = ANY($1::text[])",
    [communes],
  );
  const locator = new IrisLocator(
    iris.map((i) => ({ code: i.code, communeCode: i.commune_code, geometry: i.geom_l93 })),
  );
  const refs = buildReferences(rows, locator);
  await replaceAddressReference(db, refs, files.map((f) => path.basename(f)).join(", "));
  return refs.map((r) => r.report);
}
