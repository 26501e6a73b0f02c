/**
 * Reads tables and patterns in the SDC tools' CSV formats from files
 * (`socle secret`, benchmarks, tests). Parsing rules live in core/table.
 */
import { basename } from "node:path";
import { invalide } from "../core/errors.js";
import {
  type HierarchyInput,
  type PatternCell,
  readPattern,
  readSdcTable,
  type SdcTable,
  type SdcTableOptions,
} from "../core/table/sdc-input.js";
import type { TableSet } from "../core/table/table.js";
import { readCsvFile } from "./csv.js";

function readCsv(file: string) {
  let table: ReturnType<typeof readCsvFile>;
  try {
    table = readCsvFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalide(
      "fichier_illisible",
      code === "ENOENT" ? `Fichier introuvable : ${file}.` : `Fichier illisible : ${file}.`,
    );
  }
  return { file: basename(file), header: table.header, records: table.records };
}

/** `FILE` (variable taken from hierarchy_<var>_parent_child.csv or a `hierarchy` column) or `VAR=FILE`. */
export function readHierarchyArg(arg: string): HierarchyInput {
  const eq = arg.indexOf("=");
  const explicit = eq > 0 && !arg.slice(0, eq).includes("/") ? arg.slice(0, eq) : undefined;
  const file = explicit ? arg.slice(eq + 1) : arg;
  const m = /^hierarchy_(.+)_parent_child\.csv$/i.exec(basename(file));
  const variable = explicit ?? m?.[1];
  const csv = readCsv(file);
  return variable ? { ...csv, variable } : csv;
}

export function loadSdcTable(
  cellsFile: string,
  hierarchyArgs: readonly string[],
  options: SdcTableOptions = {},
): SdcTable {
  return readSdcTable(readCsv(cellsFile), hierarchyArgs.map(readHierarchyArg), options);
}

export function loadPattern(set: TableSet, file: string): PatternCell[] {
  return readPattern(set, readCsv(file));
}
