import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDimension, flatDimension, type HierarchyEdge } from "../table/dimension.js";
import { buildTableSet, cellSupport, type TableSet } from "../table/table.js";
import { auditPattern, type Witness } from "./audit.js";
import { BlockModels, territoryBlocks } from "./local-proofs.js";
import { cellsByInner } from "./perturbation.js";
import { primaryStatuses } from "./primary.js";
import { protectTable } from "./protect.js";
import { isPrimary, isSuppressed, requiredWidth } from "./rules.js";
import { type Highs, loadSolver } from "./solver.js";

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

/** IRIS → commune → EPCI → Ensemble, plus a zone across communes; × sexe and × âge, linked by their inner cells. */
function territorySet(values: readonly number[]): TableSet {
  const edges: HierarchyEdge[] = [];
  const iris: string[] = [];
  for (let e = 0; e < 2; e++) {
    edges.push({ parent: "Ensemble", child: `E${e}` });
    for (let c = 0; c < 2; c++) {
      edges.push({ parent: `E${e}`, child: `C${e}${c}` });
      for (let i = 0; i < 2; i++) {
        const code = `I${e}${c}${i}`;
        edges.push({ parent: `C${e}${c}`, child: code });
        iris.push(code);
      }
    }
  }
  // A zone of one IRIS from each EPCI: a grouping of its own, not nested in the communes.
  for (const code of iris)
    edges.push({
      parent: code === "I000" || code === "I110" ? "Z" : "Ensemble",
      child: code,
      grouping: "zone",
    });
  edges.push({ parent: "Ensemble", child: "Z", grouping: "zone" });
  const territory = buildDimension("territoire", edges);
  const sexe = flatDimension("sexe", ["F", "M"]);
  const age = flatDimension("age", ["a1", "a2", "a3"]);
  const rows = [];
  let k = 0;
  for (const i of iris)
    for (const s of ["F", "M"])
      for (const a of ["a1", "a2", "a3"])
        rows.push({ codes: [i, s, a], value: values[k++ % values.length] ?? 0 });
  return buildTableSet(
    [territory, sexe, age],
    [
      { name: "sexe", variables: [0, 1] },
      { name: "age", variables: [0, 2] },
    ],
    rows,
  );
}

/** A witness is sound when every published cell keeps its value and no inner cell goes negative. */
function witnessIsSound(set: TableSet, suppressed: Uint8Array, w: Witness): boolean {
  const delta = new Float64Array(set.innerCount);
  for (let k = 0; k < w.inner.length; k++) delta[w.inner[k] as number] = w.delta[k] as number;
  for (let i = 0; i < set.innerCount; i++)
    if ((set.inner.values[i] as number) + (delta[i] as number) < -1e-7) return false;
  for (let c = 0; c < set.cells.length; c++) {
    if (suppressed[c]) continue;
    let sum = 0;
    for (const i of cellSupport(set, c)) sum += delta[i] as number;
    if (Math.abs(sum) > 1e-6) return false;
  }
  return true;
}

describe("local proofs on territory blocks", () => {
  it("blocks the inner cells by commune, then by EPCI, each level a partition", () => {
    const set = territorySet([1, 2, 3, 4, 5, 6, 7]);
    const levels = territoryBlocks(set);
    expect(levels.map((l) => l.length)).toEqual([4, 2]);
    for (const level of levels) {
      const all = level.flat().sort((a, b) => a - b);
      expect(all).toEqual([...Array(set.innerCount).keys()]);
    }
    // A commune holds 2 IRIS × 2 sexes × 3 ages.
    expect(levels[0]?.every((b) => b.length === 12)).toBe(true);
  });

  it("a flat table has no blocks: its audit is unchanged", () => {
    const set = buildTableSet(
      [flatDimension("zone", ["A", "B", "C"])],
      [{ name: "t", variables: [0] }],
      [
        { codes: ["A"], value: 3 },
        { codes: ["B"], value: 9 },
        { codes: ["C"], value: 12 },
      ],
    );
    expect(territoryBlocks(set)).toEqual([]);
  });

  it("gives the verdict of the whole-system audit, with sound witnesses, and a local screening (its block models kept from a round to the next or not) never proves what the whole system refutes", () => {
    // Patterns near a protected one: a random table's random suppressions
    // are all recomputable (every cell is alone in one of its rows), which
    // leaves no solution to find, local or whole.
    let blockWitnesses = 0;
    let protectedCells = 0;
    let refutedCells = 0;
    let keptWitnesses = 0;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 48, maxLength: 48 }),
        fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
        (values, coin) => {
          const set = territorySet(values);
          const rules = { threshold: 5, standard: "full" as const };
          const statuses = primaryStatuses(set, rules);
          const primary = Uint8Array.from(statuses, (s) => (isPrimary(s) ? 1 : 0));
          const safe = protectTable(highs, set, rules, { method: "fast", localProofs: false }).statuses;
          // The engine's pattern, a few of its secondaries published, a few other cells suppressed.
          const suppressed = Uint8Array.from(safe, (s, c) => {
            const flip = coin[c % coin.length] === true;
            if (s === "D") return flip && c % 4 === 0 ? 0 : 1;
            return isSuppressed(s) || (flip && c % 7 === 0) ? 1 : 0;
          });
          const input = {
            set,
            suppressed,
            primary,
            requiredWidth: (c: number) => requiredWidth(rules, set.cells[c]?.value ?? 0),
            threshold: rules.threshold,
            standard: rules.standard,
          };
          const blocks = territoryBlocks(set);
          const whole = auditPattern(highs, input);
          const local = auditPattern(highs, { ...input, blocks });
          expect(local.findings.map((f) => f.cell).sort()).toEqual(whole.findings.map((f) => f.cell).sort());
          for (const w of local.witnesses) expect(witnessIsSound(set, suppressed, w)).toBe(true);
          const screen = auditPattern(highs, { ...input, blocks, screening: true, localOnly: true });
          expect(screen.globalSolves).toBe(0);
          // A local screening builds no model of the whole system: its witnesses are block solutions.
          for (const w of screen.witnesses) expect(witnessIsSound(set, suppressed, w)).toBe(true);
          blockWitnesses += screen.witnesses.length;
          const refuted = new Set(whole.findings.map((f) => f.cell));
          const flagged = new Set(screen.findings.map((f) => f.cell));
          for (const c of refuted) expect(flagged.has(c)).toBe(true);
          refutedCells += refuted.size;
          // Block models kept from one round to the next, the pattern grown in between.
          const models = new BlockModels(highs, set, cellsByInner(set));
          try {
            auditPattern(highs, { ...input, blocks, screening: true, localOnly: true, blockModels: models });
            const grown = Uint8Array.from(suppressed, (x, c) =>
              x || (coin[(c * 7) % coin.length] && c % 5 === 0) ? 1 : 0,
            );
            const next = { ...input, suppressed: grown };
            const again = auditPattern(highs, {
              ...next,
              blocks,
              screening: true,
              localOnly: true,
              blockModels: models,
            });
            for (const w of again.witnesses) expect(witnessIsSound(set, grown, w)).toBe(true);
            keptWitnesses += again.witnesses.length;
            const wholeNext = auditPattern(highs, next);
            const flaggedNext = new Set(again.findings.map((f) => f.cell));
            for (const f of wholeNext.findings) expect(flaggedNext.has(f.cell)).toBe(true);
          } finally {
            models.dispose();
          }
          protectedCells += whole.suppressedCells - refuted.size;
        },
      ),
      { numRuns: 30 },
    );
    // Not vacuous: block solutions proved cells, and the draws held both verdicts.
    expect(blockWitnesses).toBeGreaterThanOrEqual(30);
    expect(protectedCells).toBeGreaterThan(0);
    expect(refutedCells).toBeGreaterThan(0);
    expect(keptWitnesses).toBeGreaterThan(0);
  });
});
