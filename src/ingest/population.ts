import path from "node:path";
import { invalide } from "../core/errors.js";
import { householdsColumn, readHouseholdsTable, readPopulationTable } from "../core/territory/population.js";
import type { Db } from "../store/db.js";
import { updateHouseholds, upsertPopulation } from "../store/territories.js";
import { openTabular } from "./tabular-stream.js";

/** How many rows of an INSEE workbook may precede its header row (titles, notes, long labels). */
const MAX_TITLE_ROWS = 20;

/**
 * Imports an INSEE base-ic file of populations by IRIS, as CSV or as the XLSX
 * INSEE publishes (title rows above the header row of variable codes);
 * all rows or none. XLS and ODS are refused with how to convert them.
 */
export async function importPopulationFile(
  db: Db,
  file: string,
): Promise<{ annee: number; iris: number; denominateurs?: string[] }> {
  const name = path.basename(file);
  const t = await openTabular(file);
  let header = t.header;
  let headerLine = 1;
  const records: string[][] = [];
  const lines: number[] = [];
  for await (const row of t.rows) {
    // In an INSEE workbook the header is the first row naming the IRIS column.
    if (t.format === "xlsx" && !header.some((h) => h.trim().toUpperCase() === "IRIS")) {
      if (row.line - headerLine > MAX_TITLE_ROWS) break;
      if (row.values.some((v) => v.trim().toUpperCase() === "IRIS")) {
        header = row.values.map((v) => v.trim());
        headerLine = row.line;
      }
      continue;
    }
    records.push(row.values);
    lines.push(row.line);
  }
  // A base-ic file without population but with households (« Logement »: P13_RP, « Ménages »: C13_MEN)
  // completes the population of its census vintage.
  if (!header.some((h) => /^P\d{2}_POP$/i.test(h.trim())) && householdsColumn(header)) {
    const h = readHouseholdsTable(name, header, records, (i) => lines[i] ?? i + 2);
    if (!h.ok) throw invalide("population_invalide", h.problems[0]!, h.problems);
    const { missing } = await updateHouseholds(db, h.rows, name);
    if (missing.length > 0)
      throw invalide(
        "population_absente",
        `${name} : ${missing.length} IRIS sans population ${h.annee} (par exemple ${missing.slice(0, 3).join(", ")}) ; importez d'abord le fichier de population ${h.annee} (base-ic évolution et structure de la population), puis celui des ménages.`,
      );
    return { annee: h.annee, iris: h.rows.length, denominateurs: ["ménages"] };
  }
  const result = readPopulationTable(name, header, records, (i) => lines[i] ?? i + 2);
  if (!result.ok) throw invalide("population_invalide", result.problems[0]!, result.problems);
  await upsertPopulation(db, result.rows, name);
  // The catalogue's denominators this file carried beside the population (none: not listed).
  const first = result.rows[0];
  const denominateurs = (["pop0002", "pop0017", "pop75p", "menages"] as const)
    .filter((k) => first?.[k] !== undefined)
    .map(
      (k) => ({ pop0002: "0-2 ans", pop0017: "0-17 ans", pop75p: "75 ans et plus", menages: "ménages" })[k],
    );
  return {
    annee: result.annee,
    iris: result.rows.length,
    ...(denominateurs.length > 0 ? { denominateurs } : {}),
  };
}
