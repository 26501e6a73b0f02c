/**
 * A suppression pattern written in the conventions of the tool its reader
 * uses, so that an R user audits Socle's pattern with sdcTable or
 * GaussSuppression, and a τ-Argus user reads it as τ-Argus would have
 * written it. Each format reads back with readPattern (sdc-input.ts).
 *
 * - socle: `statut` in Socle's letters with their French label;
 * - tauargus: `statut` in rtauargus letters: A primary (frequency), B primary
 *   (dominance), C other primary (manual, zone), D secondary, V published;
 * - sdctable: `sdcStatus`: u primary, x secondary, s published, z forced or empty;
 * - gauss: GaussSuppression's `primary`, `suppressed`, `secondary` (TRUE/FALSE).
 */
import { isPrimary, isSuppressed, STATUS_LABEL_FR, type Status } from "../secrecy/rules.js";
import type { TableSet } from "./table.js";

export type PatternFormat = "socle" | "tauargus" | "sdctable" | "gauss";
export const PATTERN_FORMATS: readonly PatternFormat[] = ["socle", "tauargus", "sdctable", "gauss"];

// H (a cell of no output, only in release histories) is suppressed without being primary.
const TAU: Record<Status, string> = {
  A: "A",
  B: "B",
  C: "C",
  Z: "C",
  D: "D",
  V: "V",
  F: "V",
  E: "V",
  H: "D",
};
const SDC: Record<Status, string> = {
  A: "u",
  B: "u",
  C: "u",
  Z: "u",
  D: "x",
  V: "s",
  F: "z",
  E: "z",
  H: "x",
};

function field(s: string): string {
  // Neutralise spreadsheet formulas and quote when needed.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",;\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The pattern as CSV (comma-separated, one line per cell of the set). */
export function formatPattern(set: TableSet, statuses: readonly Status[], format: PatternFormat): string {
  const dims = set.variables.map((d) => d.name);
  const head: Record<PatternFormat, string[]> = {
    socle: ["valeur", "statut", "libelle_statut"],
    tauargus: ["freq", ...(set.magnitude ? ["valeur"] : []), "statut"],
    sdctable: ["Freq", ...(set.magnitude ? ["valeur"] : []), "sdcStatus"],
    gauss: ["freq", ...(set.magnitude ? ["valeur"] : []), "primary", "suppressed", "secondary"],
  };
  const lines = [[...dims, ...head[format]].map(field).join(",")];
  set.cells.forEach((cell, c) => {
    const s = statuses[c] ?? "V";
    const primary = isPrimary(s);
    const value = set.magnitude ? [String(cell.value)] : [];
    const tail: Record<PatternFormat, string[]> = {
      socle: [String(cell.value), s, STATUS_LABEL_FR[s]],
      tauargus: [String(cell.count), ...value, TAU[s]],
      sdctable: [String(cell.count), ...value, SDC[s]],
      gauss: [
        String(cell.count),
        ...value,
        String(primary).toUpperCase(),
        String(isSuppressed(s)).toUpperCase(),
        String(s === "D").toUpperCase(),
      ],
    };
    lines.push([...cell.codes, ...tail[format]].map(field).join(","));
  });
  return `${lines.join("\n")}\n`;
}
