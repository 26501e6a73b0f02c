/**
 * The secrecy engine: primary rules, secondary suppression, repair until the
 * attacker finds nothing, and the final independent audit that decides
 * whether the pattern may be released.
 */
import { type Cell, cellSupport, type TableSet, type TableSpec, tableRole } from "../table/table.js";
import { type AuditFinding, type AuditReport, auditPattern, type Witness } from "./audit.js";
import type { BlockPool, BlockPoolSession } from "./block-pool.js";
import { gaussSuppression } from "./gauss.js";
import { BlockModels, territoryBlocks } from "./local-proofs.js";
import { optimalSuppression } from "./optimal.js";
import { cellsByInner, protectByPerturbation } from "./perturbation.js";
import { primaryStatuses } from "./primary.js";
import { isPrimary, requiredWidth, type SecrecyRules, type Standard, type Status } from "./rules.js";
import type { Highs } from "./solver.js";

/**
 * From this many inner cells on, audits start with LPs on territory blocks
 * (local-proofs.ts) and screenings solve no LP of the whole system: its
 * solves cost seconds each there, a block's a few milliseconds.
 */
export const LOCAL_PROOFS_CELLS = 20_000;

/** Rounds of the repair loop in which moved findings wait for the next audit. */
const PATIENT_ROUNDS = 8;

export type Method = "auto" | "fast" | "optimal";

export interface ProtectOptions {
  readonly method?: Method;
  /** What a suppressed cell costs: one per cell (default) or its value. */
  readonly cost?: "count" | "value";
  /** How perturbations treat their neighbourhood's boundary (perturbation.ts); "fixed" by default. */
  readonly boundary?: "fixed" | "free";
  /** Cells already published by earlier releases of the same data. */
  readonly earlierPublished?: readonly number[];
  /**
   * Status each cell of the `earlier` tables had when its release was frozen
   * (V published, a primary letter, D secondary); a cell of those tables
   * missing here was never published (H).
   */
  readonly earlierStatus?: ReadonlyMap<number, Status>;
  /**
   * Cells of the release that are part of no output (the « autres communes »
   * of a provider's table, crossings of columns nobody gave): the attacker's
   * unknowns, never published, never attacked unless primary.
   */
  readonly hiddenCells?: readonly number[];
  /**
   * Under "auto", the optimal method runs when its model stays small:
   * primaries × inner cells × 2 perturbation variables up to this budget.
   */
  readonly optimalBudget?: number;
  /** Time limit of the optimal method, in seconds (its best solution so far is safe too). */
  readonly timeLimit?: number;
  /** Local proofs on territory blocks: by default from LOCAL_PROOFS_CELLS inner cells on. */
  readonly localProofs?: boolean;
  /**
   * Workers for the block LPs (block-pool.ts), used when the audits use
   * territory blocks; without it they run in this thread.
   */
  readonly pool?: BlockPool;
}

export interface Protection {
  readonly statuses: readonly Status[];
  readonly primary: number;
  readonly secondary: number;
  readonly method: "fast" | "optimal";
  readonly standard: Standard;
  /** The final, independent audit: the pattern may be released only if it passes. */
  readonly audit: AuditReport;
  readonly repairs: number;
  /** Screening audits run between repairs. */
  readonly rounds: number;
  readonly seconds: number;
  /**
   * Seconds spent in each stage (fast secondary, screening and repairs,
   * optimal, final audit); of the repair loops', the screenings', their
   * block LPs' and the perturbation LPs'.
   */
  readonly stages: {
    readonly gauss: number;
    readonly repair: number;
    readonly screening: number;
    readonly blockLps: number;
    readonly perturbation: number;
    readonly optimal: number;
    readonly audit: number;
  };
}

export class SecrecyFailure extends Error {
  readonly findings: readonly AuditFinding[];
  constructor(message: string, findings: readonly AuditFinding[]) {
    super(message);
    this.findings = findings;
  }
}

/** Cell weights: suppress inner cells rather than margins, small ones first. */
function costFunction(set: TableSet, kind: "count" | "value"): (c: number) => number {
  const maxValue = Math.max(1, ...set.cells.map((c) => Math.abs(c.value)));
  return (c) => {
    const cell = set.cells[c] as { value: number; level: number };
    if (kind === "value") return Math.abs(cell.value) + 1e-3 * (1 + cell.level);
    return 1 + 0.01 * cell.level + 0.001 * (Math.abs(cell.value) / maxValue);
  };
}

export function protectTable(
  highs: Highs,
  set: TableSet,
  rules: SecrecyRules,
  options: ProtectOptions = {},
): Protection {
  const started = performance.now();
  const standard = rules.standard ?? "full";
  const statuses = primaryStatuses(set, rules);
  const n = set.cells.length;
  const earlierPublished = [...(options.earlierPublished ?? [])];
  const hasHistory =
    set.tables.some((t) => tableRole(t) !== "published") || (options.hiddenCells?.length ?? 0) > 0;
  // Their values are only a consistent point: no rule reads them.
  for (const c of options.hiddenCells ?? []) statuses[c] = "H";
  if (hasHistory) {
    // Earlier releases keep the statuses they were frozen with: what they
    // published is known, what they hid stays to protect.
    for (let c = 0; c < n; c++) {
      if (tableRole(set.tables[(set.cells[c] as Cell).table] as TableSpec) !== "earlier") continue;
      const s = options.earlierStatus?.get(c) ?? "H";
      statuses[c] = s === "V" || s === "F" || s === "E" ? "V" : s;
      if (statuses[c] === "V") earlierPublished.push(c);
    }
  }
  const primaries: number[] = [];
  const frozen = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    const s = statuses[c] as Status;
    if (isPrimary(s)) primaries.push(c);
    else if (s === "F" || s === "E") frozen[c] = 1;
  }
  for (const c of earlierPublished) {
    if (isPrimary(statuses[c] as Status)) {
      throw new SecrecyFailure(
        "Une cellule déjà publiée dans une diffusion antérieure est désormais sous secret primaire : la diffusion doit être revue.",
        [],
      );
    }
    frozen[c] = 1;
  }
  const costKind = options.cost ?? "count";
  const cost = costFunction(set, costKind);
  const fixedPublished = [...frozen.keys()].filter((c) => frozen[c]);
  // Publication preference: zeros first (a zero is a poor secondary), then
  // large values, then margins before inner cells.
  // Only cells of the release being made may be published now.
  const candidates = [...Array(n).keys()].filter((c) => !frozen[c] && statuses[c] === "V");
  const cells = set.cells;
  candidates.sort((a, b) => {
    const ca = cells[a] as { value: number; level: number };
    const cb = cells[b] as { value: number; level: number };
    return (
      (ca.value === 0 ? 0 : 1) - (cb.value === 0 ? 0 : 1) ||
      cb.value - ca.value ||
      cb.level - ca.level ||
      a - b
    );
  });

  // The MIP knows no cell that must stay hidden: histories use the fast method.
  const useOptimal =
    !hasHistory &&
    (options.method === "optimal" ||
      (options.method !== "fast" &&
        primaries.length * set.innerCount * 2 <= (options.optimalBudget ?? 3000)));
  const isPrim = new Uint8Array(n);
  for (const p of primaries) isPrim[p] = 1;
  const width = (c: number) => requiredWidth(rules, cells[c]?.value ?? 0);
  const auditInput = {
    set,
    primary: isPrim,
    requiredWidth: width,
    threshold: rules.threshold,
    standard,
    ...(earlierPublished.length > 0 ? { earlierPublished } : {}),
    ...(hasHistory ? { unattacked: Uint8Array.from(statuses, (s) => (s === "H" ? 1 : 0)) } : {}),
  };
  const byInner = cellsByInner(set);
  const blocks = (options.localProofs ?? set.innerCount >= LOCAL_PROOFS_CELLS) ? territoryBlocks(set) : [];
  const local = blocks.length > 0 ? { blocks, localOnly: true } : {};
  // Opened after the fast secondary, closed when the final audit is done.
  let session: BlockPoolSession | undefined;
  let keeps = 0;
  let screeningSeconds = 0;
  let blockSeconds = 0;
  let perturbationSeconds = 0;
  let repairs = 0;
  let rounds = 0;
  // Every proof found on the way (screening solutions, perturbations) is
  // handed to the later audits, which check each before using it.
  const witnesses: Witness[] = [];

  /**
   * The witnesses that move a cell still to prove: checking the others costs
   * a screening round more than its solves (every row they touch is summed).
   */
  const witnessesMoving = (
    all: readonly Witness[],
    suppressed: Uint8Array,
    proven: Uint8Array,
  ): Witness[] => {
    const pending = (c: number) => suppressed[c] === 1 && proven[c] === 0;
    return all.filter((w) => {
      for (let k = 0; k < w.inner.length; k++) {
        for (const c of byInner[w.inner[k] as number] as Int32Array) if (pending(c)) return true;
      }
      return false;
    });
  };

  /** Audits the pattern (skipping cells already proven) and repairs what the attacker finds. */
  const repairUntilProven = (suppressed: Uint8Array): void => {
    // Proofs are monotone: a proof (a perturbation or a pair of feasible
    // solutions) found under the current pattern stays valid when later rounds
    // add suppressions, since the attacker then knows less. So each round
    // screens only the cells not proven yet: the new secondaries and the
    // findings just repaired are the only ones left after the first round.
    const proven = new Uint8Array(n);
    // Block LPs kept across the rounds: the pattern only gains suppressions.
    const blockModels = blocks.length > 0 && !session ? new BlockModels(highs, set, byInner) : undefined;
    const keep = session ? ++keeps : undefined;
    try {
      for (let round = 0; round < 50; round++) {
        rounds++;
        const screen = auditPattern(highs, {
          ...auditInput,
          suppressed,
          skip: proven,
          screening: true,
          ...local,
          ...(session ? { blockPool: session } : {}),
          ...(blockModels ? { blockModels } : {}),
          ...(keep !== undefined ? { blockKeep: keep } : {}),
          witnesses: round === 0 ? witnesses : witnessesMoving(witnesses, suppressed, proven),
        });
        witnesses.push(...screen.witnesses);
        screeningSeconds += screen.seconds;
        blockSeconds += screen.localSeconds;
        const found = new Uint8Array(n);
        for (const f of screen.findings) found[f.cell] = 1;
        for (let c = 0; c < n; c++) if (suppressed[c] && !found[c]) proven[c] = 1;
        if (screen.ok) return;
        // A perturbation made this round may already protect a later finding:
        // such findings wait for the next round's audit, which gets the
        // perturbation as a witness and checks it. The moves of this round's
        // perturbations are summed per cell (up and down apart) to tell which.
        const up = new Float64Array(n);
        const down = new Float64Array(n);
        const covered = (f: AuditFinding): boolean => {
          if (up[f.cell] === 0 && down[f.cell] === 0) return false;
          const lo = Math.min(f.lower, f.value - (down[f.cell] as number));
          const hi = Math.max(f.upper, f.value + (up[f.cell] as number));
          const l = set.magnitude ? lo : Math.ceil(lo - 1e-6);
          const u = set.magnitude ? hi : Math.floor(hi + 1e-6);
          const need = standard === "full" && isPrim[f.cell] ? width(f.cell) : 0;
          const count = (cells[f.cell] as Cell).count;
          const needUpper =
            standard === "full" && !set.magnitude && count >= 1 && count < rules.threshold
              ? rules.threshold
              : 0;
          if (set.magnitude ? u - l <= 1e-9 : u - l < 1) return false;
          return u - l >= need - 1e-9 && (needUpper === 0 || u >= needUpper);
        };
        for (const f of screen.findings) {
          // In the first rounds, a finding this round's perturbations moved at
          // all waits for the next audit, whose global look often finds it
          // protected at no cost; later rounds repair what the moves do not
          // cover, so that the rounds end.
          if (round < PATIENT_ROUNDS ? up[f.cell] !== 0 || down[f.cell] !== 0 : covered(f)) continue;
          const count = (cells[f.cell] as Cell).count;
          const small = standard === "full" && !set.magnitude && count >= 1 && count < rules.threshold;
          const needed = Math.max(
            1,
            standard === "full" && isPrim[f.cell] ? width(f.cell) : 0,
            f.kind === "groupe" || small ? rules.threshold - f.value : 0,
          );
          const p0 = performance.now();
          const done = protectByPerturbation(
            highs,
            { set, suppressed, frozen, cost, ...(options.boundary ? { boundary: options.boundary } : {}) },
            byInner,
            f.cell,
            Math.max(needed, set.magnitude ? 1e-3 : 1),
          );
          perturbationSeconds += (performance.now() - p0) / 1000;
          if (done) {
            proven[f.cell] = 1;
            witnesses.push(done.change);
            const move = new Map<number, number>();
            const { inner, delta } = done.change;
            for (let k = 0; k < inner.length; k++) {
              for (const c of byInner[inner[k] as number] as Int32Array)
                move.set(c, (move.get(c) ?? 0) + (delta[k] as number));
            }
            for (const [c, d] of move) {
              if (d > (up[c] as number)) up[c] = d;
              if (-d > (down[c] as number)) down[c] = -d;
            }
            if (done.suppressed.length > 0) repairs++;
          }
        }
      }
    } finally {
      blockModels?.dispose();
      if (keep !== undefined) session?.release(keep);
    }
  };
  const patternCost = (p: Uint8Array) => {
    let total = 0;
    for (let c = 0; c < n; c++) if (p[c] && !isPrim[c]) total += cost(c);
    return total;
  };

  let hiddenZeros: Uint8Array | undefined;
  if (rules.protectZeros && !set.magnitude) {
    hiddenZeros = new Uint8Array(set.innerCount);
    for (let i = 0; i < set.innerCount; i++) if (set.inner.values[i] === 0) hiddenZeros[i] = 1;
  }
  let t0 = performance.now();
  const g = gaussSuppression(set, primaries, fixedPublished, candidates, hiddenZeros);
  const gaussSeconds = (performance.now() - t0) / 1000;
  if (g.unprotectable.length > 0) {
    throw new SecrecyFailure(
      "Des cellules sous secret primaire se déduisent des cellules dont la publication est imposée.",
      [],
    );
  }
  if (blocks.length > 0 && options.pool) session = options.pool.open(set, blocks);
  let suppressed = g.suppressed;
  let method: "fast" | "optimal" = "fast";
  let repairSeconds: number;
  let optimalSeconds: number;
  let audit: AuditReport;
  try {
    t0 = performance.now();
    repairUntilProven(suppressed);
    repairSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    if (useOptimal) {
      // The MIP's best solution within its time limit is safe by construction;
      // keep it when it costs less than the fast pattern.
      const optimal = optimalSuppression(highs, set, {
        primaries,
        frozen,
        cost,
        width: (c) => (standard === "full" ? requiredWidth(rules, cells[c]?.value ?? 0) : 1),
        timeLimit: options.timeLimit ?? 3,
      });
      if (optimal) {
        repairUntilProven(optimal);
        if (patternCost(optimal) < patternCost(suppressed) - 1e-9) {
          suppressed = optimal;
          method = "optimal";
        }
      }
    }
    optimalSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    audit = auditPattern(highs, {
      ...auditInput,
      suppressed,
      witnesses,
      ...(blocks.length > 0 ? { blocks } : {}),
      ...(session ? { blockPool: session } : {}),
    });
  } finally {
    session?.close();
  }
  const auditSeconds = (performance.now() - t0) / 1000;
  const finalStatuses = statuses.map((s, c) => (s === "V" && suppressed[c] ? "D" : s) as Status);
  // Counts are of the release being made (earlier and hidden tables aside).
  const ofRelease = (c: number) =>
    tableRole(set.tables[(set.cells[c] as Cell).table] as TableSpec) === "published";
  const secondary = finalStatuses.filter((s, c) => s === "D" && ofRelease(c)).length;
  return {
    statuses: finalStatuses,
    primary: primaries.filter(ofRelease).length,
    secondary,
    method,
    standard,
    audit,
    repairs,
    rounds,
    seconds: (performance.now() - started) / 1000,
    stages: {
      gauss: gaussSeconds,
      repair: repairSeconds,
      screening: screeningSeconds,
      blockLps: blockSeconds,
      perturbation: perturbationSeconds,
      optimal: optimalSeconds,
      audit: auditSeconds,
    },
  };
}
