/**
 * The reference tables of ../shared/fixtures/sdc as Socle tables, with the
 * rules and reference figures of their README, for tests and benchmarks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SecrecyRules } from "../../src/core/secrecy/rules.js";
import { cellKey } from "../../src/core/secrecy/rules.js";
import { buildDimension, flatDimension } from "../../src/core/table/dimension.js";
import { readSdcTable } from "../../src/core/table/sdc-input.js";
import { buildTableSet, checkAdditivity, type TableSet } from "../../src/core/table/table.js";
import { readCsvFile } from "../../src/ingest/csv.js";
import { readHierarchyArg } from "../../src/ingest/sdc-files.js";
import { parseHrc } from "../../src/ingest/tauargus.js";
import { fixture } from "./fixtures.js";

export const SDC = fixture("sdc");

export interface ReferenceTable {
  readonly name: string;
  readonly set: TableSet;
  /** Rules without the standard; tests and benchmarks set it. */
  readonly rules: SecrecyRules;
  /** Best SAFE reference number of secondary cells (README of the fixtures). */
  readonly reference: number;
  readonly referenceLabel: string;
  readonly cost?: "count" | "value";
}

function innerCellsTable(dir: string) {
  const folder = join(SDC, dir);
  const hier = readdirSync(folder)
    .filter((f) => f.startsWith("hierarch"))
    .map((f) => join(folder, f));
  const cells = readCsvFile(join(folder, "input_inner_cells.csv"));
  return readSdcTable(
    { file: "input_inner_cells.csv", header: cells.header, records: cells.records },
    hier.map(readHierarchyArg),
  ).set;
}

/** GaussSuppression/sdcTable "maxN k" means counts ≤ k are primary: threshold k + 1. */
export function referenceTables(): ReferenceTable[] {
  return [
    {
      name: "sdctable_vignette maxN 10",
      set: innerCellsTable("sdctable_vignette_completeData"),
      rules: { threshold: 11 },
      reference: 23,
      referenceLabel: "sdcTable OPT/GAUSS 23",
    },
    {
      name: "sdctable_microdata1 maxN 3",
      set: microdata1(),
      rules: { threshold: 4 },
      reference: 3,
      referenceLabel: "sdcTable (all methods) 3",
    },
    {
      name: "ssb_example1 maxN 4",
      set: innerCellsTable("ssb_example1_2014"),
      rules: { threshold: 5 },
      reference: 4,
      referenceLabel: "GaussSuppression 4",
    },
    {
      name: "ssb_d2 maxN 4 zeros protected",
      set: innerCellsTable("ssb_d2"),
      rules: { threshold: 5, protectZeros: true },
      reference: 16,
      referenceLabel: "GaussSuppression 16",
    },
    {
      name: "ssb_d3 maxN 4",
      set: innerCellsTable("ssb_d3_countyOnly"),
      rules: { threshold: 5 },
      reference: 72,
      referenceLabel: "sdcTable OPT 72 (191 s)",
    },
    {
      name: "ssb_d4 maxN 4 zeros protected",
      set: innerCellsTable("ssb_d4_sosialFiktiv"),
      rules: { threshold: 5, protectZeros: true },
      reference: 554,
      referenceLabel: "GaussSuppression 554 (19–29 s)",
    },
    {
      name: "ssb_d4_countyOnly maxN 4",
      set: innerCellsTable("ssb_d4_countyOnly"),
      rules: { threshold: 5 },
      reference: 774,
      referenceLabel: "GaussSuppression 774 (14.3 s)",
    },
    actSize(),
    simple2d(),
  ];
}

function microdata1(): TableSet {
  const t = readCsvFile(join(SDC, "sdctable_microdata1", "input_microdata.csv"));
  const regions = [...new Set(t.records.map((r) => r[0] as string))].sort();
  const genders = [...new Set(t.records.map((r) => r[1] as string))].sort();
  return buildTableSet(
    [flatDimension("region", regions), flatDimension("gender", genders)],
    [{ name: "tableau", variables: [0, 1] }],
    t.records.map((r) => ({ codes: [r[0] as string, r[1] as string], value: 1 })),
    { aggregate: true },
  );
}

function actSize(): ReferenceTable {
  const dir = join(SDC, "rtauargus_turnover_act_size");
  const cells = readCsvFile(join(dir, "published_table_with_primary.csv"));
  const { set, markedPrimary } = readSdcTable(
    { file: "published_table_with_primary.csv", header: cells.header, records: cells.records },
    [readHierarchyArg(join(dir, "hierarchy_ACTIVITY_parent_child.csv"))],
    { valueColumn: "TOT", primaryColumn: "is_secret_prim" },
  );
  return {
    name: "rtauargus act_size (77 primaries)",
    set,
    rules: { threshold: 1, manual: markedPrimary, protection: { kind: "relative", ratio: 0.1 } },
    reference: 64,
    referenceLabel: "τ-Argus OPT 64",
    cost: "value",
  };
}

function simple2d(): ReferenceTable {
  const dir = join(SDC, "tauargus_checkTauArgus", "simple2d");
  const region = buildDimension(
    "Region",
    parseHrc(readFileSync(join(dir, "region2.hrc"), "utf8")).concat([{ parent: "Total", child: "99" }]),
  );
  const t = readCsvFile(join(dir, "Simple2D_expected_pattern.csv"));
  const sizes = [...new Set(t.records.map((r) => (r[0] as string).trim()))].filter((s) => s !== "Total");
  const size = flatDimension(
    "Size",
    sizes.sort((a, b) => Number(a) - Number(b)),
  );
  const inner = [];
  const margins = [];
  const manual = new Set<string>();
  for (const r of t.records) {
    const codes = [(r[0] as string).trim(), (r[1] as string).trim()];
    const raw = (r[2] as string).trim();
    const value = raw === "-" ? 0 : Number(raw);
    if (r[4] === "primary_unsafe") manual.add(cellKey(0, codes));
    const isInner = size.leaves.includes(codes[0] as string) && region.leaves.includes(codes[1] as string);
    if (isInner) inner.push({ codes, value, count: raw === "-" ? 0 : 1 });
    else margins.push({ table: 0, codes, value });
  }
  const set = buildTableSet([size, region], [{ name: "tableau", variables: [0, 1] }], inner, {
    magnitude: true,
  });
  checkAdditivity(set, margins, 1e-9);
  return {
    name: "τ-Argus simple2d (9 primaries)",
    set,
    rules: { threshold: 1, manual, protection: { kind: "relative", ratio: 0.2 } },
    reference: 12,
    referenceLabel: "τ-Argus Modular 12",
    cost: "value",
  };
}
