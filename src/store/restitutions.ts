/**
 * Restitution of the study: the document is stored and recorded as sent to
 * each provider of the convention (the obligation « copie de l'étude »),
 * which downloads it; restitution sessions (date, participants, minutes).
 */

import { readFile } from "node:fs/promises";
import { sha256 } from "../core/convention/destruction.js";
import type { Convention } from "../core/convention/model.js";
import type { Seance } from "../core/convention/restitution.js";
import { introuvable, invalide } from "../core/errors.js";
import type { Db, Queryable } from "./db.js";
import { type FileArea, filePath, putFile, removeFile } from "./files.js";

export interface Restitution {
  id: string;
  titre: string;
  nomFichier: string;
  octets: number;
  sha256: string;
  deposeLe: string;
  envois: { partie: string; envoyeLe: string }[];
}

export async function recordRestitution(
  db: Db,
  files: FileArea,
  c: Convention,
  doc: { titre: string; nomFichier: string; data: Uint8Array },
  actorId: string | null,
): Promise<string> {
  if (doc.data.byteLength === 0) throw invalide("document_vide", "Le document de l'étude est vide.");
  const providers = c.parties.filter((p) => p.parts.includes("fournisseur"));
  const id = crypto.randomUUID();
  const rel = await putFile(files, ["restitutions", c.id.replace(/[^a-zA-Z0-9_.-]/g, "_"), id], doc.data);
  try {
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO restitution (id, convention_id, titre, nom_fichier, octets, sha256, chemin, depose_par)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, c.id, doc.titre, doc.nomFichier, doc.data.byteLength, sha256(doc.data), rel, actorId],
      );
      for (const p of providers)
        await tx.query("INSERT INTO restitution_envoi (restitution_id, partie) VALUES ($1, $2)", [id, p.id]);
      await tx.query(
        "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'restitution', $3)",
        [
          c.id,
          actorId,
          JSON.stringify({ restitution: id, titre: doc.titre, envoyeA: providers.map((p) => p.id) }),
        ],
      );
    });
  } catch (e) {
    await removeFile(files, rel);
    throw e;
  }
  return id;
}

export async function listRestitutions(q: Queryable, conventionId: string): Promise<Restitution[]> {
  const rows = await q.query<{
    id: string;
    titre: string;
    nom_fichier: string;
    octets: string | number;
    sha256: string;
    depose_le: Date | string;
  }>(
    "SELECT id, titre, nom_fichier, octets, sha256, depose_le FROM restitution WHERE convention_id = $1 ORDER BY depose_le",
    [conventionId],
  );
  const envois = await q.query<{ restitution_id: string; partie: string; envoye_le: Date | string }>(
    `SELECT e.restitution_id, e.partie, e.envoye_le FROM restitution_envoi e
     JOIN restitution r ON r.id = e.restitution_id WHERE r.convention_id = $1 ORDER BY e.partie`,
    [conventionId],
  );
  return rows.map((r) => ({
    id: r.id,
    titre: r.titre,
    nomFichier: r.nom_fichier,
    octets: Number(r.octets),
    sha256: r.sha256,
    deposeLe: new Date(r.depose_le).toISOString(),
    envois: envois
      .filter((e) => e.restitution_id === r.id)
      .map((e) => ({ partie: e.partie, envoyeLe: new Date(e.envoye_le).toISOString() })),
  }));
}

/** The stored study, for a party to download. */
export async function getRestitutionDocument(
  q: Queryable,
  files: FileArea,
  id: string,
): Promise<{ conventionId: string; nomFichier: string; data: Uint8Array }> {
  const rows = await q.query<{ convention_id: string; nom_fichier: string; chemin: string }>(
    "SELECT convention_id, nom_fichier, chemin FROM restitution WHERE id = $1",
    [id],
  );
  const r = rows[0];
  if (!r) throw introuvable("restitution_introuvable", "Étude restituée introuvable.");
  return {
    conventionId: r.convention_id,
    nomFichier: r.nom_fichier,
    data: new Uint8Array(await readFile(filePath(files, r.chemin))),
  };
}

export async function restitutionConvention(q: Queryable, id: string): Promise<string> {
  const rows = await q.query<{ convention_id: string }>(
    "SELECT convention_id FROM restitution WHERE id = $1",
    [id],
  );
  if (!rows[0]) throw introuvable("restitution_introuvable", "Étude restituée introuvable.");
  return rows[0].convention_id;
}

export interface SeanceEnregistree extends Seance {
  id: string;
  enregistreLe: string;
}

export async function recordSeance(
  db: Db,
  conventionId: string,
  s: Seance,
  actorId: string | null,
  at: Date,
): Promise<string> {
  const id = crypto.randomUUID();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO seance_restitution (id, convention_id, tenue_le, participants, compte_rendu, enregistre_par, enregistre_le)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, conventionId, s.tenueLe, JSON.stringify(s.participants), s.compteRendu, actorId, at],
    );
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'seance_restitution', $3)",
      [conventionId, actorId, JSON.stringify({ seance: id, tenueLe: s.tenueLe })],
    );
  });
  return id;
}

const isoDay = (d: Date | string) => (typeof d === "string" ? d.slice(0, 10) : d.toISOString().slice(0, 10));

export async function listSeances(q: Queryable, conventionId: string): Promise<SeanceEnregistree[]> {
  const rows = await q.query<{
    id: string;
    tenue_le: Date | string;
    participants: string[];
    compte_rendu: string;
    enregistre_le: Date | string;
  }>(
    `SELECT id, to_char(tenue_le, 'YYYY-MM-DD') AS tenue_le, participants, compte_rendu, enregistre_le
     FROM seance_restitution WHERE convention_id = $1 ORDER BY tenue_le, enregistre_le`,
    [conventionId],
  );
  return rows.map((r) => ({
    id: r.id,
    tenueLe: isoDay(r.tenue_le),
    participants: r.participants,
    compteRendu: r.compte_rendu,
    enregistreLe: new Date(r.enregistre_le).toISOString(),
  }));
}

export async function lastSeance(q: Queryable, conventionId: string): Promise<string | null> {
  const rows = await q.query<{ d: string | null }>(
    "SELECT to_char(max(tenue_le), 'YYYY-MM-DD') AS d FROM seance_restitution WHERE convention_id = $1",
    [conventionId],
  );
  return rows[0]?.d ?? null;
}
