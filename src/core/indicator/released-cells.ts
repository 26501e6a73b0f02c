/**
 * The cells of releases as a formula reads them: by territory (level and
 * official code, whatever the release's own coding: `C76540` of an
 * individual release and `76540` of a provider's table are the same
 * commune) and by atom (a column of an aggregated table, a rate the
 * provider published, the count of an individual release or one modality
 * of a breakdown). Only the reader view is read: a secret cell is « s » and
 * carries no value, so nothing here can see a secret.
 */
import type { Dataset } from "../convention/model.js";
import { type ReleasedTable, territoryCode, territoryLevel } from "../release/release.js";
import type { Atome, Lecture } from "./derived.js";
import type { Niveau } from "./model.js";

/** A territory of a release: « commune:76540 », « iris:765400101 », « zone:RPE 1 ». */
export const territoryKeyOf = (niveau: Niveau, code: string) => `${niveau}:${code}`;

export interface ReleasedTerritory {
  niveau: Niveau;
  code: string;
  nom: string;
}

/** One release's cells, by territory key then atom key. */
export interface ReleaseIndex {
  annexe: string;
  territories: Map<string, ReleasedTerritory>;
  cells: Map<string, Map<string, Lecture>>;
}

/** Key of an atom inside one release (the dataset is the release's). */
export function atomKey(a: Atome): string | undefined {
  switch (a.kind) {
    case "colonne":
      return `col:${a.colonne}`;
    case "taux_publie":
      return `taux:${a.colonne}`;
    case "effectif":
      return a.variable && a.modalite ? `eff:${a.variable}=${a.modalite}` : "eff:";
    case "population":
      return undefined;
  }
}

/** The label publish-aggregated gives a column's table (« Taux couverture »). */
export function columnTableName(dataset: Dataset, nom: string): string {
  const l = dataset.champs.find((f) => f.nom === nom)?.libelle ?? nom.replace(/_/g, " ");
  return l.charAt(0).toUpperCase() + l.slice(1);
}

const LEVELS: ReadonlySet<string> = new Set(["iris", "commune", "epci", "departement", "zone"]);

/**
 * Indexes the tables of one release (reader view).
 *
 * @example indexRelease(dataset, readerView(release).tableaux).cells.get("commune:76540")?.get("col:allocataires")
 */
export function indexRelease(dataset: Dataset, tableaux: readonly ReleasedTable[]): ReleaseIndex {
  const territories = new Map<string, ReleasedTerritory>();
  const cells = new Map<string, Map<string, Lecture>>();
  const rateByTable = new Map(
    dataset.champs.filter((f) => f.type === "taux").map((f) => [columnTableName(dataset, f.nom), f.nom]),
  );
  const put = (
    territory: string,
    key: string,
    cell: { valeur: number | null; statut: string },
    nom: string,
  ) => {
    const niveau = territoryLevel(territory);
    if (!LEVELS.has(niveau)) return;
    const code = territoryCode(territory);
    const tk = territoryKeyOf(niveau as Niveau, code);
    if (!territories.has(tk)) territories.set(tk, { niveau: niveau as Niveau, code, nom });
    let m = cells.get(tk);
    if (!m) {
      m = new Map();
      cells.set(tk, m);
    }
    const lecture: Lecture =
      cell.statut === "s" || cell.valeur === null
        ? { statut: "secret" }
        : { statut: "publie", valeur: cell.valeur };
    // A cell read twice (the same count in two breakdown tables) keeps the stricter reading.
    const before = m.get(key);
    if (!before || lecture.statut === "secret") m.set(key, lecture);
  };
  for (const t of tableaux) {
    const names = t.libelles.territoire ?? {};
    const second = t.variables[1]?.nom;
    for (const c of t.cellules) {
      const territory = c.codes[0] as string;
      const nom = names[territory] ?? territoryCode(territory);
      if (dataset.kind === "agrege") {
        if (second === "colonne") put(territory, `col:${c.codes[1]}`, c, nom);
        else if (t.variables.length === 1) {
          const rate = rateByTable.get(t.nom);
          if (rate) put(territory, `taux:${rate}`, c, nom);
        }
      } else if (t.variables.length === 1) put(territory, "eff:", c, nom);
      else if (second) {
        const code = c.codes[1] as string;
        if (code === "Total") put(territory, "eff:", c, nom);
        else put(territory, `eff:${second}=${code}`, c, nom);
      }
    }
  }
  return { annexe: dataset.id, territories, cells };
}

/**
 * What a reader knows of an atom for a territory, from several releases
 * (first holding it wins, in the order given).
 */
export function readAtom(indexes: readonly ReleaseIndex[], territory: string, a: Atome): Lecture {
  const key = atomKey(a);
  if (!key || a.kind === "population") return { statut: "manquant" };
  for (const ix of indexes) {
    if (!a.jeux.includes(ix.annexe)) continue;
    const l = ix.cells.get(territory)?.get(key);
    if (l) return l;
  }
  return { statut: "manquant" };
}
