/**
 * npm run bench:secret — the secrecy engine on every reference table of
 * ../shared/fixtures/sdc, in the exact-disclosure standard (3a) and the full
 * standard (3a–3c), beside the reference figures of summary_*.csv; then the
 * usefulness of an APA release (bench/usefulness.ts) and the scale of a
 * synthetic département's release (bench/departement.ts). `npm run bench:secret
 * -- NAME` runs the tables whose name contains NAME (« usefulness » alone).
 */
import { protectTable } from "../src/core/secrecy/protect.js";
import { loadSolver } from "../src/core/secrecy/solver.js";
import { referenceTables } from "../test/helpers/sdc.js";
import { printDepartement } from "./departement.js";
import { printUsefulness } from "./usefulness.js";

const REFERENCE_SECONDS: Record<string, string> = {
  "ssb_d3 maxN 4": "GaussSuppression 0.35 s (87 sec.), sdcTable GAUSS 30 s (80), OPT 191 s (72)",
  "ssb_d4 maxN 4 zeros protected": "GaussSuppression 19.4–81 s (554 sec.)",
  "ssb_d4_countyOnly maxN 4": "GaussSuppression 14.3 s (774 sec.)",
  "sdctable_vignette maxN 10": "sdcTable OPT 5.6–13 s (23, 22 unsafe in 0.34)",
};

const only = process.argv[2];
const highs = await loadSolver();
const rows: string[][] = [];
for (const t of referenceTables()) {
  if (only && !t.name.includes(only)) continue;
  for (const standard of ["exact", "full"] as const) {
    const r = protectTable(highs, t.set, { ...t.rules, standard }, { cost: t.cost ?? "count" });
    const cells = t.set.cells.length;
    const row = [
      t.name,
      standard === "exact" ? "3a" : "3a–3c",
      String(cells),
      String(r.primary),
      String(r.secondary),
      `${(((r.primary + r.secondary) / cells) * 100).toFixed(1)} %`,
      r.audit.ok ? "passes" : `FAILS (${r.audit.findings.length})`,
      (r.seconds - r.audit.seconds).toFixed(2),
      r.audit.seconds.toFixed(2),
      r.method,
      standard === "exact" ? `${t.referenceLabel} → limit ${Math.floor(1.1 * t.reference)}` : "",
      REFERENCE_SECONDS[t.name] ?? "",
    ];
    rows.push(row);
    console.log(row.join(" | "));
  }
}
console.log(
  "\ntable | standard | cells | primary | secondary | suppressed | audit | protect s | audit s | method | reference (secondary) | reference time",
);
for (const r of rows) console.log(r.join(" | "));

if (!only || "usefulness".includes(only)) printUsefulness(highs);
if (!only || "departement".includes(only)) printDepartement(highs);
