/**
 * Block LPs of one level spread over workers (issue 13, item 9).
 *
 * The blocks of one level (the communes, then the EPCI) are independent: a
 * block's LP reads only the published cells touching the block and holds
 * every other cell fixed (local-proofs.ts). So a level can be solved by
 * several workers at once, each with its own HiGHS and its own blocks, kept
 * across the screening rounds of a repair loop as BlockModels does in one
 * thread. Each worker starts from the same observed ranges (a snapshot at the
 * start of the level) and sends back its solutions as sparse changes of inner
 * cells; the audit checks every one against its own equations before using
 * it, as it checks any witness: a worker is never trusted.
 *
 * This file is pure: the pool (threads, messages) is the shell's
 * (src/release/block-pool.ts), behind the BlockPool interface; BlockShare is
 * what one worker runs.
 */
import type { TableSet } from "../table/table.js";
import { BlockModels, type LocalTarget, spreadOnBlock } from "./local-proofs.js";
import type { Highs } from "./solver.js";

/** What a worker holds of a table set, sent once per protection. */
export interface BlockSetData {
  readonly innerValues: Float64Array;
  readonly supportStart: Int32Array;
  readonly supportIdx: Int32Array;
  /** Blocks of inner cells by level, finest first (territoryBlocks). */
  readonly levels: readonly (readonly (readonly number[])[])[];
  /** Per level, the blocks this worker solves (indices into `levels[l]`). */
  readonly mine: readonly (readonly number[])[];
}

/** The audit's targets (suppressed cells attacked) at the start of a level. */
export interface LevelTargets {
  readonly cell: Int32Array;
  readonly value: Float64Array;
  readonly obsMin: Float64Array;
  readonly obsMax: Float64Array;
  /** Required interval width (3b), 0 when none. */
  readonly need: Float64Array;
  /** Required upper bound (3c), 0 when none. */
  readonly needUpper: Float64Array;
  /** 1 when the audit still attacks the target (not skipped, not fixed by deductions). */
  readonly eligible: Uint8Array;
}

export interface LevelRequest {
  readonly level: number;
  /** Per cell: known to the attacker (published now or earlier). */
  readonly known: Uint8Array;
  readonly targets: LevelTargets;
  /** Largest move of one unknown. */
  readonly cap: number;
  readonly solvesPerBlock: number;
  readonly integral: boolean;
  readonly eps: number;
  /** Keep the blocks' models under this key across requests (one repair loop); fresh models when absent. */
  readonly keep?: number;
}

/** A block solution that proved something in the worker's view. */
export interface BlockSolution {
  /** Index of the block in its level. */
  readonly block: number;
  readonly inner: Int32Array;
  readonly delta: Float64Array;
}

export interface LevelResult {
  /** In block order. */
  readonly solutions: readonly BlockSolution[];
  readonly solves: number;
}

/** A table set opened on the pool's workers. */
export interface BlockPoolSession {
  readonly workers: number;
  /** Solves one level's blocks on every worker at once; returns when all are done. */
  spread(request: LevelRequest): LevelResult;
  /** Disposes the models kept under `keep`. */
  release(keep: number): void;
  close(): void;
}

export interface BlockPool {
  readonly size: number;
  open(set: TableSet, levels: readonly (readonly (readonly number[])[])[]): BlockPoolSession;
}

/**
 * Blocks to workers, stable for a set: the top level's blocks (the EPCI) by
 * size, largest first, each to the least loaded worker; every finer block
 * (a commune) to the worker of the top block holding its first inner cell,
 * so that a commune and its EPCI share their worker's observations.
 * Returns, per worker, its blocks' indices per level.
 */
export function assignBlocks(
  levels: readonly (readonly (readonly number[])[])[],
  innerCount: number,
  workers: number,
): number[][][] {
  const out = Array.from({ length: workers }, () => levels.map((): number[] => []));
  const top = levels[levels.length - 1];
  if (!top) return out;
  const workerOfInner = new Int32Array(innerCount).fill(-1);
  const load = new Float64Array(workers);
  const order = [...top.keys()].sort(
    (a, b) => (top[b] as readonly number[]).length - (top[a] as readonly number[]).length || a - b,
  );
  for (const b of order) {
    let w = 0;
    for (let k = 1; k < workers; k++) if ((load[k] as number) < (load[w] as number)) w = k;
    const block = top[b] as readonly number[];
    load[w] = (load[w] as number) + block.length;
    for (const i of block) workerOfInner[i] = w;
  }
  levels.forEach((level, l) => {
    level.forEach((block, b) => {
      const first = block[0];
      let w = first === undefined ? 0 : (workerOfInner[first] as number);
      // An inner cell no top block holds: spread by index.
      if (w < 0) w = b % workers;
      ((out[w] as number[][])[l] as number[]).push(b);
    });
  });
  return out;
}

/** What one worker runs: its blocks of a set, their kept models, one level at a time. */
export class BlockShare {
  readonly #byInner: Int32Array[];
  readonly #kept = new Map<number, BlockModels>();
  readonly #values: { readonly inner: { readonly values: Float64Array } };

  constructor(
    private readonly highs: Highs,
    private readonly data: BlockSetData,
  ) {
    const { supportStart, supportIdx, innerValues } = data;
    const counts = new Int32Array(innerValues.length);
    for (const i of supportIdx) counts[i] = (counts[i] as number) + 1;
    this.#byInner = Array.from(counts, (n) => new Int32Array(n));
    const fill = new Int32Array(innerValues.length);
    for (let c = 0; c + 1 < supportStart.length; c++) {
      for (let k = supportStart[c] as number; k < (supportStart[c + 1] as number); k++) {
        const i = supportIdx[k] as number;
        (this.#byInner[i] as Int32Array)[fill[i] as number] = c;
        fill[i] = (fill[i] as number) + 1;
      }
    }
    this.#values = { inner: { values: innerValues } };
  }

  run(req: LevelRequest): LevelResult {
    const { supportStart, supportIdx, levels, mine } = this.data;
    const level = levels[req.level] ?? [];
    const innerCount = this.data.innerValues.length;
    const nCells = supportStart.length - 1;
    const knownInner = new Uint8Array(innerCount);
    for (let c = 0; c < nCells; c++) {
      const s = supportStart[c] as number;
      if (req.known[c] && (supportStart[c + 1] as number) - s === 1) knownInner[supportIdx[s] as number] = 1;
    }
    const tg = req.targets;
    const targetOf = new Int32Array(nCells).fill(-1);
    tg.cell.forEach((c, t) => {
      targetOf[c] = t;
    });
    const targets: { cols: number[]; value: number; obsMin: number; obsMax: number }[] = Array.from(
      tg.cell,
      (_, t) => ({
        cols: [],
        value: tg.value[t] as number,
        obsMin: tg.obsMin[t] as number,
        obsMax: tg.obsMax[t] as number,
      }),
    );
    const none: number[] = [];
    const targetsOfVar: number[][] = new Array(innerCount).fill(none);
    const blocks = (mine[req.level] ?? []).filter((b) => (level[b] ?? []).some((i) => knownInner[i] === 0));
    for (const b of blocks) {
      for (const i of level[b] as readonly number[]) {
        if (knownInner[i]) continue;
        const list: number[] = [];
        for (const c of this.#byInner[i] as Int32Array) {
          const t = targetOf[c] as number;
          if (t >= 0) list.push(t);
        }
        targetsOfVar[i] = list;
      }
    }
    const roundLo = (x: number) => (req.integral ? Math.ceil(x - 1e-6) : x) + 0;
    const roundUp = (x: number) => (req.integral ? Math.floor(x + 1e-6) : x) + 0;
    const proven = (t: number): boolean => {
      const x = targets[t] as LocalTarget;
      const l = roundLo(x.obsMin);
      const u = roundUp(x.obsMax);
      const width = u - l;
      if (req.integral ? width < 1 : width <= req.eps) return false;
      const need = tg.need[t] as number;
      const needUpper = tg.needUpper[t] as number;
      if (need > 0 && width < need - req.eps) return false;
      if (needUpper > 0 && u < needUpper) return false;
      return true;
    };
    const pending = (t: number) => tg.eligible[t] === 1 && !proven(t);
    let models = req.keep === undefined ? undefined : this.#kept.get(req.keep);
    if (!models) {
      models = new BlockModels(this.highs, this.#values, this.#byInner);
      if (req.keep !== undefined) this.#kept.set(req.keep, models);
    }
    const solutions: BlockSolution[] = [];
    const targetDelta = new Float64Array(targets.length);
    const targetMark = new Uint8Array(targets.length);
    let solves = 0;
    try {
      for (const b of blocks) {
        const block = level[b] as readonly number[];
        const touched = new Set<number>();
        for (const i of block) for (const t of targetsOfVar[i] as number[]) touched.add(t);
        const pendingHere = () => [...touched].filter(pending);
        const first = pendingHere();
        if (first.length === 0) continue;
        const { model } = models.model(block, (c) => req.known[c] === 1, req.cap);
        const observe = (cols: readonly number[], delta: readonly number[]): boolean => {
          const moved: number[] = [];
          cols.forEach((i, k) => {
            for (const t of targetsOfVar[i] as number[]) {
              if (!targetMark[t]) {
                targetMark[t] = 1;
                targetDelta[t] = 0;
                moved.push(t);
              }
              targetDelta[t] = (targetDelta[t] as number) + (delta[k] as number);
            }
          });
          let widened = false;
          for (const t of moved) {
            targetMark[t] = 0;
            const x = targets[t] as { value: number; obsMin: number; obsMax: number };
            const v = x.value + (targetDelta[t] as number);
            if (v < x.obsMin - 1e-9) {
              x.obsMin = v;
              widened = true;
            }
            if (v > x.obsMax + 1e-9) {
              x.obsMax = v;
              widened = true;
            }
          }
          if (widened)
            solutions.push({ block: b, inner: Int32Array.from(cols), delta: Float64Array.from(delta) });
          return widened;
        };
        solves += spreadOnBlock(
          this.highs,
          { targets, targetsOfVar, solvesPerBlock: req.solvesPerBlock, observe },
          model,
          (k) => (knownInner[block[k] as number] ? -1 : (block[k] as number)),
          block.length,
          first,
          pendingHere,
        );
      }
    } finally {
      if (req.keep === undefined) models.dispose();
    }
    return { solutions, solves };
  }

  release(keep: number): void {
    this.#kept.get(keep)?.dispose();
    this.#kept.delete(keep);
  }

  dispose(): void {
    for (const m of this.#kept.values()) m.dispose();
    this.#kept.clear();
  }
}

/** Solutions of every worker in block order (stable within a block), so the merge is deterministic. */
export function mergeLevel(results: readonly LevelResult[]): LevelResult {
  const solutions = results.flatMap((r) => r.solutions);
  solutions.sort((a, b) => a.block - b.block);
  return { solutions, solves: results.reduce((s, r) => s + r.solves, 0) };
}
