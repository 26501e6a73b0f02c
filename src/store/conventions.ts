/**
 * Conventions in the store: the signed document (jsonb), the organisation
 * behind each party, and the history of events (creation, avenants, notice,
 * publication). Every change is checked by core/convention first.
 */

import { giveNotice } from "../core/convention/lifecycle.js";
import {
  type Avenant,
  type Convention,
  checkConvention,
  type Notice,
  pendingAcceptances,
  type Referent,
  versionOn,
} from "../core/convention/model.js";
import { introuvable, invalide } from "../core/errors.js";
import { settleByApproval } from "./approval-requests.js";
import type { Db, Queryable } from "./db.js";

export interface StoredConvention {
  convention: Convention;
  /** party id → organisation id */
  organisations: Record<string, string>;
}

export interface ConventionEvent {
  at: string;
  actorId: string | null;
  kind: string;
  detail: Record<string, unknown>;
}

function refuseIfIncoherent(c: Convention): void {
  const problems = checkConvention(c);
  if (problems.length > 0)
    throw invalide("convention_invalide", `Convention « ${c.titre} » : ${problems[0]}`, problems);
}

/** Creates a convention, all or nothing; every party must name an existing organisation. */
export async function createConvention(
  db: Db,
  c: Convention,
  organisations: Record<string, string>,
  actorId: string | null = null,
): Promise<void> {
  refuseIfIncoherent(c);
  const missing = c.parties.filter((p) => !organisations[p.id]).map((p) => p.nom);
  if (missing.length > 0)
    throw invalide("partie_sans_organisation", `Partie sans organisation : ${missing.join(", ")}.`);
  await db.transaction(async (tx) => {
    const exists = await tx.query("SELECT 1 FROM convention WHERE id = $1", [c.id]);
    if (exists.length > 0) throw invalide("convention_existante", `La convention « ${c.id} » existe déjà.`);
    await tx.query("INSERT INTO convention (id, titre, document) VALUES ($1, $2, $3)", [
      c.id,
      c.titre,
      JSON.stringify(c),
    ]);
    const orgs = await tx.query<{ id: string }>("SELECT id FROM organisation WHERE id = ANY($1::uuid[])", [
      Object.values(organisations),
    ]);
    const known = new Set(orgs.map((o) => o.id));
    for (const p of c.parties) {
      if (!known.has(organisations[p.id]!))
        throw invalide("organisation_inconnue", `Partie « ${p.nom} » : organisation inconnue.`);
      await tx.query(
        "INSERT INTO convention_partie (convention_id, partie, organisation_id) VALUES ($1, $2, $3)",
        [c.id, p.id, organisations[p.id]],
      );
    }
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'creation', '{}')",
      [c.id, actorId],
    );
  });
}

export async function getConvention(q: Queryable, id: string): Promise<StoredConvention> {
  const rows = await q.query<{ document: Convention }>("SELECT document FROM convention WHERE id = $1", [id]);
  if (!rows[0]) throw introuvable("convention_introuvable", "Convention introuvable.");
  const parts = await q.query<{ partie: string; organisation_id: string }>(
    "SELECT partie, organisation_id FROM convention_partie WHERE convention_id = $1",
    [id],
  );
  return {
    convention: rows[0].document,
    organisations: Object.fromEntries(parts.map((p) => [p.partie, p.organisation_id])),
  };
}

/** Every convention with its parties, in two queries whatever their number. */
/**
 * Every convention, or (with `organisations`) those in which one of these
 * organisations is a party: a user's list reads only the documents it may
 * see.
 */
export async function listConventions(
  q: Queryable,
  organisations?: readonly string[],
): Promise<StoredConvention[]> {
  const mine = organisations ? [...organisations] : null;
  const docs = await q.query<{ id: string; document: Convention }>(
    `SELECT id, document FROM convention c
     WHERE $1::text[] IS NULL OR EXISTS (SELECT 1 FROM convention_partie p
       WHERE p.convention_id = c.id AND p.organisation_id::text = ANY($1::text[]))
     ORDER BY titre`,
    [mine],
  );
  const parts = await q.query<{ convention_id: string; partie: string; organisation_id: string }>(
    "SELECT convention_id, partie, organisation_id FROM convention_partie WHERE convention_id = ANY($1::text[])",
    [docs.map((d) => d.id)],
  );
  const byConvention = new Map<string, Record<string, string>>();
  for (const p of parts) {
    const m = byConvention.get(p.convention_id) ?? {};
    m[p.partie] = p.organisation_id;
    byConvention.set(p.convention_id, m);
  }
  return docs.map((d) => ({ convention: d.document, organisations: byConvention.get(d.id) ?? {} }));
}

/** Conventions in which an organisation plays a part, with its party ids. */
export async function conventionsOfOrganisation(
  q: Queryable,
  organisationId: string,
): Promise<{ conventionId: string; partie: string }[]> {
  const rows = await q.query<{ convention_id: string; partie: string }>(
    "SELECT convention_id, partie FROM convention_partie WHERE organisation_id = $1 ORDER BY convention_id, partie",
    [organisationId],
  );
  return rows.map((r) => ({ conventionId: r.convention_id, partie: r.partie }));
}

async function update(
  db: Db,
  id: string,
  kind: string,
  detail: Record<string, unknown> | ((before: Convention) => Record<string, unknown>),
  actorId: string | null,
  change: (c: Convention) => Convention,
): Promise<Convention> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ document: Convention }>(
      "SELECT document FROM convention WHERE id = $1 FOR UPDATE",
      [id],
    );
    if (!rows[0]) throw introuvable("convention_introuvable", "Convention introuvable.");
    const next = change(rows[0].document);
    refuseIfIncoherent(next);
    await tx.query("UPDATE convention SET document = $2, titre = $3, updated_at = now() WHERE id = $1", [
      id,
      JSON.stringify(next),
      next.titre,
    ]);
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, $3, $4)",
      [id, actorId, kind, JSON.stringify(typeof detail === "function" ? detail(rows[0].document) : detail)],
    );
    return next;
  });
}

export function recordNotice(
  db: Db,
  id: string,
  notice: Notice,
  actorId: string | null = null,
): Promise<Convention> {
  return update(db, id, "preavis", { ...notice }, actorId, (c) => {
    const next = giveNotice(c, notice);
    if ("refus" in next) throw invalide(c.preavis ? "preavis_existant" : "preavis_refuse", next.refus);
    return next;
  });
}

export function recordAvenant(
  db: Db,
  id: string,
  a: Omit<Avenant, "numero">,
  actorId: string | null = null,
): Promise<Convention> {
  return update(db, id, "avenant", a, actorId, (c) => ({
    ...c,
    avenants: [...c.avenants, { ...a, numero: c.avenants.length + 1 }],
  }));
}

export function recordPublication(
  db: Db,
  id: string,
  publieeLe: string,
  actorId: string | null = null,
): Promise<Convention> {
  return update(db, id, "publication", { publieeLe }, actorId, (c) => ({ ...c, publieeLe }));
}

export async function conventionHistory(q: Queryable, id: string): Promise<ConventionEvent[]> {
  const rows = await q.query<{
    at: Date | string;
    actor_id: string | null;
    kind: string;
    detail: Record<string, unknown>;
  }>("SELECT at, actor_id, kind, detail FROM convention_evenement WHERE convention_id = $1 ORDER BY id", [
    id,
  ]);
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    kind: r.kind,
    detail: r.detail,
  }));
}

/** A party's référent accepts the convention; the last acceptance ends the draft. */
export function recordAcceptance(
  db: Db,
  id: string,
  partie: string,
  on: string,
  actorId: string,
): Promise<Convention> {
  return update(db, id, "acceptation", { partie, accepteeLe: on }, actorId, (c) => {
    if (!pendingAcceptances(c).includes(partie))
      throw invalide("acceptation_inutile", "Cette partie a déjà accepté la convention.");
    return {
      ...c,
      acceptations: (c.acceptations ?? []).map((a) =>
        a.partie === partie ? { ...a, accepteeLe: on, par: actorId } : a,
      ),
    };
  });
}

/** Replaces a party's referents (annex 2); the previous ones stay in the history. */
export function recordReferents(
  db: Db,
  id: string,
  partie: string,
  referents: Referent[],
  actorId: string,
): Promise<Convention> {
  const referentsOf = (c: Convention) => c.parties.find((p) => p.id === partie)?.referents ?? [];
  return update(
    db,
    id,
    "referents",
    (before) => ({ partie, avant: referentsOf(before), apres: referents }),
    actorId,
    (c) => ({ ...c, parties: c.parties.map((p) => (p.id === partie ? { ...p, referents } : p)) }),
  );
}

/**
 * Opens the datasets the annexes provide for, as the convention reads on
 * `on`: the yearly collection needs no FED. Idempotent; returns the new ids.
 */
export async function openAnnexDatasets(q: Queryable, c: Convention, on: string): Promise<string[]> {
  if (pendingAcceptances(c).length > 0) return [];
  const existing = new Set(
    (
      await q.query<{ annexe: string }>("SELECT annexe FROM jeu_donnees WHERE convention_id = $1", [c.id])
    ).map((r) => r.annexe),
  );
  const opened: string[] = [];
  for (const d of versionOn(c, on).jeux) {
    if (d.origine === "ciblee" || existing.has(d.id)) continue;
    const [r] = await q.query<{ id: string }>(
      "INSERT INTO jeu_donnees (convention_id, annexe, titre, statut) VALUES ($1, $2, $3, 'a_collecter') RETURNING id",
      [c.id, d.id, d.titre],
    );
    opened.push(r!.id);
  }
  return opened;
}

export interface ReleaseApproval {
  id: string;
  diffusionId: string;
  partie: string;
  portee: string;
  destinataire: string;
  accordeLe: string;
  accordePar: string | null;
}

/** Records the provider's approval of an external diffusion of one release. */
export async function recordReleaseApproval(
  db: Db,
  a: Omit<ReleaseApproval, "id"> & {
    conventionId: string /** The request it answers. */;
    demandeId?: string;
  },
): Promise<string> {
  return db.transaction(async (tx) => {
    const [r] = await tx.query<{ id: string }>(
      `INSERT INTO diffusion_accord (diffusion_id, convention_id, partie, portee, destinataire, accorde_le, accorde_par)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [a.diffusionId, a.conventionId, a.partie, a.portee, a.destinataire, a.accordeLe, a.accordePar],
    );
    if (a.demandeId) await settleByApproval(tx, a.diffusionId, a.demandeId, r!.id, a.accordeLe);
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'accord_diffusion', $3)",
      [
        a.conventionId,
        a.accordePar,
        JSON.stringify({
          diffusion: a.diffusionId,
          par: a.partie,
          portee: a.portee,
          destinataire: a.destinataire,
        }),
      ],
    );
    return r!.id;
  });
}

export async function releaseApprovals(q: Queryable, diffusionId: string): Promise<ReleaseApproval[]> {
  const rows = await q.query<{
    id: string;
    diffusion_id: string;
    partie: string;
    portee: string;
    destinataire: string;
    accorde_le: Date | string;
    accorde_par: string | null;
  }>(
    "SELECT id, diffusion_id, partie, portee, destinataire, accorde_le, accorde_par FROM diffusion_accord WHERE diffusion_id = $1 ORDER BY created_at",
    [diffusionId],
  );
  return rows.map((r) => ({
    id: r.id,
    diffusionId: r.diffusion_id,
    partie: r.partie,
    portee: r.portee,
    destinataire: r.destinataire,
    accordeLe:
      typeof r.accorde_le === "string" ? r.accorde_le.slice(0, 10) : r.accorde_le.toISOString().slice(0, 10),
    accordePar: r.accorde_par,
  }));
}
