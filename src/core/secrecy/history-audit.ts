/**
 * The audit of everything published: every release of a dataset's vintage,
 * each on its own version of the data, attacked together. Each table's
 * cells carry the status their release froze (published, a primary letter,
 * secondary) and a cell no release published is the attacker's unknown;
 * the hidden tables of what changed between versions carry their own
 * primaries. The attacker is the same independent audit as for a release.
 */
import type { TableSet } from "../table/table.js";
import { type AuditReport, auditPattern } from "./audit.js";
import { primaryStatuses } from "./primary.js";
import { isPrimary, isSuppressed, requiredWidth, type SecrecyRules, type Status } from "./rules.js";
import type { Highs } from "./solver.js";

/**
 * @param published status each published cell had, for every table that is
 *   not hidden (missing: never published).
 */
export function auditHistory(
  highs: Highs,
  set: TableSet,
  rules: SecrecyRules,
  published: ReadonlyMap<number, Status>,
): AuditReport & { statuses: readonly Status[] } {
  const computed = primaryStatuses(set, rules);
  const statuses: Status[] = computed.map((s, c) => {
    const table = set.tables[set.cells[c]?.table ?? 0];
    if (table?.role === "hidden") return s;
    const frozen = published.get(c) ?? "H";
    return frozen === "F" || frozen === "E" ? "V" : frozen;
  });
  const n = set.cells.length;
  const primary = new Uint8Array(n);
  const suppressed = new Uint8Array(n);
  const unattacked = new Uint8Array(n);
  statuses.forEach((s, c) => {
    if (isPrimary(s)) primary[c] = 1;
    if (isSuppressed(s)) suppressed[c] = 1;
    if (s === "H") unattacked[c] = 1;
  });
  const report = auditPattern(highs, {
    set,
    suppressed,
    primary,
    unattacked,
    requiredWidth: (c) => requiredWidth(rules, set.cells[c]?.value ?? 0),
    threshold: rules.threshold,
    standard: rules.standard ?? "full",
  });
  return { ...report, statuses };
}
