import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { isSocleError } from "../errors.js";
import { buildDimension, flatDimension } from "../table/dimension.js";
import { buildTableSet, cellIndex, cellSupport, checkAdditivity, type TableSet } from "../table/table.js";
import { auditPattern } from "./audit.js";
import { protectTable } from "./protect.js";
import { isPrimary, isSuppressed, requiredWidth } from "./rules.js";
import { type Highs, loadSolver } from "./solver.js";

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

function oneWay(values: Record<string, number>): TableSet {
  const codes = Object.keys(values);
  return buildTableSet(
    [flatDimension("zone", codes)],
    [{ name: "t", variables: [0] }],
    codes.map((c) => ({ codes: [c], value: values[c] as number })),
  );
}

describe("the #307 trap of τ-Argus: a derivable group under the threshold", () => {
  const cases: [Record<string, number>, number][] = [
    [{ A: 15, B: 5, C: 3 }, 10],
    [{ A: 15, B: 3, C: 1 }, 5],
    [{ A: 15, B: 2, C: 2, D: 9 }, 5],
  ];
  for (const [values, k] of cases) {
    it(`${JSON.stringify(values)} with k=${k} is protected by a third suppression`, () => {
      const set = oneWay(values);
      const result = protectTable(highs, set, { threshold: k, standard: "full" }, { method: "fast" });
      expect(result.secondary).toBe(1);
      expect(result.audit.ok).toBe(true);
      // Hiding the primaries alone leaves their total derivable and small: refused.
      const onlyPrimaries = result.statuses.map((s) => (isPrimary(s) ? 1 : 0));
      const naive = auditPattern(highs, {
        set,
        suppressed: onlyPrimaries,
        primary: onlyPrimaries,
        requiredWidth: () => k,
        threshold: k,
        standard: "full",
      });
      expect(naive.ok).toBe(false);
      expect(naive.findings[0]?.message).toMatch(/zone=/);
    });
  }
});

describe("statuses and rules", () => {
  it("marks frequency, zone, manual and forced cells with their letters", () => {
    const set = oneWay({ a: 3, b: 40, c: 50, d: 60 });
    const find = cellIndex(set);
    const result = protectTable(
      highs,
      set,
      {
        threshold: 5,
        zone: { variable: "zone", minimum: 100, population: new Map([["b", 80]]) },
        manual: new Set(["0|c"]),
        forced: new Set(["0|Total"]),
        standard: "full",
      },
      { method: "fast" },
    );
    expect(result.statuses[find(0, ["a"]) as number]).toBe("A");
    expect(result.statuses[find(0, ["b"]) as number]).toBe("Z");
    expect(result.statuses[find(0, ["c"]) as number]).toBe("C");
    expect(result.statuses[find(0, ["Total"]) as number]).toBe("F");
    // Three hidden cells under a published total protect each other.
    expect(result.statuses[find(0, ["d"]) as number]).toBe("V");
    expect(result.audit.ok).toBe(true);
  });

  it("treats earlier releases as known: a margin published before forces other suppressions", () => {
    const set = oneWay({ a: 3, b: 40, c: 50 });
    const find = cellIndex(set);
    const total = find(0, ["Total"]) as number;
    const result = protectTable(
      highs,
      set,
      { threshold: 5, standard: "exact" },
      { earlierPublished: [total] },
    );
    expect(result.statuses[total]).toBe("V");
    expect(result.secondary).toBe(1);
    expect(result.audit.ok).toBe(true);
  });
});

describe("bad input is refused with a message naming the cell", () => {
  const dims = () => [flatDimension("sexe", ["F", "H"])];
  const expectError = (f: () => unknown, pattern: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(isSocleError(e)).toBe(true);
      expect((e as Error).message).toMatch(pattern);
      return;
    }
    throw new Error("no error");
  };
  it("non-additive totals", () => {
    const set = buildTableSet(
      dims(),
      [{ name: "t", variables: [0] }],
      [
        { codes: ["F"], value: 3 },
        { codes: ["H"], value: 4 },
      ],
    );
    expectError(() => checkAdditivity(set, [{ table: 0, codes: ["Total"], value: 8 }]), /sexe=Total.*8.*7/);
  });
  it("codes missing from the hierarchy", () => {
    expectError(
      () => buildTableSet(dims(), [{ name: "t", variables: [0] }], [{ codes: ["X"], value: 3 }]),
      /« X ».*sexe/,
    );
  });
  it("negative counts", () => {
    expectError(
      () => buildTableSet(dims(), [{ name: "t", variables: [0] }], [{ codes: ["F"], value: -2 }]),
      /sexe=F.*négatif/,
    );
  });
  it("cyclic hierarchies", () => {
    expectError(
      () =>
        buildDimension("commune", [
          { parent: "Total", child: "a" },
          { parent: "x", child: "y" },
          { parent: "y", child: "x" },
        ]),
      /cycle|relié/,
    );
  });
  it("empty tables", () => {
    expectError(() => buildTableSet(dims(), [{ name: "t", variables: [0] }], []), /vide/);
  });
});

/** Independent oracle: is a cell's vector in the span of the published ones (plain elimination)? */
function linearlyDisclosed(set: TableSet, suppressed: ArrayLike<number>, cell: number): boolean {
  const n = set.innerCount;
  const rows: number[][] = [];
  for (let c = 0; c < set.cells.length; c++) {
    if (suppressed[c]) continue;
    const v = new Array<number>(n).fill(0);
    for (const i of cellSupport(set, c)) v[i] = 1;
    rows.push(v);
  }
  const rank = (m: number[][]) => {
    const a = m.map((r) => [...r]);
    let r = 0;
    for (let col = 0; col < n && r < a.length; col++) {
      let piv = -1;
      for (let i = r; i < a.length; i++) if (Math.abs((a[i] as number[])[col] as number) > 1e-9) piv = i;
      if (piv < 0) continue;
      [a[r], a[piv]] = [a[piv] as number[], a[r] as number[]];
      const p = a[r] as number[];
      for (let i = 0; i < a.length; i++) {
        if (i === r) continue;
        const row = a[i] as number[];
        const f = (row[col] as number) / (p[col] as number);
        if (f !== 0) for (let j = 0; j < n; j++) row[j] = (row[j] as number) - f * (p[j] as number);
      }
      r++;
    }
    return r;
  };
  const target = new Array<number>(n).fill(0);
  for (const i of cellSupport(set, cell)) target[i] = 1;
  return rank(rows) === rank([...rows, target]);
}

const tableArb = fc
  .record({
    rows: fc.integer({ min: 2, max: 4 }),
    cols: fc.integer({ min: 2, max: 4 }),
    grouped: fc.boolean(),
    seed: fc.array(fc.integer({ min: 0, max: 14 }), { minLength: 16, maxLength: 16 }),
  })
  .map(({ rows, cols, grouped, seed }) => {
    const r = Array.from({ length: rows + (grouped ? 1 : 0) }, (_, i) => `r${i}`);
    // Linked groupings of rows: by halves and by parity, both published.
    const edges = grouped
      ? [
          ...r.map((c, i) => ({ parent: `h${i % 2}`, child: c, grouping: "moitie" })),
          { parent: "Total", child: "h0", grouping: "moitie" },
          { parent: "Total", child: "h1", grouping: "moitie" },
          ...r.map((c, i) => ({ parent: i < r.length / 2 ? "g0" : "g1", child: c, grouping: "bloc" })),
          { parent: "Total", child: "g0", grouping: "bloc" },
          { parent: "Total", child: "g1", grouping: "bloc" },
        ]
      : r.map((c) => ({ parent: "Total", child: c }));
    const dimR = buildDimension("ligne", edges);
    const dimC = flatDimension(
      "colonne",
      Array.from({ length: cols }, (_, i) => `c${i}`),
    );
    const inner = [];
    let k = 0;
    for (const a of dimR.leaves)
      for (const b of dimC.leaves) inner.push({ codes: [a, b], value: seed[k++ % 16] as number });
    return buildTableSet([dimR, dimC], [{ name: "t", variables: [0, 1] }], inner);
  });

describe("property: every pattern the engine returns passes the audit", () => {
  for (const standard of ["exact", "full"] as const) {
    it(`random hierarchical and linked tables, ${standard} standard`, () => {
      fc.assert(
        fc.property(tableArb, fc.boolean(), (set, protectZeros) => {
          const result = protectTable(
            highs,
            set,
            { threshold: 5, protectZeros, standard },
            { method: "fast" },
          );
          expect(result.audit.findings.map((f) => f.message)).toEqual([]);
          // The audit stays independent: rerun it from the statuses alone.
          const suppressed = result.statuses.map((s) => (isSuppressed(s) ? 1 : 0));
          const primary = result.statuses.map((s) => (isPrimary(s) ? 1 : 0));
          const again = auditPattern(highs, {
            set,
            suppressed,
            primary,
            requiredWidth: (c) => requiredWidth({ threshold: 5 }, set.cells[c]?.value ?? 0),
            threshold: 5,
            standard,
          });
          expect(again.ok).toBe(true);
        }),
        { numRuns: 25, seed: 20261124 },
      );
    });
  }

  it("a pattern with one secondary removed is caught when a primary becomes computable", () => {
    let caught = 0;
    fc.assert(
      fc.property(tableArb, (set) => {
        const result = protectTable(highs, set, { threshold: 5, standard: "exact" }, { method: "fast" });
        const primary = result.statuses.map((s) => (isPrimary(s) ? 1 : 0));
        result.statuses.forEach((s, d) => {
          if (s !== "D") return;
          const suppressed = result.statuses.map((x, c) => (c !== d && isSuppressed(x) ? 1 : 0));
          const unsafe = primary.some((p, c) => p === 1 && linearlyDisclosed(set, suppressed, c));
          const report = auditPattern(highs, {
            set,
            suppressed,
            primary,
            requiredWidth: () => 5,
            threshold: 5,
            standard: "exact",
          });
          if (unsafe) {
            expect(report.ok).toBe(false);
            caught++;
          }
        });
      }),
      { numRuns: 25, seed: 7 },
    );
    expect(caught).toBeGreaterThan(0);
  });
});

describe("witnesses handed to the audit are checked, never trusted", () => {
  // A 2 × 2 table with margins: hiding A1 alone lets it be recomputed.
  const twoWay = () =>
    buildTableSet(
      [flatDimension("zone", ["A", "B"]), flatDimension("sexe", ["F", "M"])],
      [{ name: "t", variables: [0, 1] }],
      [
        { codes: ["A", "F"], value: 3 },
        { codes: ["A", "M"], value: 7 },
        { codes: ["B", "F"], value: 6 },
        { codes: ["B", "M"], value: 9 },
      ],
    );
  const input = (set: TableSet, suppressedCells: string[][]) => {
    const find = cellIndex(set);
    const suppressed = new Uint8Array(set.cells.length);
    for (const codes of suppressedCells) suppressed[find(0, codes) as number] = 1;
    const primary = new Uint8Array(set.cells.length);
    primary[find(0, ["A", "F"]) as number] = 1;
    return { set, suppressed, primary, requiredWidth: () => 1, threshold: 5, standard: "exact" as const };
  };
  // Inner cells in mixed-radix order: AF, AM, BF, BM.
  const cycle = { inner: Int32Array.from([0, 1, 2, 3]), delta: Float64Array.from([1, -1, -1, 1]) };

  it("refuses a forged witness that changes a published cell, and still finds the disclosure", () => {
    const set = twoWay();
    const report = auditPattern(highs, { ...input(set, [["A", "F"]]), witnesses: [cycle] });
    expect(report.rejectedWitnesses).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.findings[0]?.kind).toBe("exacte");
  });

  it("refuses a witness that makes a cell negative", () => {
    const set = twoWay();
    const all = [
      ["A", "F"],
      ["A", "M"],
      ["B", "F"],
      ["B", "M"],
    ];
    const negative = { inner: cycle.inner, delta: Float64Array.from([-4, 4, 4, -4]) };
    const report = auditPattern(highs, { ...input(set, all), witnesses: [negative] });
    expect(report.rejectedWitnesses).toBe(1);
    expect(report.ok).toBe(true);
  });

  it("sums a witness that lists an inner cell several times before checking it", () => {
    const set = twoWay();
    const all = [
      ["A", "F"],
      ["A", "M"],
      ["B", "F"],
      ["B", "M"],
    ];
    // AF (3) −2 and −2: each entry alone keeps it non-negative, their sum (−4) does not.
    const repeated = {
      inner: Int32Array.from([0, 0, 1, 2, 3]),
      delta: Float64Array.from([-2, -2, 4, 4, -4]),
    };
    const report = auditPattern(highs, { ...input(set, all), witnesses: [repeated] });
    expect(report.rejectedWitnesses).toBe(1);
    // Listed twice with a sum that keeps every margin: accepted.
    const split = { inner: Int32Array.from([0, 0, 1, 2, 3]), delta: Float64Array.from([2, -1, -1, -1, 1]) };
    expect(auditPattern(highs, { ...input(set, all), witnesses: [split] })).toMatchObject({
      ok: true,
      rejectedWitnesses: 0,
      lpSolves: 0,
    });
  });

  it("accepts a valid cycle as proof without solving any LP, and hands its own proofs back", () => {
    const set = twoWay();
    const all = [
      ["A", "F"],
      ["A", "M"],
      ["B", "F"],
      ["B", "M"],
    ];
    const first = auditPattern(highs, input(set, all));
    expect(first.ok).toBe(true);
    expect(first.lpSolves).toBeGreaterThan(0);
    expect(first.witnesses.length).toBeGreaterThan(0);
    const again = auditPattern(highs, { ...input(set, all), witnesses: [cycle] });
    expect(again).toMatchObject({ ok: true, rejectedWitnesses: 0, lpSolves: 0 });
    const reused = auditPattern(highs, { ...input(set, all), witnesses: first.witnesses });
    expect(reused).toMatchObject({ ok: true, rejectedWitnesses: 0, lpSolves: 0 });
  });
});
