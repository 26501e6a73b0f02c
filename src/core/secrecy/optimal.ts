/**
 * Optimal secondary suppression for small and medium tables: a mixed-integer
 * program in the style of Fischetti & Salazar, solved by HiGHS.
 *
 * One binary x_c per candidate cell says "suppress c". Each primary p gets two
 * perturbations of the inner cells, one raising p by a_p and one lowering it
 * by b_p with a_p + b_p ≥ W_p, both keeping every inner cell non-negative.
 * A perturbation may change a cell only if that cell is suppressed
 * (|Δc| ≤ M·x_c). Any solution is therefore safe by construction: for every
 * primary, two tables consistent with the publication differ on it by W_p.
 */
import { cellSupport, type TableSet } from "../table/table.js";
import type { Highs } from "./solver.js";

export interface OptimalInput {
  readonly primaries: readonly number[];
  readonly frozen: Uint8Array;
  readonly cost: (cell: number) => number;
  readonly width: (cell: number) => number;
  readonly timeLimit: number;
}

/** Returns the suppression pattern, or undefined when no solution was found in time. */
export function optimalSuppression(highs: Highs, set: TableSet, input: OptimalInput): Uint8Array | undefined {
  const n = set.cells.length;
  const N = set.innerCount;
  const values = set.inner.values;
  const isPrim = new Uint8Array(n);
  for (const p of input.primaries) isPrim[p] = 1;
  if (input.primaries.length === 0) return new Uint8Array(n);
  // Columns: x_c for candidates, then per primary and direction N perturbation vars, then a_p, b_p.
  const candidates = [...Array(n).keys()].filter((c) => !isPrim[c] && !input.frozen[c]);
  const xCol = new Map(candidates.map((c, k) => [c, k]));
  const P = input.primaries.length;
  const yBase = (k: number, dir: 0 | 1) => candidates.length + (2 * k + dir) * N;
  const abBase = candidates.length + 2 * P * N;
  const nCols = abBase + 2 * P;
  if (nCols > 200_000) return undefined;
  const colCost = new Float64Array(nCols);
  const colLower = new Float64Array(nCols);
  const colUpper = new Float64Array(nCols);
  const integrality = new Int32Array(nCols);
  candidates.forEach((c, k) => {
    colCost[k] = input.cost(c);
    colUpper[k] = 1;
    integrality[k] = 1;
  });
  const widths = input.primaries.map((p) => input.width(p));
  input.primaries.forEach((p, k) => {
    const w = widths[k] as number;
    for (const dir of [0, 1] as const) {
      for (let i = 0; i < N; i++) {
        colLower[yBase(k, dir) + i] = -Math.min(values[i] as number, w);
        colUpper[yBase(k, dir) + i] = w;
      }
    }
    colUpper[abBase + 2 * k] = w; // a_p: rise
    colUpper[abBase + 2 * k + 1] = Math.min(w, set.cells[p]?.value ?? 0); // b_p: fall
  });
  const starts: number[] = [0];
  const idx: number[] = [];
  const val: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const push = (cols: number[], vals: number[], lo: number, up: number) => {
    idx.push(...cols);
    val.push(...vals);
    starts.push(idx.length);
    lower.push(lo);
    upper.push(up);
  };
  input.primaries.forEach((p, k) => {
    const w = widths[k] as number;
    // a_p + b_p ≥ W_p
    push([abBase + 2 * k, abBase + 2 * k + 1], [1, 1], w, highs.infinity);
    for (const dir of [0, 1] as const) {
      const base = yBase(k, dir);
      for (let c = 0; c < n; c++) {
        const s = cellSupport(set, c);
        const cols = Array.from(s, (i) => base + i);
        const ones = cols.map(() => 1);
        if (c === p) {
          // Rise: Δp − a_p ≥ 0 ; fall: Δp + b_p ≤ 0.
          const ab = abBase + 2 * k + dir;
          if (dir === 0) push([...cols, ab], [...ones, -1], 0, highs.infinity);
          else push([...cols, ab], [...ones, 1], -highs.infinity, 0);
          continue;
        }
        if (isPrim[c]) continue;
        if (input.frozen[c]) {
          push(cols, ones, 0, 0);
          continue;
        }
        const M = w * s.length;
        const x = xCol.get(c) as number;
        push([...cols, x], [...ones, -M], -highs.infinity, 0);
        push([...cols, x], [...ones, M], 0, highs.infinity);
      }
    }
  });
  const model = highs.createModel({
    numCols: nCols,
    numRows: lower.length,
    colCost,
    colLower,
    colUpper,
    rowLower: lower,
    rowUpper: upper,
    integrality,
    matrix: { format: "csr", numRows: lower.length, numCols: nCols, starts, indices: idx, values: val },
  });
  try {
    model.options.set({ output_flag: false, time_limit: input.timeLimit, random_seed: 1, mip_rel_gap: 1e-6 });
    model.run();
    const status = model.getModelStatus();
    const ok = highs.constants.modelStatus;
    if (status !== ok.optimal && status !== ok.timeLimit) return undefined;
    const x = model.getSolution().colValue;
    if (!x || x.length !== nCols) return undefined;
    const out = new Uint8Array(n);
    for (const p of input.primaries) out[p] = 1;
    // Keep only secondaries some perturbation actually moves.
    candidates.forEach((c, k) => {
      if ((x[k] as number) < 0.5) return;
      const s = cellSupport(set, c);
      let moved = false;
      for (let q = 0; q < P && !moved; q++) {
        for (const dir of [0, 1] as const) {
          let d = 0;
          for (const i of s) d += x[yBase(q, dir) + i] as number;
          if (Math.abs(d) > 1e-6) moved = true;
        }
      }
      if (moved) out[c] = 1;
    });
    return out;
  } finally {
    model.dispose();
  }
}
