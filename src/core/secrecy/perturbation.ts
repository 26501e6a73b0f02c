/**
 * Protection of one cell by a minimal-cost perturbation (the incremental
 * method of Kelly, Golden & Assad, and Fischetti & Salazar's LP heuristic).
 *
 * To protect cell p with width W, look for a change y of the inner cells that
 * keeps them non-negative, moves p by at least W, and changes as few
 * published cells as possible (already suppressed cells change for free).
 * Suppressing every cell the change touches makes the perturbed table
 * indistinguishable from the true one for an attacker: p is then protected by
 * construction. The LP is solved on a neighbourhood of p, widened when it is
 * infeasible there.
 */

import { cellSupport, type TableSet } from "../table/table.js";
import type { Highs } from "./solver.js";

export interface PerturbationInput {
  readonly set: TableSet;
  /** Current pattern: 1 for suppressed cells; cells to suppress are set to 1. */
  readonly suppressed: Uint8Array;
  /** Cells that must never be suppressed (forced, already published earlier). */
  readonly frozen: Uint8Array;
  /** Cost of suppressing each cell. */
  readonly cost: (cell: number) => number;
  /**
   * "fixed": a neighbourhood's boundary cells stay put (see
   * protectByPerturbation); "free": they may move. By default fixed up to
   * FIXED_BOUNDARY_CELLS inner cells, where an LP on the whole table stays
   * cheap, free beyond.
   */
  readonly boundary?: "fixed" | "free";
}

/** Largest table (inner cells) whose perturbations keep their boundary fixed by default. */
export const FIXED_BOUNDARY_CELLS = 4000;

/** Inner cells → cells containing them, built once per table set. */
export function cellsByInner(set: TableSet): Int32Array[] {
  const lists: number[][] = Array.from({ length: set.innerCount }, () => []);
  for (let c = 0; c < set.cells.length; c++) {
    for (const i of cellSupport(set, c)) (lists[i] as number[]).push(c);
  }
  return lists.map((l) => Int32Array.from(l));
}

/** A perturbation found: the cells it suppressed and the change of inner cells itself. */
export interface Perturbation {
  readonly suppressed: number[];
  /** Sparse change of inner cells: the attacker cannot tell the perturbed table from the true one. */
  readonly change: { readonly inner: Int32Array; readonly delta: Float64Array };
}

/**
 * Suppresses the cells of a cheapest perturbation moving `target` up (or down)
 * by `width`. Returns the perturbation, or undefined when none exists even on
 * the whole table.
 */
export function protectByPerturbation(
  highs: Highs,
  input: PerturbationInput,
  byInner: readonly Int32Array[],
  target: number,
  width: number,
): Perturbation | undefined {
  const { set } = input;
  const values = set.inner.values;
  const seed = cellSupport(set, target);
  // Neighbourhoods grow until a change is found, the whole table last. With
  // a fixed boundary, a published cell that sums inner cells outside the
  // neighbourhood (a commune's or the Ensemble's total seen from one IRIS)
  // stays put: the paths through its other parts are out of sight, so moving
  // it would suppress a margin where a wider look finds inner cells to change
  // instead (the Ensemble's age bands and GIR of an APA release).
  let radius = 2;
  let size = -1;
  for (;;) {
    const local = neighbourhood(set, byInner, seed, radius);
    const whole = local.length === set.innerCount;
    if (local.length > size) {
      size = local.length;
      for (const direction of [1, -1] as const) {
        const found = solve(highs, input, byInner, local, target, width, direction, values);
        if (found) {
          for (const c of found.suppressed) input.suppressed[c] = 1;
          return found;
        }
      }
    }
    if (whole) return undefined;
    radius = radius >= 4 ? Number.POSITIVE_INFINITY : radius + 1;
  }
}

function neighbourhood(
  set: TableSet,
  byInner: readonly Int32Array[],
  seed: ArrayLike<number>,
  radius: number,
): number[] {
  if (!Number.isFinite(radius)) return Array.from({ length: set.innerCount }, (_, i) => i);
  const local = new Set<number>(Array.from(seed));
  let frontier = [...local];
  for (let h = 0; h < radius; h++) {
    const next: number[] = [];
    for (const i of frontier) {
      for (const c of byInner[i] as Int32Array) {
        const s = cellSupport(set, c);
        if (s.length > 40) continue;
        for (const j of s) {
          if (!local.has(j)) {
            local.add(j);
            next.push(j);
          }
        }
      }
    }
    frontier = next;
  }
  return [...local].sort((a, b) => a - b);
}

function solve(
  highs: Highs,
  input: PerturbationInput,
  byInner: readonly Int32Array[],
  local: readonly number[],
  target: number,
  width: number,
  direction: 1 | -1,
  values: Float64Array,
): Perturbation | undefined {
  const { set } = input;
  const fixedBoundary =
    (input.boundary ?? (set.innerCount <= FIXED_BOUNDARY_CELLS ? "fixed" : "free")) === "fixed";
  const pos = new Map(local.map((v, k) => [v, k]));
  // Cells touched by the neighbourhood.
  const touched = new Set<number>();
  for (const i of local) for (const c of byInner[i] as Int32Array) touched.add(c);
  const cells = [...touched].sort((a, b) => a - b);
  // Columns: y (one per local inner cell), then u_c, v_c for published cells.
  const nY = local.length;
  const published = cells.filter((c) => !input.suppressed[c]);
  const nCols = nY + 2 * published.length;
  const colCost = new Float64Array(nCols);
  const colLower = new Float64Array(nCols);
  const colUpper = new Float64Array(nCols).fill(highs.infinity);
  local.forEach((i, k) => {
    colLower[k] = -(values[i] as number);
  });
  const rowStarts: number[] = [0];
  const rowIdx: number[] = [];
  const rowVal: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  // Each published cell's local inner cells, read from the neighbourhood's
  // side: a margin's support can hold every inner cell of the table.
  const rowOf = new Map(published.map((c, k) => [c, k]));
  const localParts: number[][] = published.map(() => []);
  local.forEach((i, p) => {
    for (const c of byInner[i] as Int32Array) {
      const k = rowOf.get(c);
      if (k !== undefined) (localParts[k] as number[]).push(p);
    }
  });
  published.forEach((c, k) => {
    // Σ y over c − u_c + v_c = 0; frozen cells must not move at all.
    const parts = localParts[k] as number[];
    const boundary = parts.length < cellSupport(set, c).length;
    for (const p of parts) {
      rowIdx.push(p);
      rowVal.push(1);
    }
    const frozen = input.frozen[c] === 1 || c === target || (boundary && fixedBoundary);
    rowIdx.push(nY + 2 * k, nY + 2 * k + 1);
    rowVal.push(-1, 1);
    const w = frozen ? 0 : input.cost(c);
    colCost[nY + 2 * k] = w;
    colCost[nY + 2 * k + 1] = w;
    if (frozen) {
      colUpper[nY + 2 * k] = 0;
      colUpper[nY + 2 * k + 1] = 0;
    }
    rowLower.push(0);
    rowUpper.push(0);
    rowStarts.push(rowIdx.length);
  });
  // The target moves by at least `width` in the chosen direction.
  for (const i of cellSupport(set, target)) {
    const p = pos.get(i);
    if (p !== undefined) {
      rowIdx.push(p);
      rowVal.push(direction);
    }
  }
  rowLower.push(width);
  rowUpper.push(highs.infinity);
  rowStarts.push(rowIdx.length);
  const model = highs.createModel({
    numCols: nCols,
    numRows: rowLower.length,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: {
      format: "csr",
      numRows: rowLower.length,
      numCols: nCols,
      starts: rowStarts,
      indices: rowIdx,
      values: rowVal,
    },
  });
  try {
    model.options.set({ output_flag: false });
    const status = model.run().modelStatus;
    if (status !== highs.constants.modelStatus.optimal) return undefined;
    const x = model.getSolution().colValue;
    const out: number[] = [];
    published.forEach((c, k) => {
      const dev = (x[nY + 2 * k] as number) + (x[nY + 2 * k + 1] as number);
      if (dev > 1e-7) out.push(c);
    });
    // The target itself is suppressed already when it is a primary.
    if (!input.suppressed[target]) out.push(target);
    const moved: number[] = [];
    for (let k = 0; k < nY; k++) if (Math.abs(x[k] as number) > 1e-9) moved.push(k);
    return {
      suppressed: out,
      change: {
        inner: Int32Array.from(moved, (k) => local[k] as number),
        delta: Float64Array.from(moved, (k) => x[k] as number),
      },
    };
  } finally {
    model.dispose();
  }
}
