/**
 * Primary secrecy: which cells are sensitive by themselves, and why.
 */
import { invalide } from "../errors.js";
import type { Dimension } from "../table/dimension.js";
import { cellSupport, type TableSet } from "../table/table.js";
import { cellKey, type SecrecyRules, type Status } from "./rules.js";

/**
 * Initial status of every cell under the rules: a primary letter, F for a
 * forced publication, E for an empty magnitude cell, V otherwise. The first
 * matching rule gives the letter: zone, then frequency, dominance, manual.
 */
export function primaryStatuses(set: TableSet, rules: SecrecyRules): Status[] {
  if (!(rules.threshold >= 1) || !Number.isInteger(rules.threshold)) {
    throw invalide("seuil_invalide", "Le seuil de fréquence doit être un entier au moins égal à 1.");
  }
  const zoneVar = rules.zone ? set.variables.findIndex((d) => d.name === rules.zone?.variable) : -1;
  if (rules.zone && zoneVar < 0) {
    throw invalide(
      "variable_zone_absente",
      `La règle de zone porte sur la variable « ${rules.zone.variable} », absente du tableau.`,
    );
  }
  const smallZones = new Set<string>();
  if (rules.zone && zoneVar >= 0) {
    const dim = set.variables[zoneVar] as Dimension;
    for (const code of dim.codes) {
      if (code === dim.total) continue;
      const pop = rules.zone.population.get(code);
      if (pop !== undefined && pop < rules.zone.minimum) smallZones.add(code);
    }
  }
  const statuses: Status[] = [];
  for (let c = 0; c < set.cells.length; c++) {
    const cell = set.cells[c];
    if (!cell) continue;
    const key = cellKey(cell.table, cell.codes);
    const spec = set.tables[cell.table];
    if (spec?.role === "hidden") {
      // A hidden table holds a sub-population (people added or removed
      // between versions): only its groups of 1..k−1 are sensitive.
      statuses.push(cell.count >= 1 && cell.count < rules.threshold ? "A" : "H");
      continue;
    }
    let status: Status = "V";
    const zonePos = spec ? spec.variables.indexOf(zoneVar) : -1;
    if (zonePos >= 0 && smallZones.has(cell.codes[zonePos] ?? "")) status = "Z";
    else if (isFrequencySensitive(cell.count, rules)) status = "A";
    else if (set.magnitude && isDominated(set, c, rules)) status = "B";
    else if (rules.manual?.has(key)) status = "C";
    if (rules.forced?.has(key)) {
      if (status === "Z") {
        throw invalide(
          "publication_forcee_impossible",
          `La cellule ${key} ne peut pas être publiée : sa zone est sous le seuil de population.`,
        );
      }
      status = "F";
    } else if (status === "V" && set.magnitude && cell.count === 0) status = "E";
    statuses.push(status);
  }
  return statuses;
}

function isFrequencySensitive(count: number, rules: SecrecyRules): boolean {
  if (count === 0) return rules.protectZeros ?? false;
  return count > 0 && count < rules.threshold;
}

function isDominated(set: TableSet, c: number, rules: SecrecyRules): boolean {
  if (!rules.dominance && !rules.pPercent) return false;
  const cell = set.cells[c];
  if (!cell || cell.count === 0) return false;
  const largest = topContributions(set, c, Math.max(rules.dominance?.n ?? 0, 2));
  const total = cell.value;
  if (rules.dominance) {
    let s = 0;
    for (let i = 0; i < rules.dominance.n && i < largest.length; i++) s += largest[i] as number;
    if (s > (rules.dominance.k / 100) * total) return true;
  }
  if (rules.pPercent) {
    const x1 = largest[0] ?? 0;
    const x2 = largest[1] ?? 0;
    if (x1 > 0 && total - x1 - x2 < (rules.pPercent.p / 100) * x1) return true;
  }
  return false;
}

function topContributions(set: TableSet, c: number, n: number): number[] {
  const top = set.inner.top;
  if (!top) return [];
  const merged: number[] = [];
  for (const i of cellSupport(set, c)) {
    for (const v of top[i] ?? []) merged.push(v);
  }
  merged.sort((a, b) => b - a);
  return merged.slice(0, n);
}
