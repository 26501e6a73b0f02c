/**
 * `socle secret protect` and `socle secret audit`: the secrecy engine on
 * tables in the SDC tools' formats.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { invalide } from "../core/errors.js";
import { auditPattern } from "../core/secrecy/audit.js";
import { primaryStatuses } from "../core/secrecy/primary.js";
import { type Method, protectTable } from "../core/secrecy/protect.js";
import { isPrimary, requiredWidth, type SecrecyRules, type Standard } from "../core/secrecy/rules.js";
import { loadSolver } from "../core/secrecy/solver.js";
import type { SdcTable } from "../core/table/sdc-input.js";
import { formatPattern, PATTERN_FORMATS, type PatternFormat } from "../core/table/sdc-output.js";
import {
  loadPattern,
  loadSdcMicrodata,
  loadSdcTable,
  loadTauArgusMicrodata,
  loadTauArgusTable,
} from "../ingest/sdc-files.js";
import { defaultBlockPool } from "../release/block-pool.js";

const OPTIONS = {
  cells: { type: "string" },
  microdata: { type: "string" },
  metadata: { type: "string" },
  dims: { type: "string" },
  format: { type: "string" },
  cost: { type: "string" },
  "p-percent": { type: "string" },
  hierarchy: { type: "string", multiple: true },
  threshold: { type: "string" },
  "protect-zeros": { type: "boolean" },
  method: { type: "string" },
  standard: { type: "string" },
  value: { type: "string" },
  "primary-col": { type: "string" },
  "protection-ratio": { type: "string" },
  out: { type: "string" },
  pattern: { type: "string" },
} as const;

/**
 * The table to protect or audit: a table of cells (CSV of the SDC tools, or
 * τ-Argus .tab with --metadata .rda) or microdata, one row per record (CSV of
 * sdcTable / GaussSuppression, or τ-Argus .asc with --metadata .rda).
 */
function loadTable(values: {
  cells?: string | undefined;
  microdata?: string | undefined;
  metadata?: string | undefined;
  hierarchy?: string[] | undefined;
  value?: string | undefined;
  dims?: string | undefined;
  "primary-col"?: string | undefined;
}): SdcTable {
  const file = values.microdata ?? values.cells;
  if (!file) throw invalide("option_manquante", "Option --cells FICHIER ou --microdata FICHIER requise.");
  const microdata = values.microdata !== undefined || /\.asc$/i.test(file);
  const micro = {
    ...(values.value ? { valueColumn: values.value } : {}),
    ...(values.dims ? { dimensions: values.dims.split(",").map((d) => d.trim()) } : {}),
  };
  if (values.metadata)
    return microdata
      ? loadTauArgusMicrodata(file, values.metadata, micro)
      : loadTauArgusTable(file, values.metadata, values.value ? { valueColumn: values.value } : {});
  if (/\.(tab|asc)$/i.test(file))
    throw invalide(
      "option_manquante",
      `${file} : fichier τ-Argus ; indiquez sa métadonnée avec --metadata FICHIER.rda.`,
    );
  if (microdata) return loadSdcMicrodata(file, values.hierarchy ?? [], micro);
  return loadSdcTable(file, values.hierarchy ?? [], {
    ...(values.value ? { valueColumn: values.value } : {}),
    ...(values["primary-col"] ? { primaryColumn: values["primary-col"] } : {}),
  });
}

function parse(args: string[]) {
  const { values } = parseArgs({ args, options: OPTIONS, allowPositionals: false });
  const threshold = Number(values.threshold ?? "5");
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw invalide("seuil_invalide", `--threshold : entier ≥ 1 attendu, trouvé « ${values.threshold} ».`);
  }
  const standard = (values.standard ?? "full") as Standard;
  if (standard !== "full" && standard !== "exact") {
    throw invalide("option_invalide", "--standard : « full » (3a–3c) ou « exact » (3a) attendu.");
  }
  const method = (values.method ?? "auto") as Method;
  if (!["auto", "fast", "optimal"].includes(method)) {
    throw invalide("option_invalide", "--method : auto, fast ou optimal attendu.");
  }
  const format = (values.format ?? "socle") as PatternFormat;
  if (!PATTERN_FORMATS.includes(format))
    throw invalide("option_invalide", `--format : ${PATTERN_FORMATS.join(", ")} attendu.`);
  const cost = (values.cost ?? "count") as "count" | "value";
  if (cost !== "count" && cost !== "value")
    throw invalide(
      "option_invalide",
      "--cost : « count » (une par cellule) ou « value » (sa valeur) attendu.",
    );
  const p = values["p-percent"] ? Number(values["p-percent"]) : undefined;
  if (p !== undefined && !(p > 0 && p < 100))
    throw invalide("option_invalide", "--p-percent : pourcentage entre 0 et 100 attendu.");
  const table = loadTable(values);
  const ratio = values["protection-ratio"] ? Number(values["protection-ratio"]) : undefined;
  const rules: SecrecyRules = {
    threshold,
    protectZeros: values["protect-zeros"] ?? false,
    standard,
    manual: table.markedPrimary,
    ...(p !== undefined ? { pPercent: { p } } : {}),
    ...(ratio !== undefined ? { protection: { kind: "relative", ratio } } : {}),
  };
  return { values, table, rules, method, standard, format, cost };
}

export async function secret(sub: string | undefined, args: string[]): Promise<void> {
  if (sub === "protect") return protect(args);
  if (sub === "audit") return audit(args);
  throw invalide(
    "sous_commande_inconnue",
    `Sous-commande inconnue : secret ${sub ?? ""} (protect ou audit).`,
  );
}

async function protect(args: string[]): Promise<void> {
  const { values, table, rules, method, format, cost } = parse(args);
  if (!values.out) throw invalide("option_manquante", "Option --out FICHIER requise.");
  const highs = await loadSolver();
  const { set } = table;
  const pool = defaultBlockPool();
  const result = protectTable(highs, set, rules, { method, cost, ...(pool ? { pool } : {}) });
  writeFileSync(values.out, formatPattern(set, result.statuses, format));
  const suppressedShare = ((result.primary + result.secondary) / set.cells.length) * 100;
  process.stdout.write(
    `${set.cells.length} cellules : ${result.primary} en secret primaire, ${result.secondary} en secret secondaire (${suppressedShare.toFixed(1).replace(".", ",")} % masquées), méthode ${result.method === "fast" ? "rapide" : "optimale"}, ${result.seconds.toFixed(2).replace(".", ",")} s.\n`,
  );
  reportAudit(result.audit);
  if (!result.audit.ok) process.exitCode = 1;
}

async function audit(args: string[]): Promise<void> {
  const { values, table, rules, standard } = parse(args);
  if (!values.pattern) throw invalide("option_manquante", "Option --pattern FICHIER requise.");
  const { set } = table;
  const pattern = loadPattern(set, values.pattern);
  const suppressed = new Uint8Array(set.cells.length);
  const primary = new Uint8Array(set.cells.length);
  const knowsPrimary = pattern.every((p) => p.primary !== undefined);
  const computed = knowsPrimary ? undefined : primaryStatuses(set, rules);
  for (const p of pattern) {
    suppressed[p.cell] = p.suppressed ? 1 : 0;
    primary[p.cell] = (knowsPrimary ? p.primary : computed && isPrimary(computed[p.cell] ?? "V")) ? 1 : 0;
  }
  const highs = await loadSolver();
  const report = auditPattern(highs, {
    set,
    suppressed,
    primary,
    requiredWidth: (c) => requiredWidth(rules, set.cells[c]?.value ?? 0),
    threshold: rules.threshold,
    standard,
  });
  process.stdout.write(
    `${set.cells.length} cellules, ${report.suppressedCells} masquées ; ${report.lpSolves} programmes linéaires, ${report.seconds.toFixed(2).replace(".", ",")} s.\n`,
  );
  reportAudit(report);
  if (!report.ok) process.exitCode = 1;
}

function reportAudit(report: { ok: boolean; findings: readonly { message: string }[] }): void {
  if (report.ok) {
    process.stdout.write(
      "Audit de l'attaquant : aucune cellule masquée n'est découverte ni trop bien encadrée.\n",
    );
    return;
  }
  process.stdout.write(`Audit de l'attaquant : ÉCHEC, ${report.findings.length} cellule(s) exposée(s) :\n`);
  for (const f of report.findings.slice(0, 50)) process.stdout.write(`  - ${f.message}\n`);
  if (report.findings.length > 50) process.stdout.write(`  … et ${report.findings.length - 50} autres.\n`);
}
