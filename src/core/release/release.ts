/**
 * A release: the protected tables as they may leave Socle. Suppressed cells
 * carry no value at all (null), so nothing downstream (API, exports, maps)
 * can leak one; each table carries the source mention of its convention.
 */
import { formatDateFr } from "../convention/dates.js";
import { isSuppressed, type Status } from "../secrecy/rules.js";
import type { Dimension } from "../table/dimension.js";
import type { TableSet } from "../table/table.js";
import { ENSEMBLE, NON_LOCALISE, TERRITOIRE } from "./aggregate.js";

export interface ReleasedCell {
  codes: string[];
  /** null when the cell is under statistical secrecy. */
  valeur: number | null;
  /**
   * Why the cell is secret is kept for the processor and the history; every
   * other reader gets « s » (see `readerView`): a primary's kind would pin it
   * to 1..k−1.
   */
  statut: Status | "s";
}

/**
 * A release as a reader sees it: a secret cell is « s », whatever its kind;
 * only the counts of primary and secondary cells stay, in aggregate.
 *
 * @example readerView(release).tableaux[0].cellules[3].statut // "s" or "V"
 */
export function readerView<R extends { tableaux: readonly ReleasedTable[] }>(release: R): R {
  return {
    ...release,
    tableaux: release.tableaux.map((t) => ({
      ...t,
      cellules: t.cellules.map((c) => ({
        ...c,
        statut: c.statut === "s" || isSuppressed(c.statut) ? ("s" as const) : c.statut,
      })),
    })),
  };
}

export interface ReleasedTable {
  nom: string;
  variables: { nom: string; libelle: string }[];
  /** Labels of every code of each variable. */
  libelles: Record<string, Record<string, string>>;
  cellules: ReleasedCell[];
  /**
   * « taux »: the values are rates in percent points as the provider gave
   * them (55.3 is 55,3 %); absent: counts (or sums).
   */
  unite?: "taux";
}

/** Fills a convention's source template: {date_observation}, {date_mise_a_jour}, {annee}. */
export function sourceMention(
  template: string,
  facts: { dateObservation: string; miseAJour: string; annee: number },
): string {
  return template
    .replaceAll("{date_observation}", formatDateFr(facts.dateObservation))
    .replaceAll("{dateObservation}", formatDateFr(facts.dateObservation))
    .replaceAll("{date_mise_a_jour}", formatDateFr(facts.miseAJour))
    .replaceAll("{annee}", String(facts.annee))
    .replace(/\s*…\s*$/, "");
}

/** The observation date of a vintage: « 31/12/N-1 » style conventions observe the last day of the year. */
export function observationDate(annee: number): string {
  return `${annee}-12-31`;
}

export function territoryLabel(
  code: string,
  names: {
    iris: ReadonlyMap<string, string>;
    communes: ReadonlyMap<string, string>;
    epci: ReadonlyMap<string, string>;
    zones?: ReadonlyMap<string, string>;
  },
): string {
  if (code === ENSEMBLE) return "Ensemble du territoire";
  if (code.startsWith("Z")) return names.zones?.get(code) ?? code.slice(1);
  if (code === NON_LOCALISE) return "Adresse non localisée";
  if (code.startsWith("C")) return names.communes.get(code.slice(1)) ?? code.slice(1);
  if (code.startsWith("E")) return names.epci.get(code.slice(1)) ?? code.slice(1);
  return names.iris.get(code) ?? code;
}

/** Official code of a territory code of the table (commune and EPCI codes carry a prefix inside). */
export function territoryCode(code: string): string {
  if (code === ENSEMBLE || code === NON_LOCALISE) return "";
  if (/^[CEDZ]/.test(code)) return code.slice(1);
  return code;
}

export function territoryLevel(
  code: string,
): "ensemble" | "non_localise" | "autre" | "commune" | "epci" | "departement" | "zone" | "iris" {
  if (code === ENSEMBLE) return "ensemble";
  if (code === NON_LOCALISE) return "non_localise";
  // Aggregated tables: abroad, unknown commune, and plain commune codes.
  if (code === "99999" || code === "XXXXX") return "autre";
  if (/^(\d{2}|2A|2B)\d{3}$/.test(code)) return "commune";
  if (code.startsWith("C")) return "commune";
  if (code.startsWith("E")) return "epci";
  if (code.startsWith("D")) return "departement";
  if (code.startsWith("Z")) return "zone";
  return "iris";
}

/** Freezes the protected set into released tables: values of suppressed cells are dropped here. */
export function releasedTables(
  set: TableSet,
  statuses: readonly Status[],
  labelOf: (variable: string, code: string) => string,
  variableLabel: (variable: string) => string,
): ReleasedTable[] {
  return set.tables.flatMap((spec, t) => {
    if ((spec.role ?? "published") !== "published") return [];
    const dims = spec.variables.map((v) => set.variables[v] as Dimension);
    const libelles: Record<string, Record<string, string>> = {};
    for (const d of dims) libelles[d.name] = Object.fromEntries(d.codes.map((c) => [c, labelOf(d.name, c)]));
    const cellules: ReleasedCell[] = [];
    set.cells.forEach((cell, c) => {
      if (cell.table !== t) return;
      const statut = statuses[c] as Status;
      cellules.push({ codes: [...cell.codes], valeur: isSuppressed(statut) ? null : cell.value, statut });
    });
    return [
      {
        nom: spec.name,
        variables: dims.map((d) => ({ nom: d.name, libelle: variableLabel(d.name) })),
        libelles,
        cellules,
      },
    ];
  });
}

/** A cell value a spreadsheet would read as a formula is prefixed with an apostrophe. */
export { neutralise } from "../export/neutralise.js";

export { TERRITOIRE };
