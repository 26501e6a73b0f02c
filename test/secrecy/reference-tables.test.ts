/**
 * The engine on the reference tables of the SDC tools (../shared/fixtures/sdc):
 * τ-Argus' expected patterns, every table in both standards with a passing
 * audit, secondary counts against the best safe reference, and the audit
 * reproducing the external audits of sdcTable and GaussSuppression patterns.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditPattern } from "../../src/core/secrecy/audit.js";
import { protectTable } from "../../src/core/secrecy/protect.js";
import { cellKey, requiredWidth } from "../../src/core/secrecy/rules.js";
import { type Highs, loadSolver } from "../../src/core/secrecy/solver.js";
import { flatDimension } from "../../src/core/table/dimension.js";
import { buildTableSet, cellIndex, checkAdditivity } from "../../src/core/table/table.js";
import { readCsvFile } from "../../src/ingest/csv.js";
import { loadPattern } from "../../src/ingest/sdc-files.js";
import { offThread } from "../helpers/off-thread.js";
import { type ReferenceProtection, summarise } from "../helpers/protect-off-thread.js";
import { referenceTables, SDC } from "../helpers/sdc.js";

const PROTECT = new URL("../helpers/protect-off-thread.ts", import.meta.url);

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

const EXPECTED_TAU = "s s s s x u s s s s x x s s s";

/** τ-Argus letters for our statuses, in the row order of the .tab file. */
function tauLetters(statuses: readonly string[], order: readonly number[]): string {
  return order.map((c) => ({ V: "s", F: "s", E: "s", D: "x" })[statuses[c] as string] ?? "u").join(" ");
}

function regionGender() {
  return [flatDimension("region", ["A", "B", "C", "D"]), flatDimension("gender", ["male", "female"])];
}

describe("τ-Argus checkTauArgus cases", () => {
  it("ex1 (manual primary A/female, MAN 20 %) gives exactly τ-Argus' expected statuses", () => {
    const dir = join(SDC, "tauargus_checkTauArgus", "ex1");
    const rows = readFileSync(join(dir, "tabdata_ex1.tab"), "utf8")
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .map((l) => l.split(",").map((x) => x.trim()));
    const dims = regionGender();
    const inner = rows.filter((r) => r[0] !== "Total" && r[1] !== "Total");
    const set = buildTableSet(
      dims,
      [{ name: "ex1", variables: [0, 1] }],
      inner.map((r) => ({ codes: [r[0] as string, r[1] as string], value: Number(r[2]) })),
    );
    checkAdditivity(
      set,
      rows.map((r) => ({ table: 0, codes: [r[0] as string, r[1] as string], value: Number(r[2]) })),
    );
    const manual = new Set(
      rows.filter((r) => r[3] === "U").map((r) => cellKey(0, [r[0] as string, r[1] as string])),
    );
    const find = cellIndex(set);
    const order = rows.map((r) => find(0, [r[0] as string, r[1] as string]) as number);
    for (const method of ["optimal", "fast"] as const) {
      const result = protectTable(
        highs,
        set,
        { threshold: 1, manual, protection: { kind: "relative", ratio: 0.2 }, standard: "full" },
        { method, cost: "value" },
      );
      expect(tauLetters(result.statuses, order)).toBe(EXPECTED_TAU);
      expect(result.audit.ok).toBe(true);
    }
  });

  it("ex2 (100 records, FREQ(5,20) and P(20) on num1) gives the same expected statuses", () => {
    const dir = join(SDC, "tauargus_checkTauArgus", "ex2");
    const records = readFileSync(join(dir, "microdata_ex2.asc"), "utf8")
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .map((l) => l.split(",").map((x) => x.trim()));
    const set = buildTableSet(
      regionGender(),
      [{ name: "ex2", variables: [0, 1] }],
      records.map((r) => ({
        codes: [r[0] as string, r[1] as string],
        value: Number(r[4]),
        count: 1,
        contributions: [Number(r[4])],
      })),
      { magnitude: true, aggregate: true },
    );
    const find = cellIndex(set);
    const order = ["Total", "A", "B", "C", "D"].flatMap((r) =>
      ["Total", "male", "female"].map((g) => find(0, [r, g]) as number),
    );
    const result = protectTable(
      highs,
      set,
      { threshold: 5, pPercent: { p: 20 }, protection: { kind: "relative", ratio: 0.2 }, standard: "full" },
      { cost: "value" },
    );
    expect(tauLetters(result.statuses, order)).toBe(EXPECTED_TAU);
    expect(result.statuses[find(0, ["A", "female"]) as number]).toBe("A");
    expect(result.audit.ok).toBe(true);
  });
});

describe("every reference table, in both standards", () => {
  const tables = referenceTables();
  for (const t of tables) {
    const big = t.set.cells.length > 5000;
    it(`${t.name}: exact-disclosure standard passes the audit with at most 1.1 × ${t.referenceLabel}`, () => {
      const result = protectTable(
        highs,
        t.set,
        { ...t.rules, standard: "exact" },
        { cost: t.cost ?? "count" },
      );
      expect(result.audit.findings.map((f) => f.message)).toEqual([]);
      expect(result.secondary).toBeLessThanOrEqual(Math.floor(1.1 * t.reference));
    });
    // The full standard on the two 9,000-cell tables takes 10–35 s: the test
    // waits for it, the bench reports its time. The big ones run
    // in a worker thread, so that the test worker keeps answering vitest.
    it(`${t.name}: full standard (3a–3c) passes the audit`, { timeout: big ? 240_000 : 30_000 }, async () => {
      const result = big
        ? await offThread<ReferenceProtection>(PROTECT, "protectReference", [t.name, "full"])
        : summarise(
            protectTable(highs, t.set, { ...t.rules, standard: "full" }, { cost: t.cost ?? "count" }),
          );
      expect(result.findings).toEqual([]);
      expect(result.ok).toBe(true);
    });
  }
});

describe("the attacker audit against external audits", () => {
  const vignette = () => referenceTables()[0] as ReturnType<typeof referenceTables>[number];
  it("finds the 8 and 1 exactly recomputable primaries of sdcTable 0.34 HITAS and OPT", () => {
    const t = vignette();
    for (const [method, expected] of [
      ["HITAS", 8],
      ["OPT", 1],
    ] as const) {
      const file = join(SDC, "sdctable_vignette_completeData", `sdctable034_${method}_maxN10.csv`);
      const pattern = loadPattern(t.set, file);
      const suppressed = new Uint8Array(t.set.cells.length);
      const primary = new Uint8Array(t.set.cells.length);
      for (const p of pattern) {
        suppressed[p.cell] = p.suppressed ? 1 : 0;
        primary[p.cell] = p.primary ? 1 : 0;
      }
      const report = auditPattern(highs, {
        set: t.set,
        suppressed,
        primary,
        requiredWidth: () => 11,
        threshold: 11,
        standard: "exact",
      });
      const exact = report.findings.filter((f) => f.kind === "exacte" && primary[f.cell]);
      expect(exact).toHaveLength(expected);
      // The same cells as the external audit (lo = up in audit_of_*).
      const ext = readCsvFile(
        join(SDC, "sdctable_vignette_completeData", `audit_of_sdctable034_${method}_pattern.csv`),
      );
      const disclosed = ext.records.filter((r) => r[4] === "TRUE" && r[6] !== "NA" && r[6] === r[7]);
      expect(disclosed).toHaveLength(expected);
    }
  });

  it("computes the same intervals as GaussSuppression's audit of the ssb_d2 pattern", () => {
    const t = referenceTables()[3] as ReturnType<typeof referenceTables>[number];
    const file = join(SDC, "ssb_d2", "gauss_maxN4_protectZerosTRUE_audit.csv");
    const pattern = loadPattern(t.set, file);
    const suppressed = new Uint8Array(t.set.cells.length);
    const primary = new Uint8Array(t.set.cells.length);
    for (const p of pattern) {
      suppressed[p.cell] = p.suppressed ? 1 : 0;
      primary[p.cell] = p.primary ? 1 : 0;
    }
    const report = auditPattern(highs, {
      set: t.set,
      suppressed,
      primary,
      requiredWidth: (c) => requiredWidth({ threshold: 5 }, t.set.cells[c]?.value ?? 0),
      threshold: 5,
      standard: "full",
      allIntervals: true,
    });
    const ext = readCsvFile(file);
    let compared = 0;
    ext.records.forEach((r, k) => {
      if (r[6] === "NA") return;
      const cell = (pattern[k] as { cell: number }).cell;
      expect(report.intervals.get(cell)).toEqual([Number(r[5]), Number(r[6])]);
      compared++;
    });
    expect(compared).toBeGreaterThan(10);
    // 7 primaries narrower than maxN, as the reference audit reports.
    expect(report.findings.filter((f) => f.kind === "intervalle")).toHaveLength(7);
  });
});
