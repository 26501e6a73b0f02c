/**
 * The indicator attack: an attacker holds the published tables of a release
 * AND every indicator value Socle derives from them (shares, complements,
 * figures of the EPCI summed over its communes), each value turned into the
 * linear equation it states (a share of a published total states its
 * numerator). Fed to the project's LP attacker (secrecy/audit.ts) as extra
 * published sums, they must let it recover no secret cell. A control run
 * computes the same indicators naively from the unprotected counts: the
 * attacker then recovers secret cells, so the test can fail.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readerView, releasedTables } from "../release/release.js";
import { auditPattern } from "../secrecy/audit.js";
import { protectTable } from "../secrecy/protect.js";
import { isPrimary, isSuppressed, requiredWidth, type SecrecyRules } from "../secrecy/rules.js";
import { type Highs, loadSolver } from "../secrecy/solver.js";
import { buildDimension } from "../table/dimension.js";
import { buildTableSet, type Cell, cellIndex, cellSupport, type TableSet } from "../table/table.js";
import { type Atome, evaluer, type Lecture, somme } from "./derived.js";
import type { Formule } from "./model.js";

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

const COMMUNES = ["C1", "C2", "C3", "C4", "C5"];
const EPCI = "E1";
// Allocataires and those among them under the low-income threshold; the rest of each total is
// « hors bas revenus ». C1 has 3 at low income, C4 only 2 allocataires outside it.
const DATA: Record<string, [number, number]> = {
  C1: [120, 3],
  C2: [200, 61],
  C3: [150, 44],
  C4: [32, 30],
  C5: [90, 27],
};

function table(): TableSet {
  const territory = buildDimension("territoire", [
    { parent: "Ensemble", child: EPCI },
    ...["C1", "C2", "C3"].map((c) => ({ parent: EPCI, child: c })),
    { parent: "Ensemble", child: "C4" },
    { parent: "Ensemble", child: "C5" },
  ]);
  const columns = buildDimension("colonne", [
    { parent: "allocataires", child: "bas_revenus" },
    { parent: "allocataires", child: "hors_bas_revenus" },
  ]);
  return buildTableSet(
    [territory, columns],
    [{ name: "Allocataires", variables: [0, 1] }],
    COMMUNES.flatMap((c) => {
      const [all, low] = DATA[c] as [number, number];
      return [
        { codes: [c, "bas_revenus"], value: low },
        { codes: [c, "hors_bas_revenus"], value: all - low },
      ];
    }),
  );
}

const share: Formule = {
  numerateur: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["bas_revenus"] },
  denominateur: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["allocataires"] },
  facteur: 100,
};
// A complement share: allocataires minus those at low income, over allocataires.
const complement: Formule = {
  numerateur: {
    kind: "difference",
    de: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["allocataires"] },
    moins: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["bas_revenus"] },
  },
  denominateur: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["allocataires"] },
  facteur: 100,
};

/** The set with one more published cell per known sum of inner cells (0/1 coefficients). */
function withKnownSums(set: TableSet, sums: readonly Float64Array[]): TableSet {
  const starts = Array.from(set.supportStart);
  const idx = Array.from(set.supportIdx);
  const cells: Cell[] = [...set.cells];
  for (const coef of sums) {
    const support: number[] = [];
    let value = 0;
    coef.forEach((k, i) => {
      if (Math.abs(k) < 1e-9) return;
      // Every figure here states a sum of whole inner cells.
      expect(Math.abs(k - 1)).toBeLessThan(1e-9);
      support.push(i);
      value += set.inner.values[i] as number;
    });
    if (support.length === 0) continue;
    idx.push(...support);
    starts.push(idx.length);
    cells.push({
      table: 0,
      codes: ["dérivé", String(cells.length)],
      value,
      count: value,
      inner: false,
      level: 9,
    });
  }
  return { ...set, cells, supportStart: Int32Array.from(starts), supportIdx: Int32Array.from(idx) };
}

/**
 * Every indicator value for every territory, and the sum of inner cells it
 * states: the numerator of a share of a published denominator.
 */
function indicatorKnowledge(set: TableSet, lireCellule: (t: string, c: string) => Lecture): Float64Array[] {
  const find = cellIndex(set);
  const known: Float64Array[] = [];
  const supportOf = (t: string, c: string) => {
    const cell = find(0, [t, c]);
    if (cell === undefined) throw new Error(`no cell ${t} ${c}`);
    return cellSupport(set, cell);
  };
  const record = (terms: { t: string; c: string; sign: number }[]) => {
    const coef = new Float64Array(set.innerCount);
    for (const term of terms)
      for (const i of supportOf(term.t, term.c)) coef[i] = (coef[i] as number) + term.sign;
    known.push(coef);
  };
  for (const t of [...COMMUNES, EPCI, "Ensemble"]) {
    const lire = (a: Atome) =>
      a.kind === "colonne" ? lireCellule(t, a.colonne) : { statut: "manquant" as const };
    const v = evaluer(share, lire);
    if (v.valeur !== null) record([{ t, c: "bas_revenus", sign: 1 }]);
    const w = evaluer(complement, lire);
    if (w.valeur !== null)
      record([
        { t, c: "allocataires", sign: 1 },
        { t, c: "bas_revenus", sign: -1 },
      ]);
  }
  // The EPCI's share computed from its communes' numerators summed, over its own published total.
  const members = ["C1", "C2", "C3"];
  const num = somme(members.map((c) => lireCellule(c, "bas_revenus")));
  const den = lireCellule(EPCI, "allocataires");
  if (num.statut === "publie" && den.statut === "publie")
    record(members.map((c) => ({ t: c, c: "bas_revenus", sign: 1 })));
  return known;
}

function attack(set: TableSet, statuses: readonly string[], rules: SecrecyRules, known: Float64Array[]) {
  const augmented = withKnownSums(set, known);
  const extra = augmented.cells.length - set.cells.length;
  const suppressed = [...statuses.map((s) => (isSuppressed(s as never) ? 1 : 0)), ...Array(extra).fill(0)];
  const primary = [...statuses.map((s) => (isPrimary(s as never) ? 1 : 0)), ...Array(extra).fill(0)];
  return auditPattern(highs, {
    set: augmented,
    suppressed,
    primary,
    requiredWidth: (c) => requiredWidth(rules, (augmented.cells[c] as Cell).value),
    threshold: rules.threshold,
    standard: "full",
  });
}

describe("the indicator attack", () => {
  it("an attacker holding the published tables and every indicator value recovers no secret cell", () => {
    const set = table();
    const rules: SecrecyRules = { threshold: 5, standard: "full" };
    const p = protectTable(highs, set, rules, { method: "fast" });
    expect(p.audit.ok).toBe(true);
    // C1's 3 allocataires at low income and C4's 2 outside it are primary.
    expect(p.primary).toBeGreaterThanOrEqual(2);
    const [released] = readerView({
      tableaux: releasedTables(
        set,
        p.statuses,
        (_, c) => c,
        (v) => v,
      ),
    }).tableaux;
    const lire = (t: string, c: string): Lecture => {
      const cell = released?.cellules.find((x) => x.codes[0] === t && x.codes[1] === c);
      if (!cell) return { statut: "manquant" };
      return cell.statut === "s" || cell.valeur === null
        ? { statut: "secret" }
        : { statut: "publie", valeur: cell.valeur };
    };
    const known = indicatorKnowledge(set, lire);
    expect(known.length).toBeGreaterThan(0);
    const report = attack(set, p.statuses, rules, known);
    expect(report.findings.map((f) => f.message)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("control: the same indicators computed from the unprotected counts let the attacker recover secret cells", () => {
    const set = table();
    const rules: SecrecyRules = { threshold: 5, standard: "full" };
    const p = protectTable(highs, set, rules, { method: "fast" });
    const find = cellIndex(set);
    const naive = (t: string, c: string): Lecture => {
      const cell = find(0, [t, c]);
      return cell === undefined
        ? { statut: "manquant" }
        : { statut: "publie", valeur: (set.cells[cell] as Cell).value };
    };
    const report = attack(set, p.statuses, rules, indicatorKnowledge(set, naive));
    expect(report.ok).toBe(false);
    expect(report.findings.length).toBeGreaterThan(0);
  });
});
