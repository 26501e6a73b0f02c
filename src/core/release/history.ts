/**
 * The history a new release is read beside: every earlier release of the
 * same dataset and vintage, each made on the data as they were then (the
 * deposits it covered). Releases on the same deposits are one version of the
 * data; the attacker knows what each version's releases published.
 *
 * Rows are matched across versions by their identity (pseudonym when the
 * provider gives one, territory and breakdown values): unit j of an identity
 * belongs to every version holding more than j rows of it. The units held by
 * the same versions form a segment; a version is the union of its segments,
 * and a segment some versions lack is a population of added or removed
 * people whose small groups are sensitive (see docs/secrecy.md).
 */
import { formatDateFr } from "../convention/dates.js";
import { cellKey, isPrimary, isSuppressed, type Status } from "../secrecy/rules.js";
import { cellIndex, type TableSet, tableRole } from "../table/table.js";
import type { DataHistory } from "./aggregate.js";
import type { ReleasedTable } from "./release.js";

export interface EarlierRelease {
  id: string;
  diffuseLe: string;
  /** Deposits whose rows the release counted. */
  depots: readonly string[];
  tableaux: readonly ReleasedTable[];
}

export interface HistoryPlan {
  /** One entry per distinct version, earlier ones first, the new one last. */
  versions: { label: string; depots: readonly string[]; releases: readonly EarlierRelease[] }[];
  /** Bit v set when version v holds the deposit. */
  masks: Map<string, number>;
  /** Earlier releases made on exactly the data now released. */
  sameData: readonly EarlierRelease[];
}

/** Limit of distinct data versions of one vintage (bit masks of 31 bits). */
export const MAX_VERSIONS = 30;

const keyOf = (depots: readonly string[]) => [...depots].sort().join(",");

/**
 * Groups earlier releases by the deposits they covered; the new release's
 * deposits are the last version (merged with earlier releases on the same data).
 *
 * @example planHistory([{ id: "r1", diffuseLe, depots: ["d1"], tableaux }], ["d1", "d2"])
 *   // versions: [d1] (r1), [d1, d2] (new); masks d1 → 0b11, d2 → 0b10
 */
export function planHistory(earlier: readonly EarlierRelease[], current: readonly string[]): HistoryPlan {
  const currentKey = keyOf(current);
  const byKey = new Map<string, { depots: readonly string[]; releases: EarlierRelease[] }>();
  const sameData: EarlierRelease[] = [];
  const ordered = [...earlier].sort((a, b) => a.diffuseLe.localeCompare(b.diffuseLe));
  for (const r of ordered) {
    const k = keyOf(r.depots);
    if (k === currentKey) {
      sameData.push(r);
      continue;
    }
    const v = byKey.get(k) ?? { depots: r.depots, releases: [] };
    v.releases.push(r);
    byKey.set(k, v);
  }
  if (byKey.size + 1 > MAX_VERSIONS)
    throw new RangeError(`Plus de ${MAX_VERSIONS} versions des données pour ce millésime.`);
  const versions: HistoryPlan["versions"] = [...byKey.values()].map((v) => ({
    label: `diffusion du ${formatDateFr((v.releases[0] as EarlierRelease).diffuseLe.slice(0, 10))}`,
    depots: v.depots,
    releases: v.releases,
  }));
  versions.push({ label: "nouvelle diffusion", depots: current, releases: sameData });
  const masks = new Map<string, number>();
  versions.forEach((v, i) => {
    for (const d of v.depots) masks.set(d, (masks.get(d) ?? 0) | (1 << i));
  });
  return { versions, masks, sameData };
}

/** The data history of the table model, from the segments the rows fell in (« 0.2 »). */
export function dataHistory(plan: HistoryPlan, segments: readonly string[]): DataHistory {
  const n = plan.versions.length;
  const holds = (s: string) => s.split(".").map(Number);
  const uniq = [...new Set(segments)].sort();
  return {
    versions: plan.versions.map((v, i) => ({
      label: v.label,
      segments: uniq.filter((s) => holds(s).includes(i)),
      role: i === n - 1 ? ("published" as const) : ("earlier" as const),
    })),
    changes: uniq.filter((s) => holds(s).length < n),
  };
}

/**
 * What the attacker knows of a cell from several releases of one version:
 * published by any of them is published; else the strongest secret it had.
 */
export function mergedStatus(a: Status | undefined, b: Status): Status {
  if (a === undefined) return b;
  if (!isSuppressed(a) || !isSuppressed(b)) return "V";
  if (isPrimary(a)) return a;
  if (isPrimary(b)) return b;
  return "D";
}

/** People added and removed between the earlier versions and the new one, for messages. */
export function describeChanges(
  plan: HistoryPlan,
  segmentCounts: ReadonlyMap<string, number>,
): { ajoutees: number; retirees: number; texte: string } {
  const last = plan.versions.length - 1;
  let ajoutees = 0;
  let retirees = 0;
  for (const [s, count] of segmentCounts) {
    const held = s.split(".").map(Number);
    if (held.length === plan.versions.length) continue;
    if (held.includes(last)) ajoutees += count;
    else retirees += count;
  }
  const texte = `depuis les diffusions antérieures de ce millésime, ${ajoutees} personne(s) ajoutée(s) et ${retirees} retirée(s) ou modifiée(s)`;
  return { ajoutees, retirees, texte };
}

/**
 * Cells of the release being made whose value differs by 1 to k−1 from the
 * same cell an earlier release published: the difference is a small group of
 * people added or removed, so the cell is sensitive (a manual primary key).
 *
 * @param nameOf the new table an earlier table's name stands for (identity by default)
 */
export function changedCells(
  set: TableSet,
  earlier: readonly EarlierRelease[],
  threshold: number,
  nameOf: (nom: string) => string = (nom) => nom,
): Set<string> {
  const find = cellIndex(set);
  const byName = new Map<string, number>();
  set.tables.forEach((t, i) => {
    if (tableRole(t) === "published") byName.set(t.name, i);
  });
  const out = new Set<string>();
  for (const r of earlier)
    for (const t of r.tableaux) {
      const ti = byName.get(nameOf(t.nom));
      if (ti === undefined) continue;
      for (const cell of t.cellules) {
        if (cell.valeur === null) continue;
        const c = find(ti, cell.codes);
        if (c === undefined) continue;
        const d = Math.abs((set.cells[c]?.value ?? 0) - cell.valeur);
        if (d >= 1 && d < threshold) out.add(cellKey(ti, cell.codes));
      }
    }
  return out;
}

/** Cells published by two releases with values 1..k−1 apart: a small group shown by difference. */
export function smallDifferences(releases: readonly EarlierRelease[], threshold: number): string[] {
  const out: string[] = [];
  const date = (r: EarlierRelease) => r.diffuseLe.slice(0, 10).split("-").reverse().join("/");
  releases.forEach((a, i) => {
    for (const b of releases.slice(i + 1))
      for (const ta of a.tableaux) {
        const tb = b.tableaux.find((t) => t.nom === ta.nom);
        if (!tb) continue;
        const later = new Map(tb.cellules.map((c) => [c.codes.join("\u0000"), c.valeur]));
        for (const c of ta.cellules) {
          const v = later.get(c.codes.join("\u0000"));
          if (c.valeur === null || v === null || v === undefined) continue;
          const d = Math.abs(v - c.valeur);
          if (d >= 1 && d < threshold)
            out.push(
              `« ${ta.nom} », ${c.codes.join(" × ")} : ${d} d'écart entre les diffusions du ${date(a)} et du ${date(b)}.`,
            );
        }
      }
  });
  return out;
}
