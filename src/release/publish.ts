/**
 * Publishing a release of a dataset: aggregate its pseudonymised rows by
 * territory and breakdown, protect all tables jointly (with earlier releases
 * of the same data) under the convention's rules, refuse unless the
 * independent audit passes, freeze the protected tables with their source
 * mention and record the release in the register and the audit log.
 */

import { isoDateInParis } from "../core/convention/dates.js";
import { type Convention, type Dataset, datasetSourceMention } from "../core/convention/model.js";
import { introuvable, invalide, SocleError } from "../core/errors.js";
import { TERRITOIRE } from "../core/release/aggregate.js";
import { describeChanges } from "../core/release/history.js";
import { type DepositDates, releaseDates } from "../core/release/observation.js";
import {
  observationDate,
  type ReleasedTable,
  releasedTables,
  sourceMention,
  territoryLabel,
} from "../core/release/release.js";
import { type Protection, protectTable, SecrecyFailure } from "../core/secrecy/protect.js";
import { isSuppressed } from "../core/secrecy/rules.js";
import type { Highs } from "../core/secrecy/solver.js";
import { appendAuditTx } from "../store/audit.js";
import { getJeu } from "../store/datasets.js";
import type { Db, Queryable } from "../store/db.js";
import { activeDeposits } from "../store/vintages.js";
import { defaultBlockPool } from "./block-pool.js";
import { earlierReleases, historyModel } from "./history-model.js";
import { publishAggregatedTables, type StoredAggregated } from "./publish-aggregated.js";

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
  /** The date the data describe: stated by the provider at deposit, or 31/12 of the vintage. */
  dateObservation: string;
  /** The data's last update: stated by the provider, or the day of the latest deposit counted. */
  miseAJour: string;
  /** Annex fields declared absent from the deposits counted: not released, said in the metadata. */
  champsAbsents: { nom: string; libelle: string }[];
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
    const frozen = await freeze(
      o,
      now,
      prepared.zonage,
      prepared.tableaux,
      prepared.facts,
      prepared.guard.depots,
      prepared.guard,
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

/** What a release was computed on: checked again when it is frozen. */
export interface HistoryGuard {
  jeuId: string;
  annee: number;
  releases: number;
  /** The data the release counted: deposits, or the stored table of an aggregated dataset. */
  depots: readonly string[];
  /** The same, read again inside the freezing transaction. */
  current: (tx: Queryable) => Promise<readonly string[]>;
  /** The zonings' versions the release read (before their members), and the same under a share lock. */
  zones?: { stamp: string; current: (tx: Queryable) => Promise<string> };
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
    const pool = defaultBlockPool();
    protection = protectTable(o.highs, built.set, rules, {
      ...(pool ? { pool } : {}),
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
    zones: m.zones,
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
  depots: readonly string[],
  guard?: HistoryGuard,
): Promise<Release | null> {
  // Defence in depth: no suppressed cell may carry a value past this point.
  for (const t of tableaux)
    for (const c of t.cellules)
      if ((c.statut === "s" || isSuppressed(c.statut)) && c.valeur !== null)
        throw new Error("valeur secrète");
  // The dataset's own source where it has one (Béthune's births: « Source : Insee »).
  const annexe = (await getJeu(o.db, o.jeuId)).annexe;
  const stated = await depositFacts(
    o.db,
    depots,
    o.convention.jeux.find((d) => d.id === annexe),
  );
  const dates = releaseDates(stated.dates, o.annee, isoDateInParis(now));
  const mentionSource = sourceMention(datasetSourceMention(o.convention, annexe), {
    dateObservation: dates.dateObservation,
    miseAJour: dates.miseAJour,
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
      // A zone edited since its members were read: recomputed with them. The
      // share lock makes an edit wait for this release, which it then sees
      // (a published zone is frozen).
      if (guard.zones && (await guard.zones.current(tx)) !== guard.zones.stamp) return false;
    }
    await tx.query(
      `INSERT INTO diffusion (id, convention_id, jeu_id, annee, zonage, mention_source, tableaux, audit, diffuse_par, diffuse_le, depots,
         date_observation, date_mise_a_jour, champs_absents)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid[], $12, $13, $14)`,
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
        dates.dateObservation,
        dates.miseAJour,
        JSON.stringify(stated.absents),
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
    dateObservation: dates.dateObservation,
    miseAJour: dates.miseAJour,
    champsAbsents: stated.absents,
  };
}

/**
 * What the provider stated with the deposits a release counts (oldest
 * first): their dates, and the annex fields declared absent from any of them.
 */
async function depositFacts(
  q: Queryable,
  depots: readonly string[],
  dataset: Dataset | undefined,
): Promise<{ dates: DepositDates[]; absents: { nom: string; libelle: string }[] }> {
  if (depots.length === 0) return { dates: [], absents: [] };
  const rows = await q.query<{
    date_observation: string | null;
    date_mise_a_jour: string | null;
    depose_le: Date | string;
    absents: string[] | null;
  }>(
    `SELECT date_observation::text, date_mise_a_jour::text, depose_le, bilan->'champsAbsents' AS absents
     FROM depot WHERE id = ANY($1::uuid[]) ORDER BY depose_le, id`,
    [depots],
  );
  const names = [...new Set(rows.flatMap((r) => r.absents ?? []))];
  return {
    dates: rows.map((r) => ({
      dateObservation: r.date_observation,
      miseAJour: r.date_mise_a_jour,
      deposeLe: isoDateInParis(new Date(r.depose_le)),
    })),
    absents: names.map((nom) => {
      const f = dataset?.champs.find((c) => c.nom === nom);
      return { nom, libelle: f?.libelle ?? nom.replace(/_/g, " ") };
    }),
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
      stored.depot ? [stored.depot] : [],
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

const FROZEN_CACHE_SIZE = 64;
const frozenCache = new Map<string, Release>();

/**
 * A release read once and kept in memory: a release never changes once
 * frozen, and its tables are the largest read of a reader's requests. The
 * caller must have found the release's row first (the convention routes do,
 * through `releaseConventionId`, before checking the user's rights; on a GET
 * that answer may be up to READ_CACHE_MS old, server/read-cache.ts, and a
 * destruction through the same server empties it at once): a release
 * destroyed since is then not served from here.
 */
export async function getFrozenRelease(q: Queryable, id: string): Promise<Release> {
  const hit = frozenCache.get(id);
  if (hit) return hit;
  const r = await getRelease(q, id);
  if (frozenCache.size >= FROZEN_CACHE_SIZE) frozenCache.delete(frozenCache.keys().next().value!);
  frozenCache.set(id, r);
  return r;
}

/** The convention of a release, without reading its tables. */
export async function releaseConventionId(q: Queryable, id: string): Promise<string> {
  const rows = await q.query<{ convention_id: string }>("SELECT convention_id FROM diffusion WHERE id = $1", [
    id,
  ]);
  if (!rows[0]) throw introuvable("diffusion_introuvable", "Diffusion introuvable.");
  return rows[0].convention_id;
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
    date_observation: string | null;
    date_mise_a_jour: string | null;
    champs_absents: Release["champsAbsents"] | null;
  }>(
    "SELECT *, date_observation::text AS date_observation, date_mise_a_jour::text AS date_mise_a_jour FROM diffusion WHERE id = $1",
    [id],
  );
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
    // Releases made before the dates were recorded: the vintage's default and the release day.
    dateObservation: r.date_observation ?? observationDate(r.annee),
    miseAJour: r.date_mise_a_jour ?? isoDateInParis(new Date(r.diffuse_le)),
    champsAbsents: r.champs_absents ?? [],
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
