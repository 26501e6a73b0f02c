/**
 * The block LPs on a pool of worker threads (src/release/block-pool.ts) give
 * the verdict of the in-thread audit, with sound witnesses, on hierarchical
 * tables small enough to be quick (territory blocks forced on).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { auditPattern, type Witness } from "../../src/core/secrecy/audit.js";
import { territoryBlocks } from "../../src/core/secrecy/local-proofs.js";
import { primaryStatuses } from "../../src/core/secrecy/primary.js";
import { protectTable } from "../../src/core/secrecy/protect.js";
import { isPrimary, isSuppressed, requiredWidth } from "../../src/core/secrecy/rules.js";
import { type Highs, loadSolver } from "../../src/core/secrecy/solver.js";
import { buildDimension, flatDimension, type HierarchyEdge } from "../../src/core/table/dimension.js";
import { buildTableSet, cellSupport, type TableSet } from "../../src/core/table/table.js";
import { blockWorkers, createBlockPool } from "../../src/release/block-pool.js";

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});
const pool = createBlockPool(2);

/** IRIS → commune → EPCI → Ensemble (4 EPCI, 3 communes each, 3 IRIS each) and a zone across EPCI; × sexe, × âge. */
function territorySet(seed: number): TableSet {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const edges: HierarchyEdge[] = [];
  const iris: string[] = [];
  for (let e = 0; e < 4; e++) {
    edges.push({ parent: "Ensemble", child: `E${e}` });
    for (let c = 0; c < 3; c++) {
      edges.push({ parent: `E${e}`, child: `C${e}${c}` });
      for (let i = 0; i < 3; i++) {
        const code = `I${e}${c}${i}`;
        edges.push({ parent: `C${e}${c}`, child: code });
        iris.push(code);
      }
    }
  }
  for (const code of iris)
    edges.push({ parent: code.endsWith("00") ? "Z" : "Ensemble", child: code, grouping: "zone" });
  edges.push({ parent: "Ensemble", child: "Z", grouping: "zone" });
  const rows = [];
  for (const i of iris)
    for (const sx of ["F", "M"])
      for (const a of ["a1", "a2", "a3"])
        rows.push({ codes: [i, sx, a], value: Math.floor(rnd() * rnd() * 14) });
  return buildTableSet(
    [
      buildDimension("territoire", edges),
      flatDimension("sexe", ["F", "M"]),
      flatDimension("age", ["a1", "a2", "a3"]),
    ],
    [
      { name: "sexe", variables: [0, 1] },
      { name: "age", variables: [0, 2] },
    ],
    rows,
  );
}

function witnessIsSound(set: TableSet, suppressed: ArrayLike<number>, w: Witness): boolean {
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

describe("block LPs on worker threads", () => {
  it("reads its size from SOCLE_SECRET_WORKERS, one per core by default", () => {
    expect(blockWorkers({ SOCLE_SECRET_WORKERS: "1" })).toBe(1);
    expect(blockWorkers({ SOCLE_SECRET_WORKERS: "3" })).toBe(3);
    expect(blockWorkers({})).toBeGreaterThanOrEqual(1);
  });

  it("protects with the in-thread verdict, and audits a pattern with the in-thread findings and sound witnesses", () => {
    const rules = { threshold: 5, standard: "full" as const };
    let pooledWitnesses = 0;
    let refuted = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const set = territorySet(seed);
      const blocks = territoryBlocks(set);
      expect(blocks.length).toBe(2);
      const inThread = protectTable(highs, set, rules, { method: "fast", localProofs: true });
      const pooled = protectTable(highs, set, rules, { method: "fast", localProofs: true, pool });
      expect(pooled.audit.ok).toBe(inThread.audit.ok);
      expect(pooled.audit.ok).toBe(true);
      // Patterns near the engine's: some secondaries published, some other cells suppressed.
      const statuses = primaryStatuses(set, rules);
      const primary = Uint8Array.from(statuses, (s) => (isPrimary(s) ? 1 : 0));
      const suppressed = Uint8Array.from(inThread.statuses, (s, c) => {
        if (s === "D") return (c * 7 + seed) % 5 === 0 ? 0 : 1;
        return isSuppressed(s) || (c * 3 + seed) % 11 === 0 ? 1 : 0;
      });
      const input = {
        set,
        suppressed,
        primary,
        requiredWidth: (c: number) => requiredWidth(rules, set.cells[c]?.value ?? 0),
        threshold: rules.threshold,
        standard: rules.standard,
        blocks,
      };
      const local = auditPattern(highs, input);
      const session = pool.open(set, blocks);
      try {
        const viaPool = auditPattern(highs, { ...input, blockPool: session });
        expect(viaPool.findings.map((f) => f.cell).sort()).toEqual(local.findings.map((f) => f.cell).sort());
        expect(viaPool.rejectedWitnesses).toBe(0);
        for (const w of viaPool.witnesses) expect(witnessIsSound(set, suppressed, w)).toBe(true);
        // A local screening on kept models: what the workers prove is sound, what the whole system refutes is flagged.
        const screen = auditPattern(highs, {
          ...input,
          screening: true,
          localOnly: true,
          blockPool: session,
          blockKeep: 1,
        });
        expect(screen.globalSolves).toBe(0);
        pooledWitnesses += screen.witnesses.length;
        for (const w of screen.witnesses) expect(witnessIsSound(set, suppressed, w)).toBe(true);
        const flagged = new Set(screen.findings.map((f) => f.cell));
        for (const f of local.findings) expect(flagged.has(f.cell)).toBe(true);
        refuted += local.findings.length;
        session.release(1);
      } finally {
        session.close();
      }
    }
    // Not vacuous: the workers proved cells, and some patterns were refuted.
    expect(pooledWitnesses).toBeGreaterThan(0);
    expect(refuted).toBeGreaterThan(0);
  });
});
