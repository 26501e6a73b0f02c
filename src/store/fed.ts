/**
 * FED data requests in the store: sheet 1 filed by a party, sheet 2 answered
 * by the provider asked. A favorable answer creates the datasets to collect,
 * in the same transaction; every step is kept in the convention's history.
 */
import {
  checkSheet1,
  checkSheet2,
  datasetsToCollect,
  type FedRequest,
  type FedSheet1,
  type FedSheet2,
  type FedStatus,
} from "../core/convention/fed.js";
import { type Convention, checkConvention, type Dataset } from "../core/convention/model.js";
import { introuvable, invalide } from "../core/errors.js";
import type { Db, Queryable } from "./db.js";

interface Row {
  id: string;
  convention_id: string;
  statut: FedStatus;
  feuille1: FedSheet1;
  feuille2: FedSheet2 | null;
  demande_le: Date | string;
  repondu_le: Date | string | null;
}

const toRequest = (r: Row): FedRequest => ({
  id: r.id,
  conventionId: r.convention_id,
  statut: r.statut,
  feuille1: r.feuille1,
  ...(r.feuille2 ? { feuille2: r.feuille2 } : {}),
  demandeLe: new Date(r.demande_le).toISOString(),
  ...(r.repondu_le ? { reponduLe: new Date(r.repondu_le).toISOString() } : {}),
});

const COLUMNS = "id, convention_id, statut, feuille1, feuille2, demande_le, repondu_le";

export async function fileFedRequest(
  db: Db,
  c: Convention,
  sheet: FedSheet1,
  actorId: string | null,
): Promise<string> {
  const problems = checkSheet1(c, sheet);
  if (problems.length > 0) throw invalide("fed_invalide", `Demande incomplète : ${problems[0]}`, problems);
  return db.transaction(async (tx) => {
    const [r] = await tx.query<{ id: string }>(
      `INSERT INTO fed_demande (convention_id, demandeur, fournisseur, statut, feuille1, demande_par)
       VALUES ($1, $2, $3, 'en_attente', $4, $5) RETURNING id`,
      [c.id, sheet.demandeur, sheet.fournisseur, JSON.stringify(sheet), actorId],
    );
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'fed_demande', $3)",
      [
        c.id,
        actorId,
        JSON.stringify({ fed: r!.id, demandeur: sheet.demandeur, fournisseur: sheet.fournisseur }),
      ],
    );
    return r!.id;
  });
}

export async function getFedRequest(q: Queryable, id: string): Promise<FedRequest> {
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM fed_demande WHERE id = $1`, [id]);
  if (!rows[0]) throw introuvable("fed_introuvable", "Demande introuvable.");
  return toRequest(rows[0]);
}

export async function fedRequestsOf(q: Queryable, conventionIds: readonly string[]): Promise<FedRequest[]> {
  const rows = await q.query<Row>(
    `SELECT ${COLUMNS} FROM fed_demande WHERE convention_id = ANY($1::text[]) ORDER BY demande_le DESC, id`,
    [conventionIds],
  );
  return rows.map(toRequest);
}

/** Records the provider's answer; a favorable one creates the datasets to collect. */
export async function answerFedRequest(
  db: Db,
  c: Convention,
  id: string,
  sheet: FedSheet2,
  actorId: string | null,
  /** « Données ciblées »: a dataset beyond the annexes that the favorable answer defines, with its fields. */
  targeted?: Dataset,
): Promise<{ request: FedRequest; jeux: string[] }> {
  return db.transaction(async (tx) => {
    if (targeted && sheet.avis === "favorable") {
      const [row] = await tx.query<{ document: Convention }>(
        "SELECT document FROM convention WHERE id = $1 FOR UPDATE",
        [c.id],
      );
      const doc = row!.document;
      if (doc.jeux.some((j) => j.id === targeted.id) || c.jeux.some((j) => j.id === targeted.id))
        throw invalide(
          "jeu_existant",
          `Un jeu de données « ${targeted.id} » existe déjà dans la convention.`,
        );
      const ds: Dataset = { ...targeted, origine: "ciblee" };
      const next = { ...doc, jeux: [...doc.jeux, ds] };
      const problems = checkConvention(next);
      if (problems.length > 0)
        throw invalide("donnees_ciblees_invalides", `Données ciblées : ${problems[0]}`, problems);
      await tx.query("UPDATE convention SET document = $2, updated_at = now() WHERE id = $1", [
        c.id,
        JSON.stringify(next),
      ]);
      await tx.query(
        "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'donnees_ciblees', $3)",
        [c.id, actorId, JSON.stringify({ fed: id, jeu: ds.id, titre: ds.titre })],
      );
      c = { ...c, jeux: [...c.jeux, ds] };
      sheet = { ...sheet, annexes: [...new Set([...sheet.annexes, ds.id])] };
    }
    const rows = await tx.query<Row>(`SELECT ${COLUMNS} FROM fed_demande WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows[0] || rows[0].convention_id !== c.id)
      throw introuvable("fed_introuvable", "Demande introuvable.");
    const request = toRequest(rows[0]);
    const problems = checkSheet2(c, request, sheet);
    if (problems.length > 0) throw invalide("reponse_invalide", `Réponse refusée : ${problems[0]}`, problems);
    const clean: FedSheet2 =
      sheet.avis === "defavorable"
        ? { avis: "defavorable", motif: sheet.motif!.trim(), indicateursDisponibles: [], annexes: [] }
        : sheet;
    await tx.query(
      "UPDATE fed_demande SET statut = $2, feuille2 = $3, repondu_par = $4, repondu_le = now() WHERE id = $1",
      [id, clean.avis, JSON.stringify(clean), actorId],
    );
    const jeux: string[] = [];
    // An annex the convention already opened for its yearly collection is not opened twice.
    const opened = new Set(
      (
        await tx.query<{ annexe: string }>(
          "SELECT annexe FROM jeu_donnees WHERE convention_id = $1 AND statut <> 'detruit'",
          [c.id],
        )
      ).map((r) => r.annexe),
    );
    for (const d of datasetsToCollect(c, clean).filter((x) => !opened.has(x.id))) {
      const [j] = await tx.query<{ id: string }>(
        `INSERT INTO jeu_donnees (convention_id, annexe, titre, fed_id, statut)
         VALUES ($1, $2, $3, $4, 'a_collecter') RETURNING id`,
        [c.id, d.id, d.titre, id],
      );
      jeux.push(j!.id);
    }
    await tx.query(
      "INSERT INTO convention_evenement (convention_id, actor_id, kind, detail) VALUES ($1, $2, 'fed_reponse', $3)",
      [
        c.id,
        actorId,
        JSON.stringify({ fed: id, avis: clean.avis, ...(clean.motif ? { motif: clean.motif } : {}), jeux }),
      ],
    );
    return { request: await getFedRequest(tx, id), jeux };
  });
}
