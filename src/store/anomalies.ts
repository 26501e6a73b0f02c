/**
 * Anomaly threads in the store: the report, its messages, its status. The
 * rules (who reports, who answers, which status follows) are in
 * core/convention/anomalies; this file only reads and writes.
 */
import type { AnomalieFacts, AnomalieStatut, CibleAnomalie } from "../core/convention/anomalies.js";
import { introuvable } from "../core/errors.js";
import type { Db, Queryable } from "./db.js";

export interface Message {
  partie: string;
  auteur: string | null;
  texte: string;
  lignes: number[];
  ecritLe: string;
}

export interface Anomalie extends AnomalieFacts {
  id: string;
  conventionId: string;
  jeuId: string;
  cible: CibleAnomalie;
  creeLe: string;
  majLe: string;
  /** When the data it was about were destroyed: its messages' text and line numbers are gone. */
  contenuEffaceLe: string | null;
  messages: Message[];
}

/** What a report points at, resolved within one convention: its dataset and, for a deposit, its size. */
export interface ResolvedTarget {
  jeuId: string;
  annexe: string;
  depotLignes: number | null;
}

const notFound = () =>
  introuvable("cible_introuvable", "Dépôt ou diffusion introuvable dans cette convention.");

export async function resolveTarget(
  q: Queryable,
  conventionId: string,
  cible: CibleAnomalie,
): Promise<ResolvedTarget> {
  const rows =
    cible.type === "depot"
      ? await q.query<{ jeu_id: string; annexe: string; lignes: number | null }>(
          `SELECT j.id AS jeu_id, j.annexe, d.lignes FROM depot d JOIN jeu_donnees j ON j.id = d.jeu_id
           WHERE d.id = $1 AND j.convention_id = $2`,
          [cible.id, conventionId],
        )
      : await q.query<{ jeu_id: string; annexe: string; lignes: null }>(
          `SELECT j.id AS jeu_id, j.annexe, NULL AS lignes FROM diffusion r JOIN jeu_donnees j ON j.id = r.jeu_id
           WHERE r.id = $1 AND r.convention_id = $2`,
          [cible.id, conventionId],
        );
  const r = rows[0];
  if (!r) throw notFound();
  return { jeuId: r.jeu_id, annexe: r.annexe, depotLignes: r.lignes === null ? null : Number(r.lignes) };
}

export async function createAnomaly(
  db: Db,
  a: {
    conventionId: string;
    jeuId: string;
    cible: CibleAnomalie;
    signalePar: string;
    fournisseur: string;
    texte: string;
    lignes: number[];
    auteurId: string | null;
    at: Date;
  },
): Promise<string> {
  const id = crypto.randomUUID();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO anomalie (id, convention_id, jeu_id, cible_type, cible_id, signale_par, fournisseur, statut, cree_le, maj_le)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'ouverte', $8, $8)`,
      [id, a.conventionId, a.jeuId, a.cible.type, a.cible.id, a.signalePar, a.fournisseur, a.at],
    );
    await tx.query(
      `INSERT INTO anomalie_message (anomalie_id, partie, auteur_id, texte, lignes, ecrit_le)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, a.signalePar, a.auteurId, a.texte, a.lignes, a.at],
    );
  });
  return id;
}

/** Adds a message and sets the status that follows it, in one transaction. */
export async function addMessage(
  db: Db,
  id: string,
  m: { partie: string; auteurId: string | null; texte: string; lignes: number[]; at: Date },
  statut: AnomalieStatut,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO anomalie_message (anomalie_id, partie, auteur_id, texte, lignes, ecrit_le)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, m.partie, m.auteurId, m.texte, m.lignes, m.at],
    );
    await tx.query("UPDATE anomalie SET statut = $2, maj_le = $3 WHERE id = $1", [id, statut, m.at]);
  });
}

export async function setAnomalyStatus(
  q: Queryable,
  id: string,
  statut: AnomalieStatut,
  at: Date,
): Promise<void> {
  await q.query("UPDATE anomalie SET statut = $2, maj_le = $3 WHERE id = $1", [id, statut, at]);
}

interface Row {
  id: string;
  convention_id: string;
  jeu_id: string;
  cible_type: "depot" | "diffusion";
  cible_id: string;
  signale_par: string;
  fournisseur: string;
  statut: AnomalieStatut;
  cree_le: Date | string;
  maj_le: Date | string;
  contenu_efface_le: Date | string | null;
}

async function withMessages(q: Queryable, rows: Row[]): Promise<Anomalie[]> {
  if (rows.length === 0) return [];
  const msgs = await q.query<{
    anomalie_id: string;
    partie: string;
    auteur: string | null;
    texte: string;
    lignes: number[];
    ecrit_le: Date | string;
  }>(
    `SELECT m.anomalie_id, m.partie, u.nom AS auteur, m.texte, m.lignes, m.ecrit_le
     FROM anomalie_message m LEFT JOIN app_user u ON u.id = m.auteur_id
     WHERE m.anomalie_id = ANY($1::uuid[]) ORDER BY m.id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    conventionId: r.convention_id,
    jeuId: r.jeu_id,
    cible: { type: r.cible_type, id: r.cible_id },
    signalePar: r.signale_par,
    fournisseur: r.fournisseur,
    statut: r.statut,
    creeLe: new Date(r.cree_le).toISOString(),
    majLe: new Date(r.maj_le).toISOString(),
    contenuEffaceLe: r.contenu_efface_le ? new Date(r.contenu_efface_le).toISOString() : null,
    messages: msgs
      .filter((m) => m.anomalie_id === r.id)
      .map((m) => ({
        partie: m.partie,
        auteur: m.auteur,
        texte: m.texte,
        lignes: (m.lignes ?? []).map(Number),
        ecritLe: new Date(m.ecrit_le).toISOString(),
      })),
  }));
}

export async function getAnomaly(q: Queryable, id: string): Promise<Anomalie> {
  const rows = await q.query<Row>("SELECT * FROM anomalie WHERE id = $1", [id]);
  if (!rows[0]) throw introuvable("anomalie_introuvable", "Anomalie introuvable.");
  return (await withMessages(q, rows))[0]!;
}

export async function listAnomalies(q: Queryable, conventionId: string): Promise<Anomalie[]> {
  return withMessages(
    q,
    await q.query<Row>("SELECT * FROM anomalie WHERE convention_id = $1 ORDER BY cree_le, id", [
      conventionId,
    ]),
  );
}

/** Open anomalies addressed to the given parties (as provider) of the given conventions: the providers' task list. */
export async function openAnomaliesFor(
  q: Queryable,
  pairs: readonly { conventionId: string; partie: string }[],
): Promise<{ id: string; conventionId: string; creeLe: string }[]> {
  if (pairs.length === 0) return [];
  const rows = await q.query<{ id: string; convention_id: string; cree_le: Date | string }>(
    `SELECT a.id, a.convention_id, a.cree_le FROM anomalie a
     JOIN jsonb_to_recordset($1::jsonb) AS p(convention_id text, partie text)
       ON p.convention_id = a.convention_id AND p.partie = a.fournisseur
     WHERE a.statut = 'ouverte' ORDER BY a.cree_le`,
    [JSON.stringify(pairs.map((p) => ({ convention_id: p.conventionId, partie: p.partie })))],
  );
  return rows.map((r) => ({
    id: r.id,
    conventionId: r.convention_id,
    creeLe: new Date(r.cree_le).toISOString(),
  }));
}

/** The deposits and releases of a convention one may report on: dataset, date, size; never a file's content. */
export async function listTargets(
  q: Queryable,
  conventionId: string,
): Promise<
  {
    type: "depot" | "diffusion";
    id: string;
    annexe: string;
    jeu: string;
    le: string;
    lignes: number | null;
    annee: number | null;
  }[]
> {
  const rows = await q.query<{
    type: "depot" | "diffusion";
    id: string;
    annexe: string;
    jeu: string;
    le: Date | string;
    lignes: number | null;
    annee: number | null;
  }>(
    `SELECT 'depot' AS type, d.id, j.annexe, j.titre AS jeu, d.depose_le AS le, d.lignes, d.annee
       FROM depot d JOIN jeu_donnees j ON j.id = d.jeu_id WHERE j.convention_id = $1
     UNION ALL
     SELECT 'diffusion', r.id, j.annexe, j.titre, r.diffuse_le, NULL, r.annee
       FROM diffusion r JOIN jeu_donnees j ON j.id = r.jeu_id WHERE r.convention_id = $1
     ORDER BY le DESC`,
    [conventionId],
  );
  return rows.map((r) => ({
    type: r.type,
    id: r.id,
    annexe: r.annexe,
    jeu: r.jeu,
    le: new Date(r.le).toISOString(),
    lignes: r.lignes === null ? null : Number(r.lignes),
    annee: r.annee === null ? null : Number(r.annee),
  }));
}
