/**
 * The attacker audit. An independent LP attacker who knows every published
 * cell, every additivity equation of every linked table (they are all sums of
 * the same inner cells), earlier releases and non-negativity computes bounds
 * on each suppressed cell and checks the protection standard:
 *   3a no suppressed cell is computable exactly;
 *   3b every primary keeps an interval at least as wide as its protection;
 *   3c no group of suppressed cells has a derivable total in 1..k−1, i.e. no
 *      suppressed cell of 1..k−1 units has an upper bound under k.
 * For count tables the attacker also rounds bounds to integers.
 *
 * This file shares nothing with the suppression code but the table model.
 * To keep the number of LP solves low, every solution found updates the
 * observed range of every suppressed cell; a cell whose observed range already
 * proves its protection needs no LP of its own.
 *
 * Witnesses: a solution is kept as a sparse change of the inner cells. A
 * caller may hand witnesses back (from an earlier screening, or perturbations
 * found by the suppression code); the audit trusts none of them: it checks
 * each against its own equations (every published cell unchanged, every inner
 * cell non-negative, no published inner cell moved) before using it as an
 * observation. A witness stays valid when more cells are suppressed, so the
 * proofs of a screening carry over to the final pattern at the cost of a
 * check instead of an LP.
 */
import type { Model } from "highs";
import { cellLabel, cellSupport, type TableSet } from "../table/table.js";
import type { BlockPoolSession } from "./block-pool.js";
import { type BlockModels, localSpread } from "./local-proofs.js";
import type { Highs } from "./solver.js";

export type AuditStandard = "full" | "exact";

export interface AuditInput {
  readonly set: TableSet;
  /** Per cell: suppressed in the pattern under audit. */
  readonly suppressed: ArrayLike<number | boolean>;
  /** Per cell: primary (needs interval protection in the full standard). */
  readonly primary: ArrayLike<number | boolean>;
  /** Required width of a primary cell's interval (3b). */
  readonly requiredWidth: (cell: number) => number;
  /** Frequency threshold k (3c). */
  readonly threshold: number;
  readonly standard: AuditStandard;
  /** Cells published by earlier releases of the same data, suppressed or not now. */
  readonly earlierPublished?: readonly number[];
  /**
   * Per cell: part of no output (a hidden table, or a cell no earlier release
   * published). Such a cell is one of the attacker's unknowns, never a target
   * (unless it is primary).
   */
  readonly unattacked?: ArrayLike<number>;
  /** Compute the exact interval of every suppressed cell, not only a proof. */
  readonly allIntervals?: boolean;
  /**
   * Screening only: cells the caller has already proven protected, not
   * attacked again. A verdict audit passes none.
   */
  readonly skip?: ArrayLike<number>;
  /** Candidate witnesses, checked before use (see the header). */
  readonly witnesses?: readonly Witness[];
  /**
   * Screening only: a finding's lower bound may be the lowest value observed
   * rather than the exact one when no lower bound could protect the cell.
   */
  readonly screening?: boolean;
  /**
   * Blocks of inner cells by territory, finest level first (territoryBlocks):
   * spread solves on each block's own LP run before any solve of the whole
   * system (local-proofs.ts).
   */
  readonly blocks?: readonly (readonly (readonly number[])[])[];
  /**
   * Screening only: no LP of the whole system; a cell the local solves and
   * witnesses do not prove is a finding with its observed range as bounds
   * (the repair then protects it, perhaps at more cost than needed).
   */
  readonly localOnly?: boolean;
  /**
   * Screening only: block models kept from the previous round (local-proofs.ts),
   * for `blocks`, on the same table set, under a pattern that only gained
   * suppressions since.
   */
  readonly blockModels?: BlockModels;
  /**
   * Block LPs on a pool of workers (block-pool.ts), opened on this set with
   * `blocks`; every solution a worker sends back is checked as a witness.
   */
  readonly blockPool?: BlockPoolSession;
  /** Screening only, with `blockPool`: the workers keep their blocks' models under this key. */
  readonly blockKeep?: number;
}

/** A change of inner cells the attacker cannot rule out, as sparse pairs. */
export interface Witness {
  readonly inner: Int32Array;
  readonly delta: Float64Array;
}

export type FindingKind = "publiee" | "exacte" | "intervalle" | "groupe";

export interface AuditFinding {
  readonly cell: number;
  readonly kind: FindingKind;
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  readonly required: number;
  /** French description naming the cell. */
  readonly message: string;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly suppressedCells: number;
  readonly findings: readonly AuditFinding[];
  /** Exact bounds known at the end (all suppressed cells when `allIntervals`). */
  readonly intervals: ReadonlyMap<number, readonly [number, number]>;
  /** Solutions of this run that proved something, reusable as witnesses. */
  readonly witnesses: readonly Witness[];
  /** Witnesses given in the input that the check refused. */
  readonly rejectedWitnesses: number;
  readonly lpSolves: number;
  /** Solves of block LPs (local-proofs.ts), counted in lpSolves too. */
  readonly localSolves: number;
  readonly globalSolves: number;
  readonly globalSeconds: number;
  /** Wall seconds in block LPs (waiting for the pool's workers included). */
  readonly localSeconds: number;
  readonly seconds: number;
}

const FEAS_TOL = 1e-7;
/** Spread solves of the whole system: at most this many, while each proves at least 1 % of the cells left. */
const SPREAD_SOLVES = 30;

export function auditPattern(highs: Highs, input: AuditInput): AuditReport {
  const started = performance.now();
  const { set } = input;
  const nCells = set.cells.length;
  const supp = (c: number) => Boolean(input.suppressed[c]);
  const integral = !set.magnitude;

  // Inner cells known to the attacker: published inner cells (now or earlier).
  const publishedNow: number[] = [];
  for (let c = 0; c < nCells; c++) if (!supp(c)) publishedNow.push(c);
  const published = [...new Set([...publishedNow, ...(input.earlierPublished ?? [])])];
  const knownCell = new Uint8Array(nCells);
  for (const c of published) knownCell[c] = 1;
  const known = new Uint8Array(set.innerCount);
  for (const c of published) {
    const s = cellSupport(set, c);
    if (s.length === 1) known[s[0] as number] = 1;
  }
  const col = new Int32Array(set.innerCount).fill(-1);
  const vars: number[] = [];
  for (let i = 0; i < set.innerCount; i++) {
    if (!known[i]) {
      col[i] = vars.length;
      vars.push(i);
    }
  }
  const values = set.inner.values;

  // Equality rows: published cells over unknown inner cells.
  const rowStarts: number[] = [0];
  const rowIdx: number[] = [];
  const rowRhs: number[] = [];
  // Duplicate rows (a cell published in two tables) are found by a hash of
  // their columns, then compared: joining the Ensemble's 96,000 columns into
  // a string key cost more than the rest of the setup.
  const seenRows = new Map<number, number[]>();
  const sameRow = (r: number, cols: readonly number[]): boolean => {
    const start = rowStarts[r] as number;
    if ((rowStarts[r + 1] as number) - start !== cols.length) return false;
    for (let k = 0; k < cols.length; k++) if (rowIdx[start + k] !== cols[k]) return false;
    return true;
  };
  for (const c of published) {
    let rhs = (set.cells[c] as { value: number }).value;
    const cols: number[] = [];
    let hash = 0;
    let sorted = true;
    for (const i of cellSupport(set, c)) {
      const j = col[i] as number;
      if (j < 0) rhs -= values[i] as number;
      else {
        if (cols.length > 0 && j <= (cols[cols.length - 1] as number)) sorted = false;
        cols.push(j);
        hash = (Math.imul(hash, 31) + j) | 0;
      }
    }
    if (cols.length === 0) continue;
    if (!sorted) {
      cols.sort((a, b) => a - b);
      hash = 0;
      for (const j of cols) hash = (Math.imul(hash, 31) + j) | 0;
    }
    hash = (Math.imul(hash, 31) + cols.length) | 0;
    const same = seenRows.get(hash);
    if (same?.some((r) => sameRow(r, cols))) continue;
    if (same) same.push(rowRhs.length);
    else seenRows.set(hash, [rowRhs.length]);
    for (const j of cols) rowIdx.push(j);
    rowRhs.push(rhs);
    rowStarts.push(rowIdx.length);
  }

  // Objectives: each suppressed cell as a sum of unknown inner cells + constant.
  interface Target {
    cell: number;
    cols: number[];
    constant: number;
    value: number;
    need: number; // required integer/continuous width; 0 when only 3a
    needUpper: number; // 3c: required upper bound (0 if none)
    obsMin: number;
    obsMax: number;
    lo?: number;
    up?: number;
  }
  const targets: Target[] = [];
  for (let c = 0; c < nCells; c++) {
    if (!supp(c) || (input.unattacked?.[c] && !input.primary[c])) continue;
    const cell = set.cells[c] as { value: number; count: number };
    let constant = 0;
    const cols: number[] = [];
    for (const i of cellSupport(set, c)) {
      const j = col[i] as number;
      if (j < 0) constant += values[i] as number;
      else cols.push(j);
    }
    const isPrim = Boolean(input.primary[c]);
    const need = input.standard === "full" && isPrim ? input.requiredWidth(c) : 0;
    const needUpper =
      input.standard === "full" && integral && cell.count >= 1 && cell.count < input.threshold
        ? input.threshold
        : 0;
    targets.push({
      cell: c,
      cols,
      constant,
      value: cell.value,
      need,
      needUpper,
      obsMin: cell.value,
      obsMax: cell.value,
    });
  }

  const nCols = vars.length;
  const scale = Math.max(1, ...targets.map((t) => Math.abs(t.value)));
  const eps = Math.max(1e-6, 1e-9 * scale);
  const roundLo = (x: number) => (integral ? Math.ceil(x - 1e-6) : x) + 0;
  const roundUp = (x: number) => (integral ? Math.floor(x + 1e-6) : x) + 0;
  const proven = (t: Target, lo: number, up: number): boolean => {
    const l = roundLo(lo);
    const u = roundUp(up);
    const width = u - l;
    if (integral ? width < 1 : width <= eps) return false;
    if (t.need > 0 && width < t.need - eps) return false;
    if (t.needUpper > 0 && u < t.needUpper) return false;
    return true;
  };

  let lpSolves = 0;
  let localSolves = 0;
  let globalSolves = 0;
  let globalMs = 0;
  let localMs = 0;
  let model: Model | undefined;
  const intervals = new Map<number, readonly [number, number]>();
  const findings: AuditFinding[] = [];
  const witnesses: Witness[] = [];
  let rejectedWitnesses = 0;
  for (let c = 0; c < nCells; c++) {
    if (input.primary[c] && !supp(c)) {
      const value = (set.cells[c] as { value: number }).value;
      findings.push({
        cell: c,
        kind: "publiee",
        value,
        lower: value,
        upper: value,
        required: 0,
        message: `La cellule ${cellLabel(set, c)} est sous secret primaire mais publiée.`,
      });
    }
  }
  try {
    // A local screening solves nothing on the whole system: no model of it.
    const wholeSystem = !(input.localOnly && input.screening && input.blocks && input.blocks.length > 0);
    if (nCols > 0 && targets.length > 0 && wholeSystem) {
      model = highs.createModel({
        numCols: nCols,
        numRows: rowRhs.length,
        colCost: new Float64Array(nCols),
        colLower: new Float64Array(nCols),
        colUpper: new Float64Array(nCols).fill(highs.infinity),
        rowLower: rowRhs,
        rowUpper: rowRhs,
        matrix: {
          format: "csr",
          numRows: rowRhs.length,
          numCols: nCols,
          starts: rowStarts,
          indices: rowIdx,
          values: new Float64Array(rowIdx.length).fill(1),
        },
      });
      model.options.set({
        output_flag: false,
        primal_feasibility_tolerance: FEAS_TOL,
        dual_feasibility_tolerance: FEAS_TOL,
        // Primal simplex: after a change of objective the last basis stays
        // primal feasible, so the next solve starts from it.
        simplex_strategy: 4,
      });
    }
    const m = model;
    const costs = new Float64Array(nCols);
    const all = nCols > 0 ? ({ kind: "range", from: 0, to: nCols - 1 } as const) : undefined;
    const solve = (sense: 1 | -1, t?: Target): number | undefined => {
      if (!m || !all) return undefined;
      costs.fill(0);
      if (t) for (const j of t.cols) costs[j] = sense;
      else {
        // Spread: push every cell still unproven the way it still needs to
        // move (zeros up; otherwise the side observed least, alternating on ties).
        let seed = (lpSolves + 1) * 2654435761;
        for (const x of pendingTargets) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          const up = x.obsMax - x.value;
          const down = x.value - x.obsMin;
          const w = x.value <= 0 || down > up ? -1 : up > down ? 1 : seed & 0x10000 ? 1 : -1;
          for (const j of x.cols) costs[j] = (costs[j] as number) + w * sense;
        }
      }
      m.changeColsCost(all, costs);
      const g0 = performance.now();
      const status = m.run().modelStatus;
      globalMs += performance.now() - g0;
      globalSolves++;
      lpSolves++;
      if (status !== highs.constants.modelStatus.optimal) {
        // A spread solve is only a heuristic: whatever its outcome, the
        // per-cell solves decide.
        if (!t) return undefined;
        if (status === highs.constants.modelStatus.infeasible) {
          throw new Error("Audit : les cellules publiées sont incohérentes (système infaisable).");
        }
        // The true values are a solution, so the system is feasible: « unbounded or
        // infeasible » means unbounded. Nothing published bounds this cell: the
        // attacker's interval is open on that side.
        if (
          t &&
          (status === highs.constants.modelStatus.unbounded ||
            status === highs.constants.modelStatus.unboundedOrInfeasible)
        )
          return sense === -1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        return undefined;
      }
      const x = m.getSolution().colValue;
      observe(x);
      if (!t) return undefined;
      let v = t.constant;
      for (const j of t.cols) v += x[j] as number;
      return v;
    };

    const rowsOfVar: number[][] = Array.from({ length: nCols }, () => []);
    for (let r = 0; r < rowRhs.length; r++) {
      for (let k = rowStarts[r] as number; k < (rowStarts[r + 1] as number); k++) {
        (rowsOfVar[rowIdx[k] as number] as number[]).push(r);
      }
    }
    const targetsOfVar: number[][] = Array.from({ length: nCols }, () => []);
    targets.forEach((t, ti) => {
      for (const j of t.cols) (targetsOfVar[j] as number[]).push(ti);
    });
    const truth = vars.map((i) => values[i] as number);
    /** Updates observed ranges with a change of unknowns; true when a range widened. */
    // A change of unknowns is held densely in `dense` (zero elsewhere) with
    // its support in `moved`, so checks and observations cost one pass.
    const dense = new Float64Array(nCols);
    const moved: number[] = [];
    const targetMark = new Uint8Array(targets.length);
    const rowMark = new Uint8Array(rowRhs.length);
    const rowSum = new Float64Array(rowRhs.length);
    const movedMark = new Uint8Array(nCols);
    const targetDelta = new Float64Array(targets.length);
    const clearDense = () => {
      for (const j of moved) dense[j] = 0;
      moved.length = 0;
    };
    /** Updates observed ranges with the change in `dense`; true when a range widened. */
    const observeDense = (): boolean => {
      // Each target's change summed from the moved unknowns (a target's own
      // columns can number tens of thousands: the Ensemble's cells).
      const touched: number[] = [];
      for (const j of moved) {
        const d = dense[j] as number;
        for (const ti of targetsOfVar[j] as number[]) {
          if (!targetMark[ti]) {
            targetMark[ti] = 1;
            targetDelta[ti] = 0;
            touched.push(ti);
          }
          targetDelta[ti] = (targetDelta[ti] as number) + d;
        }
      }
      let widened = false;
      for (const ti of touched) {
        targetMark[ti] = 0;
        const u = targets[ti] as Target;
        const v = u.value + (targetDelta[ti] as number);
        if (v < u.obsMin - 1e-9) {
          u.obsMin = v;
          widened = true;
        }
        if (v > u.obsMax + 1e-9) {
          u.obsMax = v;
          widened = true;
        }
      }
      return widened;
    };
    /** A solution of the whole system: observed, and kept as a witness when it proved something. */
    const observe = (x: ArrayLike<number>) => {
      for (let j = 0; j < x.length; j++) {
        const d = (x[j] as number) - (truth[j] as number);
        if (Math.abs(d) > 1e-9) {
          dense[j] = d;
          moved.push(j);
        }
      }
      if (observeDense()) {
        witnesses.push({
          inner: Int32Array.from(moved, (j) => vars[j] as number),
          delta: Float64Array.from(moved, (j) => dense[j] as number),
        });
      }
      clearDense();
    };
    /**
     * Loads a change of inner cells into `dense` when it is a solution of this
     * audit's system (every published cell unchanged, every inner cell
     * non-negative, no known inner cell moved); false otherwise. The caller
     * clears `dense` either way.
     */
    const loadChecked = (inner: Int32Array, delta: Float64Array): boolean => {
      let ok = inner.length === delta.length;
      for (let k = 0; ok && k < inner.length; k++) {
        const i = inner[k] as number;
        const d = delta[k] as number;
        if (!Number.isFinite(d)) ok = false;
        else if (Math.abs(d) <= 1e-9) continue;
        else if (i < 0 || i >= set.innerCount || (col[i] as number) < 0) ok = false;
        else {
          const j = col[i] as number;
          if (!movedMark[j]) {
            movedMark[j] = 1;
            moved.push(j);
          }
          dense[j] = (dense[j] as number) + d;
        }
      }
      // Non-negativity of the summed change (an inner cell may be listed twice).
      for (const j of moved) {
        movedMark[j] = 0;
        if ((truth[j] as number) + (dense[j] as number) < -1e-7) ok = false;
      }
      // Each row's change summed from the moved unknowns, not over the row
      // (the Ensemble's rows hold every unknown).
      const rows: number[] = [];
      if (ok) {
        for (const j of moved) {
          const d = dense[j] as number;
          for (const r of rowsOfVar[j] as number[]) {
            if (!rowMark[r]) {
              rowMark[r] = 1;
              rowSum[r] = 0;
              rows.push(r);
            }
            rowSum[r] = (rowSum[r] as number) + d;
          }
        }
      }
      for (const r of rows) {
        rowMark[r] = 0;
        if (ok && Math.abs(rowSum[r] as number) > 1e-6 * Math.max(1, Math.abs(rowRhs[r] as number)))
          ok = false;
      }
      return ok;
    };
    // Witnesses from the caller, each checked against this audit's own equations.
    for (const w of input.witnesses ?? []) {
      if (loadChecked(w.inner, w.delta)) observeDense();
      else rejectedWitnesses++;
      clearDense();
    }
    // Exact deductions without LP: a row summing to zero fixes its unknowns at
    // zero, a row with one free unknown fixes it; repeat until nothing moves.
    const fixedVar = new Uint8Array(nCols);
    {
      const freeCount = rowStarts.slice(1).map((e, r) => e - (rowStarts[r] as number));
      const residual = [...rowRhs];
      const queue: number[] = [];
      for (let r = 0; r < rowRhs.length; r++) queue.push(r);
      const fix = (j: number) => {
        if (fixedVar[j]) return;
        fixedVar[j] = 1;
        for (const r of rowsOfVar[j] as number[]) {
          freeCount[r] = (freeCount[r] as number) - 1;
          residual[r] = (residual[r] as number) - (truth[j] as number);
          queue.push(r);
        }
      };
      while (queue.length > 0) {
        const r = queue.pop() as number;
        const free = freeCount[r] as number;
        if (free === 0) continue;
        if (free === 1 || Math.abs(residual[r] as number) <= eps) {
          for (let k = rowStarts[r] as number; k < (rowStarts[r + 1] as number); k++)
            fix(rowIdx[k] as number);
        }
      }
    }

    // Block LPs first: each is small, and its solutions are witnesses of the whole system.
    if (nCols > 0 && targets.length > 0 && input.blocks && input.blocks.length > 0) {
      const l0 = performance.now();
      const sys = { nCols, rowStarts, rowIdx, rowsOfVar, truth };
      let cap = Math.max(1, input.threshold);
      for (const t of targets) cap = Math.max(cap, t.need, t.needUpper);
      const pendingTarget = (ti: number) => {
        const t = targets[ti] as Target;
        return (
          !input.skip?.[t.cell] &&
          t.cols.length > 0 &&
          !t.cols.every((j) => fixedVar[j]) &&
          !proven(t, t.obsMin, t.obsMax)
        );
      };
      for (const [li, level] of input.blocks.entries()) {
        const blocks: number[][] = [];
        const inner: (readonly number[])[] = [];
        for (const b of level) {
          const cols = b.map((i) => col[i] as number).filter((j) => j >= 0);
          if (cols.length === 0) continue;
          blocks.push(cols);
          inner.push(b);
        }
        const pool = input.blockPool;
        if (pool) {
          // The level's blocks on the pool's workers, from the same observed
          // ranges; every solution they send back is checked like a witness.
          const res = pool.spread({
            level: li,
            known: knownCell,
            targets: {
              cell: Int32Array.from(targets, (t) => t.cell),
              value: Float64Array.from(targets, (t) => t.value),
              obsMin: Float64Array.from(targets, (t) => t.obsMin),
              obsMax: Float64Array.from(targets, (t) => t.obsMax),
              need: Float64Array.from(targets, (t) => t.need),
              needUpper: Float64Array.from(targets, (t) => t.needUpper),
              eligible: Uint8Array.from(targets, (t) =>
                !input.skip?.[t.cell] && t.cols.length > 0 && !t.cols.every((j) => fixedVar[j]) ? 1 : 0,
              ),
            },
            cap: 2 * cap,
            solvesPerBlock: 4,
            integral,
            eps,
            ...(input.screening && input.blockKeep !== undefined ? { keep: input.blockKeep } : {}),
          });
          for (const s of res.solutions) {
            if (loadChecked(s.inner, s.delta)) {
              if (observeDense()) witnesses.push({ inner: s.inner, delta: s.delta });
            } else rejectedWitnesses++;
            clearDense();
          }
          localSolves += res.solves;
          lpSolves += res.solves;
          continue;
        }
        const models = input.blockModels;
        const solves = localSpread(highs, sys, {
          ...(models && input.screening
            ? { kept: { models, inner, col, known: (c: number) => knownCell[c] === 1 } }
            : {}),
          blocks,
          targets,
          targetsOfVar,
          pending: pendingTarget,
          cap: 2 * cap,
          solvesPerBlock: 4,
          observe: (cols, delta) => {
            cols.forEach((j, k) => {
              dense[j] = delta[k] as number;
              moved.push(j);
            });
            const widened = observeDense();
            if (widened)
              witnesses.push({
                inner: Int32Array.from(cols, (j) => vars[j] as number),
                delta: Float64Array.from(delta),
              });
            clearDense();
            return widened;
          },
        });
        localSolves += solves;
        lpSolves += solves;
      }
      localMs += performance.now() - l0;
    }

    // Spread solves prove most cells at once before any per-cell solve.
    let pendingTargets: Target[] = [];
    const refreshPending = () => {
      pendingTargets = targets.filter(
        (t) =>
          !input.skip?.[t.cell] &&
          t.cols.length > 0 &&
          !t.cols.every((j) => fixedVar[j]) &&
          !proven(t, t.obsMin, t.obsMax),
      );
      return pendingTargets.length;
    };
    if (!input.allIntervals && !(input.localOnly && input.screening)) {
      for (let g = 0, before = refreshPending(); g < SPREAD_SOLVES && before > 0; g++) {
        solve(1);
        const after = refreshPending();
        if (after > before * 0.99) break;
        before = after;
      }
    }

    for (const t of targets) {
      // Screening: cells the caller already proved protected are not attacked again.
      if (input.skip?.[t.cell]) continue;
      if (t.cols.length === 0 || t.cols.every((j) => fixedVar[j])) {
        t.lo = t.value;
        t.up = t.value;
      } else if (input.allIntervals || !proven(t, t.obsMin, t.obsMax)) {
        if (!input.allIntervals && proven(t, t.obsMin, t.obsMax)) continue;
        if (input.localOnly && input.screening && !input.allIntervals) {
          // Screening without the whole system: what was observed is all it knows.
          t.up = t.obsMax;
          t.lo = t.obsMin;
        }
        // Global solves give the exact bounds.
        t.up ??= solve(-1, t);
        // Screening: when no lower bound could save the cell (bounds are
        // never under zero), its repair needs no exact lower bound.
        const hopeless =
          input.screening &&
          t.up !== undefined &&
          !proven(t, Math.min(0, t.obsMin), t.up) &&
          !input.allIntervals;
        if (t.lo === undefined && !hopeless && (input.allIntervals || !proven(t, t.obsMin, t.obsMax)))
          t.lo = solve(1, t);
        t.up ??= t.obsMax;
        t.lo ??= t.obsMin;
      } else continue;
      const lo = roundLo(t.lo as number);
      const up = roundUp(t.up as number);
      intervals.set(t.cell, [lo, up]);
      const label = cellLabel(set, t.cell);
      const exact = integral ? up - lo < 1 : up - lo <= eps;
      if (exact) {
        findings.push({
          cell: t.cell,
          kind: "exacte",
          value: t.value,
          lower: lo,
          upper: up,
          required: t.need,
          message: `La cellule ${label} se recalcule exactement (${fmt(lo)}).`,
        });
      } else if (t.need > 0 && up - lo < t.need - eps) {
        findings.push({
          cell: t.cell,
          kind: "intervalle",
          value: t.value,
          lower: lo,
          upper: up,
          required: t.need,
          message: `La cellule ${label} est encadrée entre ${fmt(lo)} et ${fmt(up)}, intervalle plus étroit que la protection requise (${fmt(t.need)}).`,
        });
      } else if (t.needUpper > 0 && up < t.needUpper) {
        findings.push({
          cell: t.cell,
          kind: "groupe",
          value: t.value,
          lower: lo,
          upper: up,
          required: t.needUpper,
          message: `La cellule ${label} appartient à un groupe de cellules masquées dont le total se déduit et reste sous le seuil (${fmt(up)} < ${input.threshold}).`,
        });
      }
    }
  } finally {
    model?.dispose();
  }
  return {
    ok: findings.length === 0,
    suppressedCells: targets.length,
    findings,
    intervals,
    witnesses,
    rejectedWitnesses,
    lpSolves,
    localSolves,
    globalSolves,
    globalSeconds: globalMs / 1000,
    localSeconds: localMs / 1000,
    seconds: (performance.now() - started) / 1000,
  };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(".", ",");
}
