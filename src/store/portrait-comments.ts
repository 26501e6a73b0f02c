/**
 * Versions of the analysts' portrait commentaries (migration 61): appended,
 * never updated; the rules (key, versions, who may read) are in
 * core/observatory/commentary.ts.
 */
import {
  type CleCommentaire,
  normaliseKey,
  portraitKey,
  type VersionCommentaire,
} from "../core/observatory/commentary.js";
import type { Db, Queryable } from "./db.js";

interface Row {
  version: number;
  texte: string;
  auteur_nom: string;
  cree_le: Date | string;
  conventions: string[];
}

const present = (r: Row): VersionCommentaire => ({
  version: r.version,
  texte: r.texte,
  auteur: r.auteur_nom,
  creeLe: new Date(r.cree_le).toISOString(),
  conventions: r.conventions,
});

/** Every version of a portrait's commentary, newest first. */
export async function commentVersions(q: Queryable, key: CleCommentaire): Promise<VersionCommentaire[]> {
  const rows = await q.query<Row>(
    `SELECT version, texte, auteur_nom, cree_le, conventions FROM commentaire_portrait
     WHERE cle = $1 ORDER BY version DESC`,
    [portraitKey(key)],
  );
  return rows.map(present);
}

/**
 * Appends a version, numbered by `number(latest)` inside the transaction
 * (which throws on a stale save); the primary key refuses a concurrent twin.
 */
export async function appendComment(
  db: Db,
  key: CleCommentaire,
  v: { texte: string; auteurId: string; auteurNom: string; conventions: string[]; at: Date },
  number: (latest: number | null) => number,
): Promise<VersionCommentaire> {
  const k = normaliseKey(key);
  return db.transaction(async (tx) => {
    const latest = await tx.query<{ v: number | null }>(
      "SELECT max(version) AS v FROM commentaire_portrait WHERE cle = $1",
      [portraitKey(k)],
    );
    const version = number(latest[0]?.v ?? null);
    const rows = await tx.query<Row>(
      `INSERT INTO commentaire_portrait (cle, version, niveau, territoire, reference, themes, texte, auteur_id, auteur_nom, conventions, cree_le)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10::text[], $11)
       RETURNING version, texte, auteur_nom, cree_le, conventions`,
      [
        portraitKey(k),
        version,
        k.niveau,
        k.territoire,
        k.reference,
        k.themes,
        v.texte,
        v.auteurId,
        v.auteurNom,
        [...new Set(v.conventions)].sort(),
        v.at.toISOString(),
      ],
    );
    return present(rows[0]!);
  });
}
