/**
 * From pseudonymised rows to linked count tables: territory (IRIS within
 * commune, within EPCI when the convention names it, within the whole
 * territory) × each breakdown of the dataset (sex, age band computed at the
 * observation date, GIR, yes/no and short categorical fields), with every
 * margin. All tables share the territory variable, so the secrecy engine
 * protects them jointly.
 */
import type { Dataset, GeoLevel } from "../convention/model.js";
import { type AgeBand, ageBands, ageOn, bandOf, type FieldValue } from "../deposit/fields.js";
import { buildDimension, type Dimension, flatDimension, type HierarchyEdge } from "../table/dimension.js";
import { buildTableSet, type InnerRow, type TableSet, type TableSpec } from "../table/table.js";

export const TERRITOIRE = "territoire";
export const ENSEMBLE = "Ensemble";
/** Code kept for labels of older releases; rows without an IRIS are now left out of the tables. */
export const NON_LOCALISE = "non_localise";

export interface IrisInfo {
  code: string;
  nom: string;
  commune: string;
}

export interface CommuneInfo {
  code: string;
  nom: string;
  epci: string | null;
}

export interface Geography {
  iris: readonly IrisInfo[];
  communes: readonly CommuneInfo[];
  epci?: ReadonlyMap<string, string>;
  /** Custom zones attached to the dataset (RPE, quartiers, QPV): sets of IRIS. */
  zones?: readonly { code: string; nom: string; iris: readonly string[] }[];
}

export interface Breakdown {
  /** Variable name, e.g. « sexe », « tranche_age ». */
  nom: string;
  libelle: string;
  modalites: { code: string; libelle: string }[];
  of: (valeurs: Readonly<Record<string, FieldValue>>) => string | null;
}

const SEXES = [
  { code: "F", libelle: "Femmes" },
  { code: "M", libelle: "Hommes" },
];

/** Age bands used for ages at the observation date. */
export const DEFAULT_AGE_BOUNDS = [0, 3, 6, 18, 25, 40, 60, 75, 85];

/** Breakdowns a dataset's fields allow; free text is left out (it would identify people). */
export function breakdownsFor(
  d: Dataset,
  observationDate: string,
  ageBounds = DEFAULT_AGE_BOUNDS,
): Breakdown[] {
  const out: Breakdown[] = [];
  for (const f of d.champs) {
    if (f.type === "sexe")
      out.push({
        nom: f.nom,
        libelle: f.libelle ?? "Sexe",
        modalites: SEXES,
        of: (v) => (v[f.nom] as string) ?? null,
      });
    else if (f.type === "gir")
      out.push({
        nom: f.nom,
        libelle: f.libelle ?? "GIR",
        modalites: [1, 2, 3, 4, 5, 6].map((g) => ({ code: `GIR${g}`, libelle: `GIR ${g}` })),
        of: (v) => (v[f.nom] == null ? null : `GIR${v[f.nom]}`),
      });
    else if (f.type === "oui_non")
      out.push({
        nom: f.nom,
        libelle: f.libelle ?? f.nom,
        modalites: [
          { code: "oui", libelle: "Oui" },
          { code: "non", libelle: "Non" },
        ],
        of: (v) => (v[f.nom] == null ? null : v[f.nom] ? "oui" : "non"),
      });
    else if (f.type === "entier" && /^age/.test(f.nom)) {
      // An age given as a number (e.g. the mother's age at birth).
      const bands = ageBands([0, 20, 25, 30, 35, 40]);
      out.push({
        nom: f.nom,
        libelle: f.libelle ?? f.nom.replace(/_/g, " ").replace(/^age/, "Âge"),
        modalites: bands.map((b) => ({ code: b.code, libelle: b.libelle })),
        of: (v) => (typeof v[f.nom] === "number" ? (bandOf(bands, v[f.nom] as number)?.code ?? null) : null),
      });
    } else if (f.type === "entier" && /^rang/.test(f.nom)) {
      out.push({
        nom: f.nom,
        libelle: f.libelle ?? "Rang de naissance",
        modalites: ["1", "2", "3", "4+"].map((r) => ({
          code: r,
          libelle: r === "4+" ? "4e et plus" : r === "1" ? "1er" : `${r}e`,
        })),
        of: (v) => {
          const r = v[f.nom];
          if (typeof r !== "number" || r < 1) return null;
          return r >= 4 ? "4+" : String(r);
        },
      });
    } else if (f.type === "date" && /naiss/.test(f.nom)) {
      const bands: AgeBand[] = ageBands(ageBounds);
      out.push({
        nom: "tranche_age",
        libelle: `Âge au ${observationDate.split("-").reverse().join("/")}`,
        modalites: bands.map((b) => ({ code: b.code, libelle: b.libelle })),
        of: (v) => {
          const birth = v[f.nom];
          if (typeof birth !== "string" || birth > observationDate) return null;
          return bandOf(bands, ageOn(birth, observationDate))?.code ?? null;
        },
      });
    }
  }
  return out;
}

/** The territory variable: IRIS → commune (→ EPCI) → Ensemble. */
export function territoryDimension(geo: Geography, levels: readonly GeoLevel[]): Dimension {
  const edges: HierarchyEdge[] = [];
  const useEpci = levels.includes("epci");
  const communes = new Map(geo.communes.map((c) => [c.code, c]));
  const usedCommunes = new Set(geo.iris.map((i) => i.commune));
  const usedEpci = new Set<string>();
  for (const code of usedCommunes) {
    const c = communes.get(code);
    const epci = useEpci ? (c?.epci ?? null) : null;
    if (epci) {
      usedEpci.add(epci);
      edges.push({ parent: `E${epci}`, child: `C${code}` });
    } else edges.push({ parent: ENSEMBLE, child: `C${code}` });
  }
  for (const e of usedEpci) edges.push({ parent: ENSEMBLE, child: `E${e}` });
  for (const i of geo.iris) edges.push({ parent: `C${i.commune}`, child: i.code });
  // Each zone is a grouping of its own over the same IRIS (not nested in the communes).
  const known = new Set(geo.iris.map((i) => i.code));
  for (const z of geo.zones ?? []) {
    const members = new Set(z.iris.filter((i) => known.has(i)));
    if (members.size === 0) continue;
    const grouping = `zone ${z.code}`;
    edges.push({ parent: ENSEMBLE, child: `Z${z.code}`, grouping });
    for (const i of geo.iris)
      edges.push(
        members.has(i.code)
          ? { parent: `Z${z.code}`, child: i.code, grouping }
          : { parent: ENSEMBLE, child: i.code, grouping },
      );
  }
  return buildDimension(TERRITOIRE, edges);
}

export interface ReleaseRow {
  codeIris: string | null;
  valeurs: Readonly<Record<string, FieldValue>>;
  /** How many people share these values (1 when absent). */
  count?: number;
  /** Segment of the data history the rows belong to (see `DataHistory`). */
  segment?: string;
}

/** Variable of the data history: its leaves are the segments of rows. */
export const VERSION = "version";

/**
 * The versions of a vintage's data that releases were made on. A segment is
 * a set of rows that the same versions hold (« 0.1 »: rows in versions 0 and
 * 1); a version is the union of its segments. Segments not held by every
 * version are the people added or removed between versions: a population of
 * their own, whose small groups are sensitive.
 */
export interface DataHistory {
  versions: readonly { label: string; segments: readonly string[]; role: "earlier" | "published" }[];
  /** Segments held by some versions only. */
  changes: readonly string[];
}

export interface BuiltTables {
  set: TableSet;
  breakdowns: Breakdown[];
  /** Rows left out of a breakdown because the value is missing, per breakdown. */
  nonRenseignes: Record<string, number>;
  /**
   * Rows without a known IRIS: left out of every table (a territory of 1 to
   * 4 « unplaced » people could not be protected and tells nothing), and
   * reported with the release.
   */
  nonLocalises: number;
}

const NR = "nr";

/**
 * One table per breakdown: territory × breakdown (with its margins); the
 * territory margin is shared. A missing value goes to a « non renseigné »
 * modality so the totals stay the count of rows.
 */
export function buildReleaseTables(
  allRows: readonly ReleaseRow[],
  geo: Geography,
  levels: readonly GeoLevel[],
  breakdowns: readonly Breakdown[],
  history?: DataHistory,
): BuiltTables {
  const known = new Set(geo.iris.map((i) => i.code));
  const located = allRows.filter((r) => r.codeIris !== null && known.has(r.codeIris));
  const nonLocalises =
    allRows.reduce((sum, r) => sum + (r.count ?? 1), 0) - located.reduce((sum, r) => sum + (r.count ?? 1), 0);
  const rows = located;
  const territory = territoryDimension(geo, levels);
  const nonRenseignes: Record<string, number> = {};
  const dims: Dimension[] = [territory];
  const values: (string | null)[][] = rows.map(() => []);
  for (const b of breakdowns) {
    let missing = 0;
    const used = new Set<string>();
    rows.forEach((r, k) => {
      const v = b.of(r.valeurs);
      const ok = v !== null && b.modalites.some((m) => m.code === v);
      if (!ok) missing += r.count ?? 1;
      else used.add(v);
      (values[k] as (string | null)[]).push(ok ? v : NR);
    });
    nonRenseignes[b.nom] = missing;
    // A modality nobody has on the whole territory (APA under 60) is a column of
    // structural zeros: it tells nothing and is not published.
    const kept = b.modalites.filter((m) => used.has(m.code)).map((m) => m.code);
    dims.push(flatDimension(b.nom, [...kept, ...(missing > 0 ? [NR] : [])], "Total"));
  }
  const segments = history ? [...new Set(history.versions.flatMap((v) => v.segments))] : [];
  if (history) dims.push(flatDimension(VERSION, segments, "Toutes"));
  const inner: InnerRow[] = rows.map((r, k) => ({
    codes: [r.codeIris as string, ...(values[k] as string[]), ...(history ? [r.segment ?? ""] : [])],
    value: r.count ?? 1,
  }));
  const base: TableSpec[] =
    breakdowns.length === 0
      ? [{ name: "Effectifs par territoire", variables: [0] }]
      : breakdowns.map((b, i) => ({
          name: `Effectifs par territoire et ${b.libelle.toLowerCase()}`,
          variables: [0, i + 1],
        }));
  const tables = history ? historyTables(base, history, dims.length - 1) : base;
  const set = buildTableSet(dims, tables, inner, { aggregate: true });
  return { set, breakdowns: [...breakdowns], nonRenseignes, nonLocalises };
}

/** Name of a table of an earlier version: the base name and the version's label. */
export const earlierTableName = (name: string, label: string) => `${name} [${label}]`;

/**
 * The base tables once per version (earlier ones as they were published, the
 * new one to publish), and once per change segment as hidden tables that
 * carry its sensitive cells.
 */
export function historyTables(
  base: readonly TableSpec[],
  history: DataHistory,
  versionVar: number,
): TableSpec[] {
  const out: TableSpec[] = [];
  for (const v of history.versions)
    for (const t of base)
      out.push({
        name: v.role === "published" ? t.name : earlierTableName(t.name, v.label),
        variables: t.variables,
        role: v.role,
        restrict: [{ variable: versionVar, leaves: v.segments }],
      });
  for (const s of history.changes)
    for (const t of base)
      out.push({
        name: `${t.name} [écart ${s}]`,
        variables: t.variables,
        role: "hidden",
        restrict: [{ variable: versionVar, leaves: [s] }],
      });
  return out;
}
