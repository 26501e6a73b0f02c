/**
 * Routes of a deposit beyond the upload itself: the report of its rows
 * without IRIS (line, result type, reason; never an address) for the
 * depositor, and protocol 1 inside Socle (the provider's identifier +
 * address file geocoded for it, the address never kept).
 */

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalide } from "../../core/errors.js";
import { Geocoder } from "../../geo/geocoder.js";
import { noIrisCsv, noIrisRows } from "../../ingest/no-iris-report.js";
import { geocodeForProvider, providerNoIrisReport, takeProviderResult } from "../../ingest/protocol1.js";
import { loadAddressIndex } from "../../store/addresses.js";
import { getJeu } from "../../store/datasets.js";
import type { Db, Queryable } from "../../store/db.js";
import { conventionRoute } from "../api.js";
import * as R from "../responses.js";
import { receiveUpload, type UploadLimits } from "../uploads.js";
import { Correspondance, FileName, Uuid } from "./params.js";

export interface DepotDeps {
  db: Db;
  now: () => Date;
  /** Private folder of uploads in transit (server/uploads.ts). */
  uploads: string;
  uploadLimits: UploadLimits;
}

const byJeu = async (p: { id: string }, q: Queryable) => (await getJeu(q, p.id)).conventionId;

export function depotRoutes(app: FastifyInstance, deps: DepotDeps): void {
  const { db } = deps;
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/depots/:depot/sans-iris",
      produces: "text/csv",
      summary:
        "Lignes d'un dépôt restées sans IRIS : numéro de ligne, type de résultat, raison (aucune adresse)",
      tag: "Jeux de données",
      params: z.object({ id: Uuid, depot: Uuid }),
      action: "deposer",
      conventionOf: byJeu,
    },
    async ({ params, reply }) => {
      const rows = await noIrisRows(db, params.id, params.depot);
      return reply
        .type("text/csv; charset=utf-8")
        .header(
          "content-disposition",
          `attachment; filename="depot-${params.depot.slice(0, 8)}-sans-iris.csv"`,
        )
        .send(noIrisCsv(rows));
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/jeux/:id/protocole1/geocodages",
      response: R.GeocodageFournisseur,
      summary:
        "Protocole 1 : géocoder le fichier (identifiant, adresse) du fournisseur ; le fichier est supprimé aussitôt, l'adresse jamais conservée",
      tag: "Jeux de données",
      params: z.object({ id: Uuid }),
      query: z.object({ nomFichier: FileName, correspondance: Correspondance }),
      upload: true,
      action: "deposer",
      conventionOf: byJeu,
    },
    async ({ params, query, request, principal, acces }) => {
      // The body streams to a private file once the rights are checked (see uploads.ts).
      const upload = await receiveUpload(request, deps.uploads, deps.uploadLimits.depot, query.nomFichier);
      const file = upload.file;
      try {
        const index = await loadAddressIndex(db);
        if (!index)
          throw invalide(
            "referentiel_adresses_absent",
            "Aucun référentiel d'adresses n'est chargé : importez la BAN du département (socle geo import-ban).",
          );
        return await geocodeForProvider({
          db,
          convention: acces.enVigueur,
          jeuId: params.id,
          file,
          geocoder: new Geocoder(index),
          ...(query.correspondance ? { mappingByName: query.correspondance } : {}),
          actorId: principal.userId,
          now: deps.now(),
        });
      } finally {
        await upload.discard();
      }
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/protocole1/geocodages/:geocodage/resultat",
      produces: "text/csv",
      summary:
        "Protocole 1 : identifiant, IRIS, type de résultat, score (téléchargeable une fois, puis effacé)",
      tag: "Jeux de données",
      params: z.object({ id: Uuid, geocodage: Uuid }),
      action: "deposer",
      conventionOf: byJeu,
    },
    async ({ params, principal, reply }) => {
      const csv = await takeProviderResult(db, params.id, params.geocodage, principal.userId, deps.now());
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="geocodage-iris.csv"')
        .send(csv);
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/protocole1/geocodages/:geocodage/sans-iris",
      produces: "text/csv",
      summary: "Protocole 1 : lignes restées sans IRIS (numéro de ligne, type, raison ; aucune adresse)",
      tag: "Jeux de données",
      params: z.object({ id: Uuid, geocodage: Uuid }),
      action: "deposer",
      conventionOf: byJeu,
    },
    async ({ params, principal, reply }) => {
      const csv = await providerNoIrisReport(db, params.id, params.geocodage, principal.userId, deps.now());
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="geocodage-sans-iris.csv"')
        .send(csv);
    },
  );
}
