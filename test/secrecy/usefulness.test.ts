/**
 * Usefulness of a protected release: the margins an ABS reads first
 * (Ensemble, communes) are suppressed only where nothing cheaper protects.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { protectTable } from "../../src/core/secrecy/protect.js";
import { isSuppressed } from "../../src/core/secrecy/rules.js";
import { type Highs, loadSolver } from "../../src/core/secrecy/solver.js";
import { aixApaCase, sharesByLevel } from "../helpers/apa-case.js";

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

describe("an APA release of 1,226 people", () => {
  it("publishes every sex, age band and GIR of the Ensemble row, and passes the full-standard audit", () => {
    const { set, rules } = aixApaCase();
    const r = protectTable(highs, set, rules);
    expect(r.audit.ok).toBe(true);
    expect(r.primary).toBeGreaterThan(50);
    const ensemble = set.cells.flatMap((c, i) => (c.codes[0] === "Ensemble" ? [i] : []));
    expect(ensemble.length).toBe(12);
    expect(ensemble.filter((c) => isSuppressed(r.statuses[c] ?? "V"))).toEqual([]);
    // Suppressing the Ensemble instead (perturbations moving their
    // neighbourhood's boundary) hides most of it: the difference is the engine's.
    const before = protectTable(highs, set, rules, { boundary: "free" });
    const hiddenBefore = ensemble.filter((c) => isSuppressed(before.statuses[c] ?? "V")).length;
    expect(hiddenBefore).toBeGreaterThan(0);
    const commune = (s: ReturnType<typeof sharesByLevel>) =>
      s.find((x) => x.level === "commune")?.published ?? 0;
    expect(commune(sharesByLevel(set, r.statuses))).toBeGreaterThanOrEqual(
      commune(sharesByLevel(set, before.statuses)),
    );
    expect(r.secondary).toBeLessThanOrEqual(before.secondary);
  }, 120_000);
});
