/**
 * Routes of a deposit beyond the upload itself: the report of its rows
 * without IRIS (line, result type, reason; never an address) for the
 * depositor.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { noIrisCsv, noIrisRows } from "../../ingest/no-iris-report.js";
import { getJeu } from "../../store/datasets.js";
import type { Db, Queryable } from "../../store/db.js";
import { conventionRoute } from "../api.js";

export interface DepotDeps {
  db: Db;
  now: () => Date;
}

const Uuid = z.uuid({ message: "Identifiant invalide." });
const byJeu = async (p: { id: string }, q: Queryable) => (await getJeu(q, p.id)).conventionId;

export function depotRoutes(app: FastifyInstance, deps: DepotDeps): void {
  const { db } = deps;
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/depots/:depot/sans-iris",
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
}
