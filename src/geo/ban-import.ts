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
import { transformer } from "./crs.js";
import { IrisLocator } from "./iris-locator.js";
import { mapGeometry, metricCrsOf } from "./projection.js";

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

export interface ImportOptions {
  progress?: BanProgress;
  /** The IRIS contours of some communes (the store's by default; a benchmark gives its own). */
  locator?: (communes: readonly string[]) => Promise<IrisLocator>;
  /** Called after each département is written (its report). */
  onDepartement?: (r: DepartementReport) => void;
}

/**
 * Imports any number of départements with a memory bounded by the largest
 * one: a first pass checks every line of every file and the order of the
 * départements (nothing is kept, nothing written: a bad line refuses the
 * whole import); the second pass reads again and, one département at a
 * time, places its addresses in their IRIS, builds its index and replaces it
 * in the store in its own transaction, then lets it go. A national file must
 * therefore list each département's lines together (the BAN does); files of
 * one département each can come in any order.
 */
export async function importBanFiles(
  db: Db,
  files: readonly string[],
  progressOrOptions?: BanProgress | ImportOptions,
): Promise<DepartementReport[]> {
  const o: ImportOptions =
    typeof progressOrOptions === "function" ? { progress: progressOrOptions } : (progressOrOptions ?? {});
  if (files.length === 0) throw invalide("fichier_absent", "Aucun fichier BAN donné.");
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  // Pass 1: check.
  const problems: string[] = [];
  const order: string[] = [];
  let read = 0;
  let lines = 0;
  let previous = "";
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
      if (!r.ok) {
        bad++;
        if (problems.length < MAX_PROBLEMS)
          problems.push(`${name}, ligne ${n}${r.column ? `, colonne ${r.column}` : ""} : ${r.problem}.`);
        continue;
      }
      lines++;
      const dep = departementOfCommune(r.row.communeCode);
      if (dep !== previous) {
        if (order.includes(dep))
          throw invalide(
            "ban_non_groupe",
            `${name}, ligne ${n} : les adresses du département ${dep} ne se suivent pas ; importez un fichier par département ou un fichier national trié par département.`,
          );
        order.push(dep);
        previous = dep;
      }
      if ((n & 0x3fff) === 0) o.progress?.(read / 2, total, lines);
    }
    if (n === 0)
      throw invalide("ban_vide", `${name} : fichier vide ; attendu un fichier BAN adresses-XX.csv.`);
    if (bad > 0 && problems.length >= MAX_PROBLEMS)
      problems.push(`${name} : ${bad} ligne(s) invalide(s) en tout.`);
  }
  if (problems.length > 0)
    throw invalide("ban_invalide", `Import refusé, rien n'a été écrit : ${problems[0]}`, problems);
  if (lines === 0) throw invalide("ban_vide", "Aucune adresse dans les fichiers donnés.");

  // Pass 2: one département at a time.
  const source = files.map((f) => path.basename(f)).join(", ");
  const locate =
    o.locator ??
    (async (communes: readonly string[]) => {
      const iris = await db.query<{
        code: string;
        commune_code: string;
        geom_l93: AreaGeometry;
        srid_metrique: number;
      }>(
        "SELECT code, commune_code, geom_l93, srid_metrique FROM iris WHERE commune_code = ANY($1::text[])",
        [communes],
      );
      // The BAN gives x/y in the département's legal projection (Lambert-93,
      // the local UTM overseas), which is the IRIS' metric form; IRIS kept in
      // another one are brought into the BAN's.
      return new IrisLocator(
        iris.map((i) => {
          const ban = metricCrsOf(i.commune_code);
          const own = `EPSG:${i.srid_metrique}`;
          if (own === ban) return { code: i.code, communeCode: i.commune_code, geometry: i.geom_l93 };
          const toBan = transformer(own, ban);
          const geometry = mapGeometry(i.geom_l93, (p) => toBan([p[0]!, p[1]!]));
          return { code: i.code, communeCode: i.commune_code, geometry };
        }),
      );
    });
  const reports: DepartementReport[] = [];
  let rows: BanRow[] = [];
  let current = "";
  // The same commune, street and postcode strings repeat on thousands of lines: keep one copy.
  let strings = new Map<string, string>();
  const intern = (x: string) => {
    const y = strings.get(x);
    if (y !== undefined) return y;
    strings.set(x, x);
    return x;
  };
  const flush = async () => {
    if (rows.length === 0) return;
    const communes = [...new Set(rows.map((r) => r.communeCode))];
    const locator = await locate(communes);
    const noContour = new Set<string>();
    const list = rows;
    rows = [];
    strings = new Map();
    const refs = function* (): Generator<ReferenceAddress> {
      for (let k = 0; k < list.length; k++) {
        const r = list[k]!;
        let iris: string | null = null;
        if (locator.hasCommune(r.communeCode)) iris = locator.locateInCommune(r.communeCode, r.x, r.y);
        else noContour.add(r.communeCode);
        yield {
          communeCode: r.communeCode,
          communeNom: r.communeNom,
          codePostal: r.codePostal,
          ancienneCode: r.ancienneCode,
          ancienneNom: r.ancienneNom,
          libelleAcheminement: r.libelleAcheminement,
          nomVoie: r.nomVoie,
          numero: r.numero,
          rep: r.rep,
          iris,
        };
      }
    };
    const index = buildAddressIndex([current], refs());
    list.length = 0;
    await replaceAddressReference(db, [{ departement: current, index }], source);
    const report = { departement: current, ...indexStats(index), communesSansContour: [...noContour].sort() };
    reports.push(report);
    o.onDepartement?.(report);
  };
  read = 0;
  let done = 0;
  for (const file of files) {
    let first = true;
    for await (const line of banLines(file, (b) => {
      read += b;
    })) {
      if (first) {
        first = false;
        continue;
      }
      if (line.trim() === "") continue;
      const r = parseBanLine(line);
      if (!r.ok) continue; // checked in pass 1
      const dep = departementOfCommune(r.row.communeCode);
      if (dep !== current) {
        await flush();
        current = dep;
      }
      const b = r.row;
      rows.push({
        ...b,
        communeCode: intern(b.communeCode),
        communeNom: intern(b.communeNom),
        codePostal: intern(b.codePostal),
        ancienneCode: intern(b.ancienneCode),
        ancienneNom: intern(b.ancienneNom),
        libelleAcheminement: intern(b.libelleAcheminement),
        nomVoie: intern(b.nomVoie),
        rep: intern(b.rep),
      });
      if ((++done & 0x3fff) === 0) o.progress?.(total / 2 + read / 2, total, done);
    }
  }
  await flush();
  o.progress?.(total, total, done);
  return reports.sort((a, b) => a.departement.localeCompare(b.departement));
}
