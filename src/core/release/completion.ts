/**
 * Consistent values for the inner cells of a provider's aggregated table:
 * integers ≥ 0 that agree with every value the provider gave, a small MIP
 * solved by HiGHS. They are the attacker's unknowns; only the values the
 * provider gave (or sums of them) are ever published.
 */
import type { Highs } from "../secrecy/solver.js";
import type { Completion } from "./aggregated.js";

export function highsCompletion(highs: Highs): Completion {
  return ({ numVars, rows }) => {
    if (rows.length === 0) return new Float64Array(numVars);
    const starts: number[] = [0];
    const indices: number[] = [];
    for (const r of rows) {
      indices.push(...[...new Set(r.vars)].sort((a, b) => a - b));
      starts.push(indices.length);
    }
    const inf = highs.infinity;
    const model = highs.createModel({
      numCols: numVars,
      numRows: rows.length,
      // Smallest values: the fewest people outside what the provider gave.
      colCost: new Float64Array(numVars).fill(1),
      colLower: new Float64Array(numVars),
      colUpper: new Float64Array(numVars).fill(inf),
      rowLower: rows.map((r) => r.lower),
      rowUpper: rows.map((r) => (Number.isFinite(r.upper) ? r.upper : inf)),
      integrality: new Int32Array(numVars).fill(1),
      matrix: {
        format: "csr",
        numRows: rows.length,
        numCols: numVars,
        starts,
        indices,
        values: new Float64Array(indices.length).fill(1),
      },
    });
    try {
      model.options.set({ output_flag: false, time_limit: 20, random_seed: 1 });
      model.run();
      const ok = highs.constants.modelStatus;
      const status = model.getModelStatus();
      if (status !== ok.optimal && status !== ok.timeLimit) return null;
      const x = model.getSolution().colValue;
      return x && x.length === numVars ? Float64Array.from(x, (v) => Math.round(v)) : null;
    } finally {
      model.dispose();
    }
  };
}
