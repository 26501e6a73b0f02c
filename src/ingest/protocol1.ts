/**
 * Protocol 1 inside Socle: the provider keeps identities. It uploads
 * (identifier, address) for a dataset; Socle geocodes the file, deletes it
 * at once and never stores an address; the provider downloads (identifier,
 * IRIS, result type, score), once, and the report of its rows without IRIS;
 * then it deposits its own file without identifier (IRIS + fields) as any
 * protocol-1 deposit. Every step is in the audit log, with counts only.
 */
import { rm } from "node:fs/promises";
import type { Convention } from "../core/convention/model.js";
import { addressColumns, composeAddress } from "../core/deposit/address.js";
import { type Mapping, proposeMapping } from "../core/deposit/mapping.js";
import { conflit, introuvable, invalide } from "../core/errors.js";
import type { Geocoder, NoIrisReason, ResultType } from "../geo/geocoder.js";
import { appendAuditTx } from "../store/audit.js";
import { getJeu } from "../store/datasets.js";
import type { Db } from "../store/db.js";
import { type NoIrisRow, noIrisCsv } from "./no-iris-report.js";
import { openTabular } from "./tabular-stream.js";

export interface ProviderGeocodeOptions {
  db: Db;
  convention: Convention;
  jeuId: string;
  /** The uploaded (identifier, address) file: deleted once geocoded, whatever happens. */
  file: string;
  geocoder: Geocoder;
  /** Field (identifier field or `adresse.<part>`) → column name; proposed from the names otherwise. */
  mappingByName?: Record<string, string>;
  actorId: string | null;
  now?: Date;
}

export interface ProviderGeocodeResult {
  id: string;
  lignes: number;
  avecIris: number;
  sansIris: number;
  parType: Partial<Record<ResultType, number>>;
}

function csvField(s: string): string {
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Geocodes the provider's (identifier, address) file for a dataset and deletes it. */
export async function geocodeForProvider(o: ProviderGeocodeOptions): Promise<ProviderGeocodeResult> {
  try {
    const jeu = await getJeu(o.db, o.jeuId);
    if (jeu.conventionId !== o.convention.id)
      throw invalide("jeu_autre_convention", "Ce jeu de données relève d'une autre convention.");
    if (jeu.statut === "detruit") throw conflit("jeu_detruit", "Ce jeu de données a été détruit.");
    const dataset = o.convention.jeux.find((d) => d.id === jeu.annexe);
    if (dataset?.kind !== "individuel")
      throw invalide("pas_individuel", "Le géocodage pour le fournisseur porte sur un fichier individuel.");
    const t = await openTabular(o.file);
    let mapping: Mapping;
    if (o.mappingByName) {
      mapping = {};
      for (const [k, name] of Object.entries(o.mappingByName)) {
        const i = t.header.indexOf(name);
        if (i < 0) {
          await t.rows.return(undefined);
          throw invalide(
            "colonne_absente",
            `${t.fileName} : la colonne « ${name} » n'existe pas dans le fichier.`,
          );
        }
        mapping[k] = i;
      }
    } else mapping = proposeMapping(dataset.champs, t.header);
    const idField = dataset.champs.find((f) => f.type === "identifiant");
    const idCol = idField ? mapping[idField.nom] : undefined;
    const address = addressColumns(
      dataset.champs.filter((f) => f.type !== "code_iris"),
      mapping,
    );
    if (idCol === undefined || address.length === 0) {
      await t.rows.return(undefined);
      throw invalide(
        "correspondance_colonnes",
        `${t.fileName} : le fichier à géocoder doit avoir la colonne de l'identifiant${idField ? ` (« ${idField.nom} »)` : ""} et celle(s) de l'adresse.`,
      );
    }
    const out: string[] = ["\ufeffidentifiant;code_iris;type_resultat;score"];
    const noIris: NoIrisRow[] = [];
    const parType: Partial<Record<ResultType, number>> = {};
    let lignes = 0;
    let avecIris = 0;
    for await (const r of t.rows) {
      if (r.values.every((v) => v.trim() === "")) continue;
      const id = (r.values[idCol] ?? "").trim();
      if (id === "") {
        noIris.push({ ligne: r.line, type: "not_found", raison: "adresse_vide" });
        continue;
      }
      lignes++;
      const q = composeAddress(address, r.values);
      const g = o.geocoder.geocode(q.parts, { codeCommune: q.codeCommune });
      parType[g.type] = (parType[g.type] ?? 0) + 1;
      if (g.codeIris) avecIris++;
      else
        noIris.push({ ligne: r.line, type: g.type, raison: (g.raison ?? "voie_inconnue") as NoIrisReason });
      out.push(`${csvField(id)};${g.codeIris ?? ""};${g.type};${g.score}`);
    }
    if (lignes === 0) throw invalide("depot_vide", `${t.fileName} : aucune ligne de données.`);
    // The address file goes before anything is recorded.
    await rm(o.file, { force: true });
    const id = crypto.randomUUID();
    const at = o.now ?? new Date();
    await o.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO geocodage_fournisseur (id, jeu_id, cree_par, cree_le, lignes, avec_iris, resultat, sans_iris)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          o.jeuId,
          o.actorId,
          at.toISOString(),
          lignes,
          avecIris,
          `${out.join("\r\n")}\r\n`,
          JSON.stringify(noIris),
        ],
      );
      const detail = { jeu: o.jeuId, lignes, avecIris, sansIris: noIris.length };
      await appendAuditTx(tx, { actorId: o.actorId, action: "protocole1.geocodage", target: id, detail, at });
      await appendAuditTx(tx, {
        actorId: o.actorId,
        action: "protocole1.fichier_adresses_supprime",
        target: id,
        detail: { jeu: o.jeuId },
        at,
      });
    });
    return { id, lignes, avecIris, sansIris: noIris.length, parType };
  } finally {
    await rm(o.file, { force: true });
  }
}

/** The (identifier, IRIS, type, score) file, downloaded once: it is erased as it is handed over. */
export async function takeProviderResult(
  db: Db,
  jeuId: string,
  id: string,
  actorId: string | null,
  now = new Date(),
): Promise<string> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ resultat: string | null }>(
      "SELECT resultat FROM geocodage_fournisseur WHERE id = $1 AND jeu_id = $2 FOR UPDATE",
      [id, jeuId],
    );
    if (!rows[0]) throw introuvable("geocodage_introuvable", "Géocodage introuvable pour ce jeu de données.");
    if (rows[0].resultat === null)
      throw conflit(
        "geocodage_deja_telecharge",
        "Ce résultat a déjà été téléchargé puis effacé : géocodez de nouveau le fichier si besoin.",
      );
    await tx.query("UPDATE geocodage_fournisseur SET resultat = NULL, telecharge_le = $2 WHERE id = $1", [
      id,
      now.toISOString(),
    ]);
    await appendAuditTx(tx, {
      actorId,
      action: "protocole1.resultat_telecharge",
      target: id,
      detail: { jeu: jeuId },
      at: now,
    });
    return rows[0].resultat;
  });
}

/** The report of the rows without IRIS (line, type, reason; no address, no identifier). */
export async function providerNoIrisReport(
  db: Db,
  jeuId: string,
  id: string,
  actorId: string | null,
  now = new Date(),
): Promise<string> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ sans_iris: NoIrisRow[] }>(
      "SELECT sans_iris FROM geocodage_fournisseur WHERE id = $1 AND jeu_id = $2",
      [id, jeuId],
    );
    if (!rows[0]) throw introuvable("geocodage_introuvable", "Géocodage introuvable pour ce jeu de données.");
    await appendAuditTx(tx, {
      actorId,
      action: "protocole1.rapport_telecharge",
      target: id,
      detail: { jeu: jeuId },
      at: now,
    });
    return noIrisCsv(rows[0].sans_iris);
  });
}
