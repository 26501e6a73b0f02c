/**
 * Protection of one reference table, meant to run in a worker thread
 * (test/helpers/off-thread.ts): it loads the solver and the table itself and
 * hands back plain data.
 */
import { type Protection, protectTable } from "../../src/core/secrecy/protect.js";
import type { Standard } from "../../src/core/secrecy/rules.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { referenceTables } from "./sdc.js";

export interface ReferenceProtection {
  findings: string[];
  ok: boolean;
  secondary: number;
}

export async function protectReference(name: string, standard: Standard): Promise<ReferenceProtection> {
  const t = referenceTables().find((x) => x.name === name);
  if (!t) throw new Error(`unknown reference table ${name}`);
  return summarise(
    protectTable(await loadSolver(), t.set, { ...t.rules, standard }, { cost: t.cost ?? "count" }),
  );
}

export function summarise(result: Protection): ReferenceProtection {
  return {
    findings: result.audit.findings.map((f) => f.message),
    ok: result.audit.ok,
    secondary: result.secondary,
  };
}
