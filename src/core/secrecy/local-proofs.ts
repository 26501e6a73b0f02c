/**
 * Local proofs for the attacker audit: LPs on one territory block at a time.
 *
 * A change of the inner cells of one block (the IRIS of a commune, the
 * communes of an EPCI) that keeps every published cell touching the block
 * unchanged, counting only its part inside the block, and keeps every inner
 * cell non-negative, is a change of the whole system: the cells outside the
 * block stay put. So a solution of a block's LP is a witness the attacker
 * cannot rule out, as sound as a solution of the whole system; it only proves
 * less, because the block's boundary is held fixed. The audit still decides:
 * a cell no local solution proves goes on to the LPs of the whole system.
 *
 * This pays where the whole system is large (a département: 1,500 IRIS ×
 * 64 crossings, 96,000 unknowns) and most secret cells are protected inside
 * their commune or EPCI: a block's LP has a few hundred to a few thousand
 * unknowns.
 */
import type { Model } from "highs";
import type { TableSet } from "../table/table.js";
import { cellSupport } from "../table/table.js";
import type { Highs } from "./solver.js";

/**
 * Blocks of inner cells by territory, finest level first: the inner cells
 * under each node of the deepest hierarchy of the set's territory variable
 * (the first variable whose hierarchy has more than one level), one list of
 * blocks per level above the leaves and under the total. Empty when no
 * variable has such a hierarchy.
 */
export function territoryBlocks(set: TableSet): number[][][] {
  for (let v = 0; v < set.variables.length; v++) {
    const dim = set.variables[v];
    if (!dim) continue;
    // The grouping with the deepest tree is the territory's own (zones are shallow).
    const byGrouping = new Map<string, Map<string, string>>();
    for (const r of dim.relations) {
      let parents = byGrouping.get(r.grouping);
      if (!parents) {
        parents = new Map();
        byGrouping.set(r.grouping, parents);
      }
      for (const ch of r.children) parents.set(ch, r.parent);
    }
    let best: Map<string, string> | undefined;
    // Two levels at least under the total (IRIS → commune → EPCI): one level is the whole system.
    let bestDepth = 1;
    for (const parents of byGrouping.values()) {
      let depth = 0;
      for (const leaf of dim.leaves) {
        let d = 0;
        for (let p = parents.get(leaf); p !== undefined && p !== dim.total; p = parents.get(p)) d++;
        if (d > depth) depth = d;
      }
      if (depth > bestDepth) {
        best = parents;
        bestDepth = depth;
      }
    }
    if (!best) continue;
    // The leaf of this variable under each inner cell, read from the cells that sit on a leaf.
    const leafOf: (string | undefined)[] = new Array(set.innerCount);
    const leafSet = new Set(dim.leaves);
    set.cells.forEach((cell, c) => {
      const spec = set.tables[cell.table];
      const pos = spec?.variables.indexOf(v) ?? -1;
      if (pos < 0) return;
      const code = cell.codes[pos] as string;
      if (!leafSet.has(code)) return;
      for (const i of cellSupport(set, c)) leafOf[i] = code;
    });
    if (leafOf.some((l) => l === undefined)) continue;
    const levels: number[][][] = [];
    const parents = best;
    for (let level = 1; level <= bestDepth; level++) {
      const groups = new Map<string, number[]>();
      for (let i = 0; i < set.innerCount; i++) {
        let node: string | undefined = leafOf[i];
        for (let k = 0; k < level && node !== undefined; k++) node = parents.get(node);
        if (node === undefined || node === dim.total) continue;
        let g = groups.get(node);
        if (!g) {
          g = [];
          groups.set(node, g);
        }
        g.push(i);
      }
      // A level whose single block is everything is the whole system's job.
      const blocks = [...groups.values()].filter((b) => b.length < set.innerCount);
      if (blocks.length > 0) levels.push(blocks);
    }
    return levels;
  }
  return [];
}

/** The audit's system in its own columns (unknown inner cells). */
export interface LocalSystem {
  readonly nCols: number;
  readonly rowStarts: readonly number[];
  readonly rowIdx: readonly number[];
  readonly rowsOfVar: readonly (readonly number[])[];
  /** True value of each column. */
  readonly truth: readonly number[];
}

/** A target of the audit as the local solves see it. */
export interface LocalTarget {
  readonly cols: readonly number[];
  readonly value: number;
  readonly obsMin: number;
  readonly obsMax: number;
}

export interface LocalSpreadInput {
  readonly blocks: readonly (readonly number[])[];
  readonly targets: readonly LocalTarget[];
  readonly targetsOfVar: readonly (readonly number[])[];
  /** Still to prove (the caller's observed ranges change as solutions are observed). */
  readonly pending: (target: number) => boolean;
  /** Largest move of one unknown: a bounded change proves as much and keeps every LP bounded. */
  readonly cap: number;
  /** Spread solves per block at most. */
  readonly solvesPerBlock: number;
  /** Called with each solution (a change of the columns); true when it proved something. */
  readonly observe: (cols: readonly number[], delta: readonly number[]) => boolean;
  /**
   * Models kept from an earlier round: `inner[b]` is block b in inner cells,
   * `col` the audit's column of each inner cell (−1 when known), `known` the
   * cells the attacker knows now.
   */
  readonly kept?: {
    readonly models: BlockModels;
    readonly inner: readonly (readonly number[])[];
    readonly col: Int32Array;
    readonly known: (cell: number) => boolean;
  };
}

interface KeptModel {
  readonly model: Model;
  /** The published cell of each row; a row is freed once its cell is no longer known. */
  readonly rowCells: readonly number[];
  readonly freed: Uint8Array;
  cap: number;
}

/**
 * Block LPs kept from one screening round to the next. Between rounds the
 * pattern only gains suppressions, so a block's LP only loses rows: a row
 * whose cell is no longer known is freed (bounds ±∞) and the last basis,
 * still feasible, warm-starts the next solves. Rows are the known cells
 * themselves (duplicates included), so freeing one never drops a twin's
 * equation. Screening only: the verdict audit builds its own models, and
 * checks every witness a screening found.
 */
export class BlockModels {
  readonly #models = new Map<readonly number[], KeptModel>();
  constructor(
    private readonly highs: Highs,
    /** The table set, or as much of it as the models read (a worker's copy). */
    private readonly set: { readonly inner: { readonly values: Float64Array } },
    private readonly byInner: readonly Int32Array[],
  ) {}

  model(block: readonly number[], known: (cell: number) => boolean, cap: number): KeptModel {
    const n = block.length;
    let kept = this.#models.get(block);
    if (kept) {
      for (let r = 0; r < kept.rowCells.length; r++) {
        if (kept.freed[r] || known(kept.rowCells[r] as number)) continue;
        kept.freed[r] = 1;
        kept.model.changeRowBounds(r, -this.highs.infinity, this.highs.infinity);
      }
      if (cap > kept.cap) {
        kept.cap = cap;
        const lower = Float64Array.from(block, (i) => -(this.set.inner.values[i] as number));
        kept.model.changeColsBounds(
          { kind: "range", from: 0, to: n - 1 },
          lower,
          new Float64Array(n).fill(cap),
        );
      }
      return kept;
    }
    const rowOf = new Map<number, number>();
    const parts: number[][] = [];
    const rowCells: number[] = [];
    block.forEach((i, k) => {
      for (const c of this.byInner[i] as Int32Array) {
        if (!known(c)) continue;
        let at = rowOf.get(c);
        if (at === undefined) {
          at = parts.length;
          rowOf.set(c, at);
          parts.push([]);
          rowCells.push(c);
        }
        (parts[at] as number[]).push(k);
      }
    });
    const starts: number[] = [0];
    const idx: number[] = [];
    for (const part of parts) {
      for (const l of part) idx.push(l);
      starts.push(idx.length);
    }
    const model = this.highs.createModel({
      numCols: n,
      numRows: parts.length,
      colCost: new Float64Array(n),
      colLower: Float64Array.from(block, (i) => -(this.set.inner.values[i] as number)),
      colUpper: new Float64Array(n).fill(cap),
      rowLower: new Float64Array(parts.length),
      rowUpper: new Float64Array(parts.length),
      matrix: {
        format: "csr",
        numRows: parts.length,
        numCols: n,
        starts,
        indices: idx,
        values: new Float64Array(idx.length).fill(1),
      },
    });
    model.options.set({ output_flag: false, simplex_strategy: 4 });
    kept = { model, rowCells, freed: new Uint8Array(parts.length), cap };
    this.#models.set(block, kept);
    return kept;
  }

  dispose(): void {
    for (const kept of this.#models.values()) kept.model.dispose();
    this.#models.clear();
  }
}

/**
 * Each pending target's push in spread solve s: minimised, −1 pushes the
 * cell up (zeros can only go up); otherwise the side observed least,
 * alternating on ties.
 */
function spreadWeights(
  input: Pick<LocalSpreadInput, "targets">,
  pending: readonly number[],
  s: number,
  weight: Float64Array,
): void {
  let seed = (s + 1) * 2654435761;
  for (const ti of pending) {
    const t = input.targets[ti] as LocalTarget;
    seed = (seed * 1103515245 + 12345) >>> 0;
    const up = t.obsMax - t.value;
    const down = t.value - t.obsMin;
    weight[ti] = t.value <= 0 || down > up ? -1 : up > down ? 1 : seed & 0x10000 ? 1 : -1;
  }
}

/**
 * Spread solves on one block's model, whose column k is the audit's unknown
 * colOf(k) (−1: a known inner cell, fixed by its own row); returns the
 * number of solves.
 */
export function spreadOnBlock(
  highs: Highs,
  input: Pick<LocalSpreadInput, "targets" | "targetsOfVar" | "solvesPerBlock" | "observe">,
  model: Model,
  colOf: (k: number) => number,
  n: number,
  firstPending: number[],
  pendingHere: () => number[],
): number {
  let solves = 0;
  let pending = firstPending;
  const costs = new Float64Array(n);
  const weight = new Float64Array(input.targets.length);
  const all = { kind: "range", from: 0, to: n - 1 } as const;
  for (let s = 0; s < input.solvesPerBlock && pending.length > 0; s++) {
    spreadWeights(input, pending, s, weight);
    // Each unknown's cost read from the block's side (an Ensemble target holds every unknown).
    for (let k = 0; k < n; k++) {
      const j = colOf(k);
      let w = 0;
      if (j >= 0) for (const ti of input.targetsOfVar[j] as number[]) w += weight[ti] as number;
      costs[k] = w;
    }
    for (const ti of pending) weight[ti] = 0;
    model.changeColsCost(all, costs);
    solves++;
    if (model.run().modelStatus !== highs.constants.modelStatus.optimal) break;
    const x = model.getSolution().colValue;
    const cols: number[] = [];
    const delta: number[] = [];
    let valid = true;
    for (let k = 0; k < n; k++) {
      const d = x[k] as number;
      if (Math.abs(d) <= 1e-9) continue;
      const j = colOf(k);
      // Moving a known inner cell is no change of the attacker's system.
      if (j < 0) valid = false;
      cols.push(j);
      delta.push(d);
    }
    if (!valid || cols.length === 0 || !input.observe(cols, delta)) break;
    pending = pendingHere();
  }
  return solves;
}

/** Runs spread solves block by block; returns the number of LP solves. */
export function localSpread(highs: Highs, sys: LocalSystem, input: LocalSpreadInput): number {
  let solves = 0;
  for (const [b, block] of input.blocks.entries()) {
    const touched = new Set<number>();
    for (const j of block) for (const ti of input.targetsOfVar[j] as number[]) touched.add(ti);
    const pendingHere = () => [...touched].filter((ti) => input.pending(ti));
    const pending = pendingHere();
    if (pending.length === 0) continue;
    const kept = input.kept;
    if (kept) {
      const inner = kept.inner[b] as readonly number[];
      const { model } = kept.models.model(inner, kept.known, input.cap);
      const colOf = (k: number) => kept.col[inner[k] as number] as number;
      solves += spreadOnBlock(highs, input, model, colOf, inner.length, pending, pendingHere);
      continue;
    }
    // Each row's part inside the block, read from the block's side: the
    // Ensemble's rows hold every unknown of the system.
    const rowOf = new Map<number, number>();
    const parts: number[][] = [];
    block.forEach((j, k) => {
      for (const r of sys.rowsOfVar[j] as number[]) {
        let at = rowOf.get(r);
        if (at === undefined) {
          at = parts.length;
          rowOf.set(r, at);
          parts.push([]);
        }
        (parts[at] as number[]).push(k);
      }
    });
    const n = block.length;
    const starts: number[] = [0];
    const idx: number[] = [];
    for (const part of parts) {
      for (const l of part) idx.push(l);
      starts.push(idx.length);
    }
    let model: Model | undefined;
    try {
      model = highs.createModel({
        numCols: n,
        numRows: starts.length - 1,
        colCost: new Float64Array(n),
        colLower: Float64Array.from(block, (j) => -(sys.truth[j] as number)),
        colUpper: new Float64Array(n).fill(input.cap),
        rowLower: new Float64Array(starts.length - 1),
        rowUpper: new Float64Array(starts.length - 1),
        matrix: {
          format: "csr",
          numRows: starts.length - 1,
          numCols: n,
          starts,
          indices: idx,
          values: new Float64Array(idx.length).fill(1),
        },
      });
      model.options.set({ output_flag: false, simplex_strategy: 4 });
      solves += spreadOnBlock(highs, input, model, (k) => block[k] as number, n, pending, pendingHere);
    } finally {
      model?.dispose();
    }
  }
  return solves;
}
