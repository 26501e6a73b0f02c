/**
 * Reads tables and patterns in the SDC tools' CSV formats from files
 * (`socle secret`, benchmarks, tests). Parsing rules live in core/table.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { invalide } from "../core/errors.js";
import {
  type HierarchyInput,
  type MicrodataOptions,
  type PatternCell,
  readPattern,
  readSdcMicrodata,
  readSdcTable,
  type SdcTable,
  type SdcTableOptions,
} from "../core/table/sdc-input.js";
import type { TableSet } from "../core/table/table.js";
import { checkReadSize } from "./budget.js";
import { readCsvFile } from "./csv.js";
import { parseHrc, parseRda, parseTauArgusRecords, type Rda } from "./tauargus.js";

/** Over its size budget, a file is refused before it is read (a missing one is reported by the reader). */
function sizeBudget(file: string): void {
  try {
    checkReadSize(file, "sdc");
  } catch (e) {
    if ((e as { code?: string }).code !== "fichier_absent") throw e;
  }
}

function readCsv(file: string) {
  sizeBudget(file);
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

/** sdcTable / GaussSuppression microdata: a CSV with one row per record. */
export function loadSdcMicrodata(
  file: string,
  hierarchyArgs: readonly string[],
  options: MicrodataOptions = {},
): SdcTable {
  return readSdcMicrodata(readCsv(file), hierarchyArgs.map(readHierarchyArg), options);
}

function readText(file: string): string {
  sizeBudget(file);
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalide(
      "fichier_illisible",
      code === "ENOENT" ? `Fichier introuvable : ${file}.` : `Fichier illisible : ${file}.`,
    );
  }
}

/** The .hrc files an .rda names, read from the .rda's folder, as parent/child hierarchies. */
function rdaHierarchies(rda: Rda, rdaFile: string): HierarchyInput[] {
  return rda.variables
    .filter((v) => v.hierarchyFile)
    .map((v) => {
      const file = join(dirname(rdaFile), v.hierarchyFile!);
      const edges = parseHrc(readText(file), v.totalCode, v.leadString);
      return {
        file: basename(file),
        header: ["parent", "child"],
        records: edges.map((e) => [e.parent, e.child]),
        variable: v.name,
      };
    });
}

const TAU_PRIMARY = "primaire_tau_argus";

/**
 * A τ-Argus table: a .tab described by its .rda (and the .hrc files the .rda
 * names). Cells whose status is the .rda's UNSAFE code are manual primaries.
 */
export function loadTauArgusTable(tabFile: string, rdaFile: string, options: SdcTableOptions = {}): SdcTable {
  const rda = parseRda(readText(rdaFile), basename(rdaFile));
  const records = parseTauArgusRecords(readText(tabFile), rda, basename(tabFile));
  const statusCol = rda.variables.findIndex((v) => v.status);
  const header = [...rda.variables.map((v) => v.name), TAU_PRIMARY];
  const withPrimary = records.map((r) => [...r, String(statusCol >= 0 && r[statusCol] === rda.unsafe)]);
  const totals = new Set(rda.variables.filter((v) => !v.numeric && !v.status).map((v) => v.totalCode));
  const measure = rda.variables.find((v) => v.numeric && !/^(lpl|upl|lowerpl|upperpl)$/i.test(v.name));
  const isCount = measure && /^(freq|n_obs|effectif|count|nb)$/i.test(measure.name);
  return readSdcTable(
    { file: basename(tabFile), header, records: withPrimary },
    rdaHierarchies(rda, rdaFile),
    {
      ...options,
      ...(measure && !isCount && !options.valueColumn ? { valueColumn: measure.name } : {}),
      primaryColumn: TAU_PRIMARY,
      ...(totals.size === 1 ? { totalCode: [...totals][0]! } : {}),
    },
  );
}

/** τ-Argus microdata: an .asc with a separator, described by its .rda. */
export function loadTauArgusMicrodata(
  ascFile: string,
  rdaFile: string,
  options: MicrodataOptions = {},
): SdcTable {
  const rda = parseRda(readText(rdaFile), basename(rdaFile));
  const records = parseTauArgusRecords(readText(ascFile), rda, basename(ascFile));
  const dimensions =
    options.dimensions ?? rda.variables.filter((v) => !v.numeric && !v.status).map((v) => v.name);
  const totals = new Set(rda.variables.filter((v) => dimensions.includes(v.name)).map((v) => v.totalCode));
  return readSdcMicrodata(
    { file: basename(ascFile), header: rda.variables.map((v) => v.name), records },
    rdaHierarchies(rda, rdaFile),
    { ...options, dimensions, ...(totals.size === 1 ? { totalCode: [...totals][0]! } : {}) },
  );
}
