/**
 * Publishing an aggregated dataset (a provider's table by territory): one
 * table per group of columns that add up, each territory row published as
 * given, the provider's blanks kept secret, the « autres communes » and the
 * column crossings nobody gave kept as the attacker's unknowns, the zone
 * rule on infra-communal rows (in habitants or allocataires), rates
 * published only where the count they describe is.
 */
import type { Dataset } from "../core/convention/model.js";
import { invalide, SocleError } from "../core/errors.js";
import { ENSEMBLE, earlierTableName, TERRITOIRE } from "../core/release/aggregate.js";
import {
  type AggregatedRow,
  type AggregatedTable,
  aggregatedTables,
  COLONNE,
  CROISEMENT,
  givenValue,
  RESTE,
  TERRITORY_LABELS,
  territoryKey,
} from "../core/release/aggregated.js";
import { highsCompletion } from "../core/release/completion.js";
import { changedCells, type EarlierRelease, mergedStatus, planHistory } from "../core/release/history.js";
import { type ReleasedCell, type ReleasedTable, releasedTables } from "../core/release/release.js";
import { auditHistory } from "../core/secrecy/history-audit.js";
import { protectTable, SecrecyFailure } from "../core/secrecy/protect.js";
import { cellKey, isSuppressed, type SecrecyRules, type Status } from "../core/secrecy/rules.js";
import { cellIndex, tableRole } from "../core/table/table.js";
import type { Queryable } from "../store/db.js";
import { defaultBlockPool } from "./block-pool.js";
import type { PublishOptions } from "./publish.js";

export interface StoredAggregated {
  annee: number;
  lignes: AggregatedRow[];
  indicateurs: string[];
  /** Rate columns (kept apart: they do not add up). */
  taux?: string[];
  /** The deposit the table came from (tables stored before it was recorded have none). */
  depot?: string;
}

interface Names {
  label: (code: string) => string;
  members: Map<string, Set<string>>;
  population: Map<string, number>;
}

/** Labels, memberships of the upper territories, and populations (habitants) of the rows' territories. */
async function namesOf(q: Queryable, rows: readonly AggregatedRow[]): Promise<Names> {
  const keys = rows.map((r) => territoryKey(r.territoire)).filter((k) => k !== ENSEMBLE);
  const epci = keys.filter((k) => k.startsWith("E")).map((k) => k.slice(1));
  const deps = keys.filter((k) => k.startsWith("D")).map((k) => k.slice(1));
  const zones = keys.filter((k) => k.startsWith("Z")).map((k) => k.slice(1));
  const members = new Map<string, Set<string>>();
  const labels = new Map<string, string>();
  const mem = await q.query<{ up: string; code: string; nom: string; population: number | null }>(
    `SELECT 'E' || c.epci_code AS up, c.code, c.nom, c.population FROM commune c WHERE c.epci_code = ANY($1::text[]) AND c.kind = 'commune'
     UNION ALL
     SELECT 'D' || c.departement_code, c.code, c.nom, c.population FROM commune c WHERE c.departement_code = ANY($2::text[]) AND c.kind = 'commune'
     UNION ALL
     SELECT 'Z' || m.zone_id::text, m.code, m.code, NULL FROM zone_member m WHERE m.zone_id::text = ANY($3::text[])`,
    [epci, deps, zones],
  );
  for (const m of mem) {
    const s = members.get(m.up) ?? new Set<string>();
    members.set(m.up, s);
    s.add(m.code.length === 9 ? m.code.slice(0, 5) : m.code);
  }
  const named = await q.query<{ code: string; nom: string; population: number | null }>(
    `SELECT code, nom, population::float8 AS population FROM commune WHERE code = ANY($1::text[])
     UNION ALL SELECT 'E' || code, nom, population::float8 FROM epci WHERE code = ANY($2::text[])
     UNION ALL SELECT 'D' || code, nom, NULL FROM departement WHERE code = ANY($3::text[])
     UNION ALL SELECT 'Z' || id::text, nom, NULL FROM zone WHERE id::text = ANY($4::text[])
     UNION ALL SELECT i.code, coalesce(i.nom, i.code), (SELECT p.population FROM iris_population p
       WHERE p.iris_code = i.code ORDER BY p.annee DESC LIMIT 1) FROM iris i WHERE i.code = ANY($5::text[])`,
    [keys, epci, deps, zones, keys],
  );
  const population = new Map<string, number>();
  for (const n of named) {
    labels.set(n.code, n.nom);
    if (n.population !== null) population.set(n.code, Number(n.population));
  }
  const label = (code: string) => {
    if (code === ENSEMBLE) return "Ensemble du territoire";
    return TERRITORY_LABELS[code] ?? labels.get(code) ?? code;
  };
  return { label, members, population };
}

/** One table of an aggregated vintage, ready to protect or to audit. */
interface ModelTable {
  table: AggregatedTable;
  /** The table's French name, as released. */
  nom: string;
  rules: SecrecyRules;
  /** « autres communes », crossings of columns nobody gave: the attacker's unknowns. */
  hidden: number[];
  /** Cells published by earlier releases of the same version of the data. */
  earlierPublished: number[];
  /** Status each cell of an earlier version's table had when released. */
  earlierStatus: Map<number, Status>;
  /** Status each cell of this version's table had in the releases made on it. */
  sameStatus: Map<number, Status>;
  /** Index of the table being released in the set. */
  published: number;
}

/**
 * The model of an aggregated vintage: its tables with every earlier version
 * of the data and what earlier releases published, the rules (the
 * provider's blanks, the zone rule, cells that moved by 1..k−1), the names.
 */
async function aggregatedModel(
  o: Omit<PublishOptions, "actorId" | "now">,
  dataset: Dataset,
  data: StoredAggregated & { id: string },
  earlierReleases: readonly EarlierRelease[],
) {
  const secret = o.convention.secret;
  // Earlier releases of this vintage on other versions of the table (a
  // corrected file): each version is part of what the attacker knows.
  const plan = planHistory(earlierReleases, [data.id]);
  const earlierData: AggregatedRow[][] = [];
  for (const v of plan.versions.slice(0, -1)) {
    const [row] = await o.db.query<{ cellules: StoredAggregated }>(
      "SELECT cellules FROM tableau_derive WHERE id = $1",
      [v.depots[0]],
    );
    if (!row)
      throw new SocleError(
        "interdit",
        "historique_illisible",
        "Diffusion refusée : le tableau d'une diffusion antérieure de ce millésime n'est plus disponible ; le secret ne peut pas être garanti face à elle.",
      );
    earlierData.push(row.cellules.lignes);
  }
  const names = await namesOf(o.db, [...earlierData.flat(), ...data.lignes]);
  const field = (nom: string) => dataset.champs.find((f) => f.nom === nom);
  const labelOf = (nom: string) => {
    const l = field(nom)?.libelle ?? nom.replace(/_/g, " ");
    return l.charAt(0).toUpperCase() + l.slice(1);
  };
  let tables: AggregatedTable[];
  try {
    tables = aggregatedTables(
      data.lignes,
      data.indicateurs,
      dataset.sommes ?? [],
      names.members,
      secret.seuil,
      highsCompletion(o.highs),
      earlierData,
      plan.versions.map((v) => v.label),
    );
  } catch (e) {
    if (e instanceof RangeError)
      throw invalide(
        "tableau_incoherent",
        "Les valeurs du tableau déposé ne s'additionnent pas comme l'annexe le déclare (territoires ou colonnes) : vérifiez les totaux du fournisseur.",
      );
    throw e;
  }
  // Zone rule: infra-communal rows under the minimum, in habitants or in the
  // provider's own count of allocataires (« au moins 100 allocataires »).
  const allocCol = data.indicateurs.find((c) => /allocataire/.test(c)) ?? data.indicateurs[0];
  const zonePopulation = new Map<string, number>();
  for (const r of data.lignes) {
    const k = territoryKey(r.territoire);
    if (
      r.territoire.kind !== "iris" &&
      !(secret.zoneUnite !== "allocataires" && r.territoire.kind === "commune")
    )
      continue;
    const pop =
      secret.zoneUnite === "allocataires"
        ? allocCol
          ? r.valeurs[allocCol]
          : undefined
        : names.population.get(k);
    // A blanked count of allocataires is under the threshold, so under any zone minimum.
    zonePopulation.set(
      k,
      pop === null || pop === undefined ? (secret.zoneUnite === "allocataires" ? 0 : Infinity) : pop,
    );
  }
  const model: ModelTable[] = tables.map((t) => {
    const set = t.set;
    const manual = new Set<string>();
    const hidden: number[] = [];
    const published = set.tables.findIndex((x) => tableRole(x) === "published");
    set.cells.forEach((cell, c) => {
      const [terr, col] = cell.codes as [string, string];
      if (terr.startsWith(RESTE) || col.startsWith(CROISEMENT)) {
        hidden.push(c);
        return;
      }
      if (cell.table !== published) return;
      const given = givenValue(t, terr, col);
      if (given === null) manual.add(cellKey(cell.table, cell.codes));
      else if (given === undefined) {
        // Not given: a sum Socle computes, known only when every part below was given.
        const leaves = set.variables[0]?.leavesOf.get(terr) ?? [];
        if (leaves.some((l) => l.startsWith(RESTE))) hidden.push(c);
        else if (leaves.some((l) => givenValue(t, l, col) === null))
          manual.add(cellKey(cell.table, cell.codes));
      }
    });
    // What earlier releases published of this table, with the status it had.
    const find = cellIndex(set);
    const nom = labelOf(t.group.name);
    const earlierPublished: number[] = [];
    const earlierStatus = new Map<number, Status>();
    const sameStatus = new Map<number, Status>();
    const place = (r: EarlierRelease, table: number, onCell: (c: number, s: Status) => void) => {
      for (const rt of r.tableaux) {
        if (rt.nom !== nom) continue;
        for (const rc of rt.cellules) {
          const c = find(table, rc.codes);
          if (c !== undefined) onCell(c, rc.statut === "s" ? "C" : rc.statut);
        }
      }
    };
    for (const r of plan.sameData)
      place(r, published, (c, st) => {
        if (!isSuppressed(st)) earlierPublished.push(c);
        sameStatus.set(c, mergedStatus(sameStatus.get(c), st));
      });
    plan.versions.slice(0, -1).forEach((v, k) => {
      const table = set.tables.findIndex(
        (x) => x.name === earlierTableName(t.group.name, plan.versions[k]!.label),
      );
      if (table >= 0)
        for (const r of v.releases)
          place(r, table, (c, st) => earlierStatus.set(c, mergedStatus(earlierStatus.get(c), st)));
    });
    for (const key of changedCells(set, earlierReleases, secret.seuil, (n) =>
      n === nom ? t.group.name : "",
    ))
      manual.add(key);
    const rules: SecrecyRules = {
      threshold: secret.seuil,
      protectZeros: secret.zerosSensibles,
      standard: "full",
      manual,
      ...(secret.zoneMinimum
        ? { zone: { variable: TERRITOIRE, minimum: secret.zoneMinimum, population: zonePopulation } }
        : {}),
    };
    return { table: t, nom, rules, hidden, earlierPublished, earlierStatus, sameStatus, published };
  });
  return { plan, names, labelOf, zonePopulation, tables: model };
}

/** Protects and releases an aggregated dataset's vintage. */
export async function publishAggregatedTables(
  o: PublishOptions,
  dataset: Dataset,
  data: StoredAggregated & { id: string },
  earlierReleases: readonly EarlierRelease[],
): Promise<{
  tableaux: ReleasedTable[];
  facts: { primaires: number; secondaires: number; secondes: number; versions: number };
}> {
  const { plan, names, labelOf, zonePopulation, tables } = await aggregatedModel(
    o,
    dataset,
    data,
    earlierReleases,
  );
  const tableaux: ReleasedTable[] = [];
  const countStatus = new Map<string, Status>();
  let primaires = 0;
  let secondaires = 0;
  let secondes = 0;
  for (const m of tables) {
    const { set } = m.table;
    let protection: ReturnType<typeof protectTable>;
    try {
      const pool = defaultBlockPool();
      protection = protectTable(o.highs, set, m.rules, {
        ...(pool ? { pool } : {}),
        hiddenCells: m.hidden,
        ...(m.earlierPublished.length > 0 ? { earlierPublished: m.earlierPublished } : {}),
        ...(m.earlierStatus.size > 0 ? { earlierStatus: m.earlierStatus } : {}),
      });
    } catch (e) {
      if (e instanceof SecrecyFailure)
        throw new SocleError(
          "interdit",
          "audit_secret_echoue",
          `Diffusion refusée (« ${m.nom} ») : ${e.message}`,
        );
      throw e;
    }
    if (!protection.audit.ok)
      throw new SocleError(
        "interdit",
        "audit_secret_echoue",
        `Diffusion refusée : l'audit du secret statistique a trouvé ${protection.audit.findings.length} cellule(s) mal protégée(s) (« ${m.nom} »).`,
        protection.audit.findings.map((f) => f.message),
      );
    primaires += protection.primary;
    secondaires += protection.secondary;
    secondes += protection.seconds;
    set.cells.forEach((cell, c) => {
      if (cell.table === m.published)
        countStatus.set(`${cell.codes[0]}\u0000${cell.codes[1]}`, protection.statuses[c] as Status);
    });
    const [table] = releasedTables(
      set,
      protection.statuses,
      (variable, code) => (variable === COLONNE ? labelOf(code) : names.label(code)),
      (variable) => (variable === TERRITOIRE ? "Territoire" : "Indicateur"),
    );
    if (!table) continue;
    // What nobody gave is no output: « autres communes », crossings of columns.
    const shown = table.cellules.filter((cell) => cell.statut !== "H");
    const libelles = Object.fromEntries(
      Object.entries(table.libelles).map(([v, m]) => [
        v,
        Object.fromEntries(
          Object.entries(m).filter(([code]) => !code.startsWith(RESTE) && !code.startsWith(CROISEMENT)),
        ),
      ]),
    );
    tableaux.push({ ...table, nom: m.nom, libelles, cellules: shown });
  }
  for (const rate of data.taux ?? [])
    tableaux.push(
      rateTable(
        rate,
        dataset,
        data,
        countStatus,
        zonePopulation,
        o.convention.secret.zoneMinimum,
        names,
        labelOf,
      ),
    );
  return { tableaux, facts: { primaires, secondaires, secondes, versions: plan.versions.length } };
}

/**
 * Re-attacks everything published of an aggregated vintage: every table of
 * every release, each on its own version of the provider's table, together.
 * Null when nothing was released.
 */
export async function auditAggregatedVintage(
  o: Omit<PublishOptions, "actorId" | "now">,
  dataset: Dataset,
  releases: readonly EarlierRelease[],
): Promise<{ versions: number; suppressedCells: number; findings: string[] } | null> {
  const last = releases[releases.length - 1];
  const id = last?.depots[0];
  if (!id) return null;
  const [row] = await o.db.query<{ cellules: StoredAggregated }>(
    "SELECT cellules FROM tableau_derive WHERE id = $1",
    [id],
  );
  if (!row)
    throw new SocleError(
      "interdit",
      "historique_illisible",
      "Le tableau de la dernière diffusion de ce millésime n'est plus disponible : l'historique ne peut pas être audité.",
    );
  const { plan, tables } = await aggregatedModel(o, dataset, { ...row.cellules, id }, releases);
  let suppressedCells = 0;
  const findings: string[] = [];
  for (const m of tables) {
    const report = auditHistory(
      o.highs,
      m.table.set,
      m.rules,
      new Map([...m.earlierStatus, ...m.sameStatus]),
    );
    suppressedCells += report.suppressedCells;
    findings.push(...report.findings.map((f) => `« ${m.nom} » : ${f.message}`));
  }
  return { versions: plan.versions.length, suppressedCells, findings };
}

/**
 * A rate is published only where the count it describes is published (its
 * « de » column), never for a territory under the zone rule; a provider's
 * blank stays blank.
 */
function rateTable(
  rate: string,
  dataset: Dataset,
  data: StoredAggregated,
  countStatus: ReadonlyMap<string, Status>,
  zonePopulation: ReadonlyMap<string, number>,
  zoneMinimum: number | undefined,
  names: Names,
  labelOf: (nom: string) => string,
): ReleasedTable {
  const de = dataset.champs.find((f) => f.nom === rate)?.de;
  const cellules: ReleasedCell[] = data.lignes.map((r) => {
    const k = territoryKey(r.territoire);
    const v = r.valeurs[rate];
    const small = zoneMinimum !== undefined && (zonePopulation.get(k) ?? Infinity) < zoneMinimum;
    const count = de ? countStatus.get(`${k}\u0000${de}`) : "V";
    if (v === null || v === undefined) return { codes: [k], valeur: null, statut: "C" };
    if (small) return { codes: [k], valeur: null, statut: "Z" };
    if (count !== "V" && count !== "F") return { codes: [k], valeur: null, statut: "D" };
    return { codes: [k], valeur: v, statut: "V" };
  });
  return {
    nom: labelOf(rate),
    variables: [{ nom: TERRITOIRE, libelle: "Territoire" }],
    libelles: {
      [TERRITOIRE]: Object.fromEntries(
        cellules.map((c) => [c.codes[0] as string, names.label(c.codes[0] as string)]),
      ),
    },
    cellules,
    unite: "taux",
  };
}
