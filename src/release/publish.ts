/**
 * Publishing a release of a dataset: aggregate its pseudonymised rows by
 * territory and breakdown, protect all tables jointly (with earlier releases
 * of the same data) under the convention's rules, refuse unless the
 * independent audit passes, freeze the protected tables with their source
 * mention and record the release in the register and the audit log.
 */

import { isoDateInParis } from "../core/convention/dates.js";
import type { Convention, Dataset } from "../core/convention/model.js";
import { introuvable, invalide, SocleError } from "../core/errors.js";
import {
  breakdownsFor,
  buildReleaseTables,
  type CommuneInfo,
  earlierTableName,
  type Geography,
  type IrisInfo,
  TERRITOIRE,
} from "../core/release/aggregate.js";
import {
  changedCells,
  dataHistory,
  describeChanges,
  type EarlierRelease,
  mergedStatus,
  planHistory,
} from "../core/release/history.js";
import {
  observationDate,
  type ReleasedTable,
  releasedTables,
  sourceMention,
  territoryLabel,
} from "../core/release/release.js";
import { auditHistory } from "../core/secrecy/history-audit.js";
import { type Protection, protectTable, SecrecyFailure } from "../core/secrecy/protect.js";
import type { SecrecyRules, Status } from "../core/secrecy/rules.js";
import { isSuppressed } from "../core/secrecy/rules.js";
import type { Highs } from "../core/secrecy/solver.js";
import { cellIndex } from "../core/table/table.js";
import { appendAuditTx } from "../store/audit.js";
import { getJeu } from "../store/datasets.js";
import type { Db, Queryable } from "../store/db.js";
import { activeDeposits } from "../store/vintages.js";
import { publishAggregatedTables, type StoredAggregated } from "./publish-aggregated.js";
import { groupedRows } from "./release-rows.js";

export interface Release {
  id: string;
  conventionId: string;
  jeuId: string;
  annee: number;
  zonage: string;
  mentionSource: string;
  tableaux: ReleasedTable[];
  audit: { ok: boolean; primaires: number; secondaires: number; secondes: number; methode: string };
  /** Rows counted in no table: without an IRIS (address not found), per the deposit's geocoding. */
  nonLocalises: number;
  diffuseLe: string;
}

async function geographyOf(
  q: Queryable,
  irisCodes: readonly string[],
): Promise<
  Geography & {
    names: { iris: Map<string, string>; communes: Map<string, string>; epci: Map<string, string> };
  }
> {
  const communes = await q.query<{
    code: string;
    nom: string;
    epci_code: string | null;
    epci_nom: string | null;
  }>(
    `SELECT DISTINCT c.code, c.nom, c.epci_code, e.nom AS epci_nom FROM iris i
     JOIN commune c ON c.code = i.commune_code LEFT JOIN epci e ON e.code = c.epci_code
     WHERE i.code = ANY($1::text[]) ORDER BY c.code`,
    [irisCodes],
  );
  const iris = await q.query<{ code: string; nom: string | null; commune_code: string }>(
    "SELECT code, nom, commune_code FROM iris WHERE commune_code = ANY($1::text[]) ORDER BY code",
    [communes.map((c) => c.code)],
  );
  const irisInfo: IrisInfo[] = iris.map((i) => ({
    code: i.code,
    nom: i.nom ?? i.code,
    commune: i.commune_code,
  }));
  const communeInfo: CommuneInfo[] = communes.map((c) => ({ code: c.code, nom: c.nom, epci: c.epci_code }));
  return {
    iris: irisInfo,
    communes: communeInfo,
    names: {
      iris: new Map(irisInfo.map((i) => [i.code, i.nom])),
      communes: new Map(communeInfo.map((c) => [c.code, c.nom])),
      epci: new Map(
        communes.filter((c) => c.epci_code).map((c) => [c.epci_code!, c.epci_nom ?? c.epci_code!]),
      ),
    },
  };
}

async function irisPopulation(q: Queryable, codes: readonly string[]): Promise<Map<string, number>> {
  const rows = await q.query<{ iris_code: string; population: number }>(
    `SELECT DISTINCT ON (iris_code) iris_code, population::float8 AS population FROM iris_population
     WHERE iris_code = ANY($1::text[]) ORDER BY iris_code, annee DESC`,
    [codes],
  );
  return new Map(rows.map((r) => [r.iris_code, Number(r.population)]));
}

interface ReleaseFacts {
  nonLocalises: number;
  primaires: number;
  secondaires: number;
  secondes: number;
  methode: string;
  /** With a history: distinct data versions, people added and removed since. */
  versions?: number;
  ajoutees?: number;
  retirees?: number;
}

export interface PublishOptions {
  db: Db;
  highs: Highs;
  convention: Convention;
  jeuId: string;
  annee: number;
  actorId: string | null;
  now?: Date;
}

/** A release that lost the race to another release of the same vintage is recomputed with it. */
const RELEASE_ATTEMPTS = 4;

/**
 * Publishes a release. Releases of one dataset and vintage are serialised:
 * the history read before protecting is checked again under a row lock of the
 * dataset when the release is frozen; if another release was frozen in
 * between, this one is recomputed with it in its history.
 */
export async function publishRelease(o: PublishOptions): Promise<Release> {
  const now = o.now ?? new Date();
  const jeu = await getJeu(o.db, o.jeuId);
  if (jeu.conventionId !== o.convention.id)
    throw invalide("jeu_autre_convention", "Ce jeu de données relève d'une autre convention.");
  if (jeu.statut === "detruit") throw invalide("jeu_detruit", "Ce jeu de données a été détruit.");
  const dataset = o.convention.jeux.find((d) => d.id === jeu.annexe);
  if (!dataset)
    throw invalide("annexe_inconnue", "L'annexe de ce jeu de données n'existe plus dans la convention.");
  if (dataset.kind === "agrege") return publishAggregated(o, now, dataset);
  for (let attempt = 1; ; attempt++) {
    const prepared = await prepareIndividual(o, jeu.titre, dataset);
    const frozen = await freeze(o, now, prepared.zonage, prepared.tableaux, prepared.facts, prepared.guard);
    if (frozen) return frozen;
    if (attempt >= RELEASE_ATTEMPTS)
      throw new SocleError(
        "conflit",
        "diffusion_concurrente",
        "D'autres diffusions de ce jeu de données ont été faites pendant celle-ci : relancez la diffusion.",
      );
  }
}

/** What a release was computed on: checked again when it is frozen. */
export interface HistoryGuard {
  jeuId: string;
  annee: number;
  releases: number;
  /** The data the release counted: deposits, or the stored table of an aggregated dataset. */
  depots: readonly string[];
  /** The same, read again inside the freezing transaction. */
  current: (tx: Queryable) => Promise<readonly string[]>;
}

export async function earlierReleases(q: Queryable, jeuId: string, annee: number): Promise<EarlierRelease[]> {
  const rows = await q.query<{
    id: string;
    diffuse_le: Date | string;
    depots: string[];
    tableaux: ReleasedTable[];
  }>(
    "SELECT id, diffuse_le, depots, tableaux FROM diffusion WHERE jeu_id = $1 AND annee = $2 ORDER BY diffuse_le",
    [jeuId, annee],
  );
  return rows.map((r) => ({
    id: r.id,
    diffuseLe: new Date(r.diffuse_le).toISOString(),
    depots: r.depots,
    tableaux: r.tableaux,
  }));
}

/**
 * The tables of a vintage read beside its history: every earlier release's
 * version of the data as its own tables with the statuses it froze, the
 * cells of releases on the same data, and the hidden tables of what changed.
 */
async function historyModel(
  o: PublishOptions,
  dataset: Dataset,
  depots: readonly string[],
  earlier: readonly EarlierRelease[],
) {
  const plan = planHistory(earlier, depots);
  const withHistory = plan.versions.length > 1;
  const obsDate = observationDate(o.annee);
  const grouped = await groupedRows(o.db, dataset, o.jeuId, o.annee, obsDate, plan);
  const last = String(plan.versions.length - 1);
  const inCurrent = (r: { segment?: string }) => !withHistory || (r.segment ?? "").split(".").includes(last);
  const current = grouped.filter(inCurrent);
  const codes = [...new Set(grouped.map((r) => r.codeIris).filter((c): c is string => c !== null))];
  const geo = await geographyOf(o.db, codes);
  const segments = [...new Set(grouped.map((r) => r.segment ?? ""))];
  const history = withHistory ? dataHistory(plan, segments) : undefined;
  const built = buildReleaseTables(grouped, geo, dataset.niveaux, breakdownsFor(dataset, obsDate), history);
  const known = new Set(geo.iris.map((i) => i.code));
  const nonLocalises = current.reduce(
    (s, r) => s + (r.codeIris !== null && known.has(r.codeIris) ? 0 : (r.count ?? 1)),
    0,
  );

  const secret = o.convention.secret;
  let zone: SecrecyRules["zone"];
  if (secret.zoneMinimum) {
    let population: Map<string, number>;
    if (secret.zoneUnite === "allocataires") {
      population = new Map();
      for (const r of current)
        if (r.codeIris) population.set(r.codeIris, (population.get(r.codeIris) ?? 0) + (r.count ?? 1));
      for (const i of geo.iris) if (!population.has(i.code)) population.set(i.code, 0);
    } else
      population = await irisPopulation(
        o.db,
        geo.iris.map((i) => i.code),
      );
    zone = { variable: TERRITOIRE, minimum: secret.zoneMinimum, population };
  }
  // A cell that moved by 1..k−1 since an earlier release would show who changed.
  const changed = changedCells(built.set, earlier, secret.seuil);
  const rules: SecrecyRules = {
    threshold: secret.seuil,
    protectZeros: secret.zerosSensibles,
    standard: "full",
    ...(zone ? { zone } : {}),
    ...(changed.size > 0 ? { manual: changed } : {}),
  };

  // Everything earlier releases of this vintage published is known: on the
  // same data as cells of the new tables, on other versions as their own tables.
  const find = cellIndex(built.set);
  const tableByName = new Map(built.set.tables.map((t, i) => [t.name, i]));
  const earlierPublished: number[] = [];
  const earlierStatus = new Map<number, Status>();
  let unplaced = 0;
  const place = (
    r: EarlierRelease,
    tableName: (nom: string) => string,
    onCell: (c: number, s: Status) => void,
  ) => {
    for (const t of r.tableaux) {
      const ti = tableByName.get(tableName(t.nom));
      for (const cell of t.cellules) {
        const c = ti === undefined ? undefined : find(ti, cell.codes);
        // A secret of unknown kind is protected as a primary.
        if (c !== undefined) onCell(c, cell.statut === "s" ? "C" : cell.statut);
        else if (cell.valeur !== null) unplaced++;
      }
    }
  };
  const sameStatus = new Map<number, Status>();
  for (const r of plan.sameData)
    place(
      r,
      (nom) => nom,
      (c, s) => {
        if (!isSuppressed(s)) earlierPublished.push(c);
        sameStatus.set(c, mergedStatus(sameStatus.get(c), s));
      },
    );
  plan.versions.slice(0, -1).forEach((v) => {
    for (const r of v.releases)
      place(
        r,
        (nom) => earlierTableName(nom, v.label),
        (c, s) => earlierStatus.set(c, mergedStatus(earlierStatus.get(c), s)),
      );
  });
  if (unplaced > 0)
    throw new SocleError(
      "interdit",
      "historique_illisible",
      `Diffusion refusée : ${unplaced} cellule(s) publiée(s) par des diffusions antérieures de ce millésime ne se rattachent plus aux tableaux (annexe ou territoires modifiés) ; le secret ne peut pas être garanti face à elles.`,
    );
  return {
    plan,
    withHistory,
    grouped,
    geo,
    built,
    nonLocalises,
    rules,
    earlierPublished,
    earlierStatus,
    sameStatus,
  };
}

async function prepareIndividual(o: PublishOptions, titre: string, dataset: Dataset) {
  const depots = await activeDeposits(o.db, o.jeuId, o.annee);
  if (depots.length === 0) throw invalide("rien_a_diffuser", `Aucune donnée ${o.annee} pour « ${titre} ».`);
  const earlier = await earlierReleases(o.db, o.jeuId, o.annee);
  const m = await historyModel(o, dataset, depots, earlier);
  const { plan, withHistory, grouped, geo, built, nonLocalises, rules, earlierPublished, earlierStatus } = m;
  const changes = describeChanges(
    plan,
    grouped.reduce(
      (m, r) => m.set(r.segment ?? "", (m.get(r.segment ?? "") ?? 0) + (r.count ?? 1)),
      new Map(),
    ),
  );
  const refusal = (detail: string, findings: readonly string[]) =>
    new SocleError(
      "interdit",
      "audit_secret_echoue",
      `Diffusion refusée : ${detail}${withHistory ? ` (${changes.texte} : une nouvelle diffusion permettrait de les isoler par différence)` : ""}.`,
      findings,
    );
  let protection: Protection;
  try {
    protection = protectTable(o.highs, built.set, rules, {
      ...(earlierPublished.length > 0 ? { earlierPublished } : {}),
      ...(earlierStatus.size > 0 ? { earlierStatus } : {}),
    });
  } catch (e) {
    if (e instanceof SecrecyFailure) throw refusal(e.message.replace(/\.$/, "").toLowerCase(), []);
    throw e;
  }
  if (!protection.audit.ok)
    throw refusal(
      `l'audit du secret statistique a trouvé ${protection.audit.findings.length} cellule(s) mal protégée(s)`,
      protection.audit.findings.map((f) => f.message),
    );
  const breakdownLabels = new Map(built.breakdowns.map((b) => [b.nom, b]));
  const tableaux = releasedTables(
    built.set,
    protection.statuses,
    (variable, code) => {
      if (variable === TERRITOIRE) return territoryLabel(code, geo.names);
      if (code === "Total") return "Total";
      if (code === "nr") return "Non renseigné";
      return breakdownLabels.get(variable)?.modalites.find((m) => m.code === code)?.libelle ?? code;
    },
    (variable) =>
      variable === TERRITOIRE ? "Territoire" : (breakdownLabels.get(variable)?.libelle ?? variable),
  );
  const guard: HistoryGuard = {
    jeuId: o.jeuId,
    annee: o.annee,
    releases: earlier.length,
    depots,
    current: (tx) => activeDeposits(tx, o.jeuId, o.annee),
  };
  return {
    zonage: dataset.niveaux.join("+"),
    tableaux,
    guard,
    facts: {
      nonLocalises,
      primaires: protection.primary,
      secondaires: protection.secondary,
      secondes: Math.round(protection.seconds * 100) / 100,
      methode: protection.method,
      ...(withHistory
        ? { versions: plan.versions.length, ajoutees: changes.ajoutees, retirees: changes.retirees }
        : {}),
    },
  };
}

/**
 * Freezes released tables: the register, the audit log, the source mention.
 * With a guard, the history the release was computed on is checked under a
 * row lock of the dataset; null when it changed (the caller recomputes).
 */
async function freeze(
  o: PublishOptions,
  now: Date,
  zonage: string,
  tableaux: ReleasedTable[],
  facts: ReleaseFacts,
  guard?: HistoryGuard,
): Promise<Release | null> {
  // Defence in depth: no suppressed cell may carry a value past this point.
  for (const t of tableaux)
    for (const c of t.cellules)
      if ((c.statut === "s" || isSuppressed(c.statut)) && c.valeur !== null)
        throw new Error("valeur secrète");
  const mentionSource = sourceMention(o.convention.mentionSource, {
    dateObservation: observationDate(o.annee),
    miseAJour: isoDateInParis(now),
    annee: o.annee,
  });
  const audit = { ok: true, ...facts };
  const id = crypto.randomUUID();
  const done = await o.db.transaction(async (tx) => {
    if (guard) {
      await tx.query("SELECT id FROM jeu_donnees WHERE id = $1 FOR UPDATE", [guard.jeuId]);
      const [n] = await tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM diffusion WHERE jeu_id = $1 AND annee = $2",
        [guard.jeuId, guard.annee],
      );
      const depots = await guard.current(tx);
      if (Number(n?.n) !== guard.releases || depots.join(",") !== guard.depots.join(",")) return false;
    }
    await tx.query(
      `INSERT INTO diffusion (id, convention_id, jeu_id, annee, zonage, mention_source, tableaux, audit, diffuse_par, diffuse_le, depots)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid[])`,
      [
        id,
        o.convention.id,
        o.jeuId,
        o.annee,
        zonage,
        mentionSource,
        JSON.stringify(tableaux),
        JSON.stringify(audit),
        o.actorId,
        now.toISOString(),
        guard?.depots ?? [],
      ],
    );
    await appendAuditTx(tx, {
      actorId: o.actorId,
      action: "diffusion",
      target: id,
      detail: { convention: o.convention.id, jeu: o.jeuId, annee: o.annee, zonage, ...audit },
      at: now,
    });
    return true;
  });
  if (!done) return null;
  return {
    id,
    conventionId: o.convention.id,
    jeuId: o.jeuId,
    annee: o.annee,
    zonage,
    mentionSource,
    tableaux,
    audit,
    nonLocalises: facts.nonLocalises,
    diffuseLe: now.toISOString(),
  };
}

/** An aggregated dataset (a provider's table by territory): see publish-aggregated.ts. */
async function publishAggregated(o: PublishOptions, now: Date, dataset: Dataset): Promise<Release> {
  for (let attempt = 1; ; attempt++) {
    const stored = await storedTable(o.db, o.jeuId, o.annee);
    if (!stored)
      throw invalide("rien_a_diffuser", `Aucun tableau ${o.annee} déposé pour « ${dataset.titre} ».`);
    const earlier = await earlierReleases(o.db, o.jeuId, o.annee);
    const { tableaux, facts } = await publishAggregatedTables(o, dataset, stored, earlier);
    const guard: HistoryGuard = {
      jeuId: o.jeuId,
      annee: o.annee,
      releases: earlier.length,
      depots: [stored.id],
      current: async (tx) => [(await storedTable(tx, o.jeuId, o.annee))?.id ?? ""],
    };
    const frozen = await freeze(
      o,
      now,
      dataset.niveaux.join("+"),
      tableaux,
      {
        nonLocalises: 0,
        primaires: facts.primaires,
        secondaires: facts.secondaires,
        secondes: Math.round(facts.secondes * 100) / 100,
        methode: "fast",
        ...(facts.versions > 1 ? { versions: facts.versions } : {}),
      },
      guard,
    );
    if (frozen) return frozen;
    if (attempt >= RELEASE_ATTEMPTS)
      throw new SocleError(
        "conflit",
        "diffusion_concurrente",
        "D'autres diffusions de ce jeu de données ont été faites pendant celle-ci : relancez la diffusion.",
      );
  }
}

/** The latest table deposited for a vintage of an aggregated dataset. */
async function storedTable(
  q: Queryable,
  jeuId: string,
  annee: number,
): Promise<(StoredAggregated & { id: string }) | undefined> {
  const rows = await q.query<{ id: string; cellules: StoredAggregated }>(
    "SELECT id, cellules FROM tableau_derive WHERE jeu_id = $1 AND nom = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
    [jeuId, `depot ${annee}`],
  );
  const r = rows[0];
  return r ? { ...r.cellules, id: r.id } : undefined;
}

export async function getRelease(q: Queryable, id: string): Promise<Release> {
  const rows = await q.query<{
    id: string;
    convention_id: string;
    jeu_id: string;
    annee: number;
    zonage: string;
    mention_source: string;
    tableaux: ReleasedTable[];
    audit: Release["audit"];
    diffuse_le: Date | string;
  }>("SELECT * FROM diffusion WHERE id = $1", [id]);
  const r = rows[0];
  if (!r) throw introuvable("diffusion_introuvable", "Diffusion introuvable.");
  return {
    id: r.id,
    conventionId: r.convention_id,
    jeuId: r.jeu_id,
    annee: r.annee,
    zonage: r.zonage,
    mentionSource: r.mention_source,
    tableaux: r.tableaux,
    audit: r.audit,
    nonLocalises: (r.audit as { nonLocalises?: number }).nonLocalises ?? 0,
    diffuseLe: new Date(r.diffuse_le).toISOString(),
  };
}

/** The release register of a convention (without the tables). */
export async function listReleases(
  q: Queryable,
  conventionId: string,
): Promise<
  {
    id: string;
    jeuId: string;
    jeu: string;
    annee: number;
    zonage: string;
    mentionSource: string;
    diffuseLe: string;
  }[]
> {
  const rows = await q.query<{
    id: string;
    jeu_id: string;
    titre: string;
    annee: number;
    zonage: string;
    mention_source: string;
    diffuse_le: Date | string;
  }>(
    `SELECT d.id, d.jeu_id, j.titre, d.annee, d.zonage, d.mention_source, d.diffuse_le
     FROM diffusion d JOIN jeu_donnees j ON j.id = d.jeu_id WHERE d.convention_id = $1 ORDER BY d.diffuse_le DESC`,
    [conventionId],
  );
  return rows.map((r) => ({
    id: r.id,
    jeuId: r.jeu_id,
    jeu: r.titre,
    annee: r.annee,
    zonage: r.zonage,
    mentionSource: r.mention_source,
    diffuseLe: new Date(r.diffuse_le).toISOString(),
  }));
}

/**
 * Attacks everything published for a vintage of an individual dataset: all
 * its releases, each on its own version of the data. Null when nothing was released.
 */
export async function auditVintage(o: Omit<PublishOptions, "actorId" | "now">): Promise<{
  releases: number;
  versions: number;
  report: ReturnType<typeof auditHistory>;
  differences: string[];
} | null> {
  const jeu = await getJeu(o.db, o.jeuId);
  const dataset = o.convention.jeux.find((d) => d.id === jeu.annexe);
  if (!dataset)
    throw invalide("annexe_inconnue", "L'annexe de ce jeu de données n'existe plus dans la convention.");
  const releases = await earlierReleases(o.db, o.jeuId, o.annee);
  const last = releases[releases.length - 1];
  if (!last) return null;
  const m = await historyModel({ ...o, actorId: null }, dataset, last.depots, releases);
  const published = new Map([...m.earlierStatus, ...m.sameStatus]);
  return {
    releases: releases.length,
    versions: m.plan.versions.length,
    report: auditHistory(o.highs, m.built.set, m.rules, published),
    differences: smallDifferences(releases, o.convention.secret.seuil),
  };
}

/** Cells published by two releases with values 1..k−1 apart: a small group shown by difference. */
export function smallDifferences(releases: readonly EarlierRelease[], threshold: number): string[] {
  const out: string[] = [];
  const date = (r: EarlierRelease) => r.diffuseLe.slice(0, 10).split("-").reverse().join("/");
  releases.forEach((a, i) => {
    for (const b of releases.slice(i + 1))
      for (const ta of a.tableaux) {
        const tb = b.tableaux.find((t) => t.nom === ta.nom);
        if (!tb) continue;
        const later = new Map(tb.cellules.map((c) => [c.codes.join("\u0000"), c.valeur]));
        for (const c of ta.cellules) {
          const v = later.get(c.codes.join("\u0000"));
          if (c.valeur === null || v === null || v === undefined) continue;
          const d = Math.abs(v - c.valeur);
          if (d >= 1 && d < threshold)
            out.push(
              `« ${ta.nom} », ${c.codes.join(" × ")} : ${d} d'écart entre les diffusions du ${date(a)} et du ${date(b)}.`,
            );
        }
      }
  });
  return out;
}
