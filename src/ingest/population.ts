import path from "node:path";
import { invalide } from "../core/errors.js";
import { readPopulationTable } from "../core/territory/population.js";
import type { Db } from "../store/db.js";
import { upsertPopulation } from "../store/territories.js";
import { readCsvFile } from "./csv.js";

/** Imports an INSEE base-ic CSV of populations by IRIS; all rows or none. */
export async function importPopulationFile(db: Db, file: string): Promise<{ annee: number; iris: number }> {
  const name = path.basename(file);
  const table = readCsvFile(file);
  const result = readPopulationTable(name, table.header, table.records);
  if (!result.ok) throw invalide("population_invalide", result.problems[0]!, result.problems);
  await upsertPopulation(db, result.rows, name);
  return { annee: result.annee, iris: result.rows.length };
}
