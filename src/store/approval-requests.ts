/**
 * Requests for the provider's approval of an external diffusion of one
 * release: asked by another party (scope, recipient), answered by the
 * provider with an approval (diffusion_accord) or a refusal and its reason.
 */
import { conflit, introuvable } from "../core/errors.js";
import type { Db, Queryable } from "./db.js";

export type ApprovalRequestStatus = "en_attente" | "accordee" | "refusee";

export interface ApprovalRequest {
  id: string;
  diffusionId: string;
  conventionId: string;
  demandeur: string;
  fournisseur: string;
  portee: string;
  destinataire: string;
  demandeLe: string;
  statut: ApprovalRequestStatus;
  motif: string | null;
  reponduLe: string | null;
}

const day = (d: Date | string | null): string | null =>
  d === null ? null : typeof d === "string" ? d.slice(0, 10) : d.toISOString().slice(0, 10);

interface Row {
  id: string;
  diffusion_id: string;
  convention_id: string;
  demandeur: string;
  fournisseur: string;
  portee: string;
  destinataire: string;
  demande_le: Date | string;
  statut: ApprovalRequestStatus;
  motif: string | null;
  repondu_le: Date | string | null;
}

const present = (r: Row): ApprovalRequest => ({
  id: r.id,
  diffusionId: r.diffusion_id,
  conventionId: r.convention_id,
  demandeur: r.demandeur,
  fournisseur: r.fournisseur,
  portee: r.portee,
  destinataire: r.destinataire,
  demandeLe: day(r.demande_le)!,
  statut: r.statut,
  motif: r.motif,
  reponduLe: day(r.repondu_le),
});

const COLUMNS =
  "id, diffusion_id, convention_id, demandeur, fournisseur, portee, destinataire, demande_le, statut, motif, repondu_le";

export async function askApproval(
  db: Db,
  a: Omit<ApprovalRequest, "id" | "statut" | "motif" | "reponduLe"> & { demandePar: string | null },
): Promise<string> {
  return db.transaction(async (tx) => {
    const [r] = await tx.query<{ id: string }>(
      `INSERT INTO diffusion_demande_accord (diffusion_id, convention_id, demandeur, fournisseur, portee, destinataire, demande_le, demande_par)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        a.diffusionId,
        a.conventionId,
        a.demandeur,
        a.fournisseur,
        a.portee,
        a.destinataire,
        a.demandeLe,
        a.demandePar,
      ],
    );
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'demande_accord', $3)",
      [
        a.conventionId,
        a.demandePar,
        JSON.stringify({ diffusion: a.diffusionId, par: a.demandeur, destinataire: a.destinataire }),
      ],
    );
    return r!.id;
  });
}

export async function approvalRequestsOfRelease(
  q: Queryable,
  diffusionId: string,
): Promise<ApprovalRequest[]> {
  const rows = await q.query<Row>(
    `SELECT ${COLUMNS} FROM diffusion_demande_accord WHERE diffusion_id = $1 ORDER BY created_at`,
    [diffusionId],
  );
  return rows.map(present);
}

/** Requests still awaiting their provider's answer, for the given conventions. */
export async function pendingApprovalRequests(
  q: Queryable,
  conventionIds: readonly string[],
): Promise<ApprovalRequest[]> {
  if (conventionIds.length === 0) return [];
  const rows = await q.query<Row>(
    `SELECT ${COLUMNS} FROM diffusion_demande_accord
     WHERE convention_id = ANY($1::text[]) AND statut = 'en_attente' ORDER BY created_at`,
    [conventionIds],
  );
  return rows.map(present);
}

async function pending(q: Queryable, diffusionId: string, id: string): Promise<Row> {
  const [r] = await q.query<Row>(
    `SELECT ${COLUMNS} FROM diffusion_demande_accord WHERE id = $1 AND diffusion_id = $2 FOR UPDATE`,
    [id, diffusionId],
  );
  if (!r) throw introuvable("demande_accord_introuvable", "Demande d'accord introuvable.");
  if (r.statut !== "en_attente")
    throw conflit("demande_accord_repondue", "Cette demande d'accord a déjà reçu une réponse.");
  return r;
}

/** Marks a pending request approved by the approval just recorded (in its transaction). */
export async function settleByApproval(
  q: Queryable,
  diffusionId: string,
  id: string,
  accordId: string,
  on: string,
): Promise<void> {
  await pending(q, diffusionId, id);
  await q.query(
    "UPDATE diffusion_demande_accord SET statut = 'accordee', accord_id = $2, repondu_le = $3 WHERE id = $1",
    [id, accordId, on],
  );
}

export async function refuseApproval(
  db: Db,
  diffusionId: string,
  id: string,
  motif: string,
  on: string,
  actorId: string | null,
): Promise<ApprovalRequest> {
  return db.transaction(async (tx) => {
    const r = await pending(tx, diffusionId, id);
    await tx.query(
      "UPDATE diffusion_demande_accord SET statut = 'refusee', motif = $2, repondu_le = $3 WHERE id = $1",
      [id, motif, on],
    );
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'refus_accord', $3)",
      [r.convention_id, actorId, JSON.stringify({ diffusion: diffusionId, motif })],
    );
    return present({ ...r, statut: "refusee", motif, repondu_le: on });
  });
}
