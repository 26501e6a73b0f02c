/**
 * Usefulness of a release (issue 13, item 7): the share of published cells
 * by territory level for the Aix APA case (test/helpers/apa-case.ts),
 * today's engine beside the engine before (perturbations moving their
 * neighbourhood's boundary). Printed by `npm run bench:secret`.
 */
import { type ReleasedTable, territoryLevel } from "../src/core/release/release.js";
import { protectTable } from "../src/core/secrecy/protect.js";
import type { Highs } from "../src/core/secrecy/solver.js";
import { aixApaCase, type LevelShare, sharesByLevel } from "../test/helpers/apa-case.js";

/** The APA case protected with perturbations whose boundary is fixed (today) or free (before). */
export function usefulness(highs: Highs, boundary: "fixed" | "free") {
  const { set, rules } = aixApaCase();
  const r = protectTable(highs, set, rules, { boundary });
  return {
    shares: sharesByLevel(set, r.statuses),
    primary: r.primary,
    secondary: r.secondary,
    seconds: r.seconds,
    ok: r.audit.ok,
  };
}

const pct = (a: number, b: number) => (b === 0 ? "–" : `${((a / b) * 100).toFixed(0)} %`);

/** Published share by territory level of a frozen release (its secret cells have no value). */
export function releaseShares(tableaux: readonly ReleasedTable[]): LevelShare[] {
  const by = new Map<string, LevelShare>();
  for (const t of tableaux) {
    for (const cell of t.cellules) {
      const level = territoryLevel(cell.codes[0] ?? "");
      const s = by.get(level) ?? { level, cells: 0, published: 0, margins: 0, marginsPublished: 0 };
      const published = cell.valeur !== null;
      s.cells++;
      if (published) s.published++;
      if (cell.codes.slice(1).every((x) => x === "Total")) {
        s.margins++;
        if (published) s.marginsPublished++;
      }
      by.set(level, s);
    }
  }
  const order = ["iris", "commune", "epci", "departement", "zone", "ensemble"];
  return [...by.values()].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
}

/** Prints published shares by level, today's engine beside the engine before. */
export function printShareTable(now: readonly LevelShare[], before: readonly LevelShare[]): void {
  console.log("level | cells | published now | published before | breakdown cells published now | before");
  for (const s of now) {
    const b = before.find((x) => x.level === s.level);
    const bp = b?.published ?? 0;
    const bm = b?.marginsPublished ?? 0;
    const breakdown = s.cells - s.margins;
    console.log(
      [
        s.level,
        s.cells,
        `${s.published} (${pct(s.published, s.cells)})`,
        `${bp} (${pct(bp, s.cells)})`,
        `${s.published - s.marginsPublished}/${breakdown} (${pct(s.published - s.marginsPublished, breakdown)})`,
        `${bp - bm}/${breakdown} (${pct(bp - bm, breakdown)})`,
      ].join(" | "),
    );
  }
}

/** Prints the share of published cells by level, today's engine beside the engine before (perturbations moving their boundary). */
export function printUsefulness(highs: Highs): void {
  const now = usefulness(highs, "fixed");
  const before = usefulness(highs, "free");
  console.log(
    "\nUsefulness — Aix APA, 1,226 people (demo territory, full standard): published cells by level",
  );
  printShareTable(now.shares, before.shares);
  console.log(
    `secondary: now ${now.secondary} (${now.seconds.toFixed(1)} s), before ${before.secondary} (${before.seconds.toFixed(1)} s); ${now.primary} primary; audit ${now.ok && before.ok ? "passes" : "FAILS"}`,
  );
}
