/**
 * Fast secondary suppression by Gaussian elimination, in the spirit of
 * Statistics Norway's GaussSuppression.
 *
 * Every cell is a vector over the inner cells. Candidates are visited in
 * order of preference for publication; a candidate is published unless its
 * vector, added to the span of what is already published, would put a
 * primary cell's vector in that span (the primary would then be computable
 * exactly by linear combination of published cells). Otherwise it becomes a
 * secondary suppression.
 *
 * The span is kept as a sparse reduced row-echelon basis keyed by pivot; each
 * primary keeps its residual modulo the span. Adding candidate residual r
 * discloses primary p exactly when p's residual is a multiple of r, which is
 * found through a scale-free fingerprint (ratio of two random projections)
 * and then checked entry by entry.
 *
 * Zeros under non-negativity (GaussSuppression's « anySum » idea): when zero
 * inner cells must stay hidden, pivots are taken outside them whenever
 * possible, so a residual made only of zero inner cells means that
 * publishing the candidate reveals a combination of zeros. With coefficients
 * of one sign that combination is a sum of non-negative cells equal to 0,
 * which discloses every one of them: the candidate is suppressed. With mixed
 * signs it reveals nothing by itself, but two such residuals sharing a zero
 * might combine into a disclosure, so they may not overlap.
 */
import { cellSupport, type TableSet } from "../table/table.js";

const EPS = 1e-9;

interface Vec {
  idx: number[];
  val: number[];
}

/** Index of `x` in the sorted array `a` (binary search; x is present). */
function position(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface GaussResult {
  /** 1 for every suppressed cell (primaries and secondaries). */
  readonly suppressed: Uint8Array;
  /** Primaries that forced publications make computable (cannot be protected). */
  readonly unprotectable: readonly number[];
}

/**
 * @param protect cells that must not become computable (the primaries)
 * @param published cells published whatever happens (forced, empty), handled first
 * @param order candidates, most wanted published first; cells absent from
 *   `protect`, `published` and `order` are suppressed
 */
export function gaussSuppression(
  set: TableSet,
  protect: readonly number[],
  published: readonly number[],
  order: readonly number[],
  /** Inner cells that are zero and must not be revealed through non-negativity (zeros protected). */
  hiddenZeros?: Uint8Array,
): GaussResult {
  const n = set.innerCount;
  const zero = hiddenZeros ?? new Uint8Array(n);
  const zeroUsed = new Uint8Array(n);
  const scratch = new Float64Array(n);
  const mark = new Uint8Array(n);
  const rand1 = new Float64Array(n);
  const rand2 = new Float64Array(n);
  let seed = 0x9e3779b9;
  const rnd = () => {
    // xorshift32: deterministic weights.
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296 + 0.5;
  };
  for (let i = 0; i < n; i++) {
    rand1[i] = rnd();
    rand2[i] = rnd();
  }

  const vecs: (Vec | null)[] = [];
  const isPrimaryVec: boolean[] = [];
  // The vectors holding each inner cell: a list that may keep vectors which
  // lost the cell since (checked when read) and the exact count. A Set per
  // column cost more in add and delete than the elimination itself; the
  // order in which vectors are visited changes no result (each is reduced
  // on its own).
  const colIds: number[][] = Array.from({ length: n }, () => []);
  const colCount = new Int32Array(n);
  const seen: number[] = [];
  let epoch = 0;
  const pivotOf = new Int32Array(n).fill(-1);
  const buckets = new Map<number, Set<number>>();
  const keyOf: number[] = [];

  const fingerprint = (v: Vec): number => {
    let a = 0;
    let b = 0;
    for (let k = 0; k < v.idx.length; k++) {
      const i = v.idx[k] as number;
      const x = v.val[k] as number;
      a += x * (rand1[i] as number);
      b += x * (rand2[i] as number);
    }
    if (Math.abs(b) < 1e-12) return Number.POSITIVE_INFINITY;
    return Math.round((a / b) * 1e7);
  };

  /** Residual of a sparse 0/1 support modulo the current span. */
  const reduce = (support: ArrayLike<number>): Vec => {
    const touched: number[] = [];
    const add = (i: number, x: number) => {
      if (!mark[i]) {
        mark[i] = 1;
        touched.push(i);
      }
      scratch[i] = (scratch[i] as number) + x;
    };
    for (let k = 0; k < support.length; k++) add(support[k] as number, 1);
    const firstPass = touched.length;
    for (let t = 0; t < firstPass; t++) {
      const j = touched[t] as number;
      const p = pivotOf[j] as number;
      if (p < 0) continue;
      const f = scratch[j] as number;
      if (Math.abs(f) < EPS) continue;
      const b = vecs[p] as Vec;
      for (let k = 0; k < b.idx.length; k++) add(b.idx[k] as number, -f * (b.val[k] as number));
    }
    return gather(touched);
  };

  const gather = (touched: number[]): Vec => {
    touched.sort((a, b) => a - b);
    const idx: number[] = [];
    const val: number[] = [];
    for (const i of touched) {
      const x = scratch[i] as number;
      if (Math.abs(x) > EPS) {
        idx.push(i);
        val.push(x);
      }
      scratch[i] = 0;
      mark[i] = 0;
    }
    return { idx, val };
  };

  const registerKey = (id: number, v: Vec) => {
    const key = fingerprint(v);
    keyOf[id] = key;
    let s = buckets.get(key);
    if (!s) {
      s = new Set();
      buckets.set(key, s);
    }
    s.add(id);
  };
  const register = (id: number, v: Vec) => {
    vecs[id] = v;
    for (const i of v.idx) {
      (colIds[i] as number[]).push(id);
      colCount[i] = (colCount[i] as number) + 1;
    }
    if (isPrimaryVec[id]) registerKey(id, v);
  };

  /**
   * w − f·norm by a merge of the two sorted supports, for vector `id`. Only
   * entries in norm's support change, so the column index is updated for
   * those alone: entries that appear are added, entries that cancel (the
   * pivot among them) are removed.
   */
  const subtract = (id: number, w: Vec, f: number, norm: Vec, pivot: number): Vec => {
    const idx: number[] = [];
    const val: number[] = [];
    const na = w.idx.length;
    const nb = norm.idx.length;
    let a = 0;
    let b = 0;
    while (a < na || b < nb) {
      const ia = a < na ? (w.idx[a] as number) : Number.POSITIVE_INFINITY;
      const ib = b < nb ? (norm.idx[b] as number) : Number.POSITIVE_INFINITY;
      if (ia < ib) {
        idx.push(ia);
        val.push(w.val[a] as number);
        a++;
      } else if (ib < ia) {
        const x = -f * (norm.val[b] as number);
        if (Math.abs(x) > EPS) {
          idx.push(ib);
          val.push(x);
          (colIds[ib] as number[]).push(id);
          colCount[ib] = (colCount[ib] as number) + 1;
        }
        b++;
      } else {
        const x = (w.val[a] as number) - f * (norm.val[b] as number);
        if (ia !== pivot && Math.abs(x) > EPS) {
          idx.push(ia);
          val.push(x);
        } else colCount[ia] = (colCount[ia] as number) - 1;
        a++;
        b++;
      }
    }
    return { idx, val };
  };

  const proportional = (a: Vec, b: Vec): boolean => {
    if (a.idx.length !== b.idx.length || a.idx.length === 0) return false;
    const ratio = (a.val[0] as number) / (b.val[0] as number);
    for (let k = 0; k < a.idx.length; k++) {
      if (a.idx[k] !== b.idx[k]) return false;
      if (Math.abs((a.val[k] as number) - ratio * (b.val[k] as number)) > 1e-7 * Math.max(1, Math.abs(ratio)))
        return false;
    }
    return true;
  };

  /** Primaries whose residual is a multiple of r. */
  const disclosedBy = (r: Vec): boolean => {
    const key = fingerprint(r);
    for (const k of [key - 1, key, key + 1]) {
      const s = buckets.get(k);
      if (!s) continue;
      for (const id of s) if (proportional(vecs[id] as Vec, r)) return true;
    }
    return false;
  };

  /** Adds residual r to the basis and eliminates its pivot from every other vector. */
  const addToBasis = (r: Vec) => {
    let q = -1;
    let best = Number.POSITIVE_INFINITY;
    let qk = -1;
    // Pivots outside the hidden zeros first (see the header).
    for (const allowZeros of [false, true]) {
      for (let k = 0; k < r.idx.length; k++) {
        const i = r.idx[k] as number;
        if (!allowZeros && zero[i]) continue;
        const cost = colCount[i] as number;
        if (cost < best && Math.abs(r.val[k] as number) > 1e-6) {
          best = cost;
          q = i;
          qk = k;
        }
      }
      if (q >= 0) break;
    }
    const pv = r.val[qk] as number;
    const norm: Vec = { idx: r.idx, val: r.val.map((x) => x / pv) };
    const id = vecs.length;
    isPrimaryVec.push(false);
    vecs.push(null);
    const holders = colIds[q] as number[];
    colIds[q] = [];
    epoch++;
    for (const other of holders) {
      if (seen[other] === epoch) continue;
      seen[other] = epoch;
      const w = vecs[other] as Vec;
      const at = position(w.idx, q);
      if (w.idx[at] !== q) continue; // lost q since it was listed
      const f = w.val[at] as number;
      vecs[other] = subtract(other, w, f, norm, q);
      if (isPrimaryVec[other]) {
        buckets.get(keyOf[other] as number)?.delete(other);
        registerKey(other, vecs[other] as Vec);
      }
    }
    register(id, norm);
    pivotOf[q] = id;
  };

  const suppressed = new Uint8Array(set.cells.length).fill(1);
  const primaryIds: number[] = [];
  for (const p of protect) {
    const id = vecs.length;
    isPrimaryVec.push(true);
    vecs.push(null);
    register(id, reduce(cellSupport(set, p)));
    primaryIds.push(id);
  }
  for (const c of published) {
    suppressed[c] = 0;
    const r = reduce(cellSupport(set, c));
    if (r.idx.length > 0) addToBasis(r);
  }
  const unprotectable: number[] = [];
  primaryIds.forEach((id, k) => {
    if ((vecs[id] as Vec).idx.length === 0) unprotectable.push(protect[k] as number);
  });
  const isProtected = new Uint8Array(set.cells.length);
  for (const p of protect) isProtected[p] = 1;
  for (const c of order) {
    if (isProtected[c] || suppressed[c] === 0) continue;
    const r = reduce(cellSupport(set, c));
    if (r.idx.length === 0) {
      suppressed[c] = 0;
      continue;
    }
    if (r.idx.every((i) => zero[i] === 1)) {
      const positive = r.val.every((x) => x > 0);
      const negative = r.val.every((x) => x < 0);
      if (positive || negative || r.idx.some((i) => zeroUsed[i] === 1)) continue;
      for (const i of r.idx) zeroUsed[i] = 1;
    }
    if (disclosedBy(r)) continue;
    addToBasis(r);
    suppressed[c] = 0;
  }
  return { suppressed, unprotectable };
}
