/**
 * Restitution of the study to the providers.
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { listRestitutions, recordRestitution } from "../../store/restitutions.js";
import { conventionRoute } from "../api.js";
import { receiveUpload } from "../uploads.js";
import { byConvention, type ConventionDeps, ConvId } from "./convention-context.js";
import { FileName } from "./params.js";

export function restitutionRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db, files } = deps;

  // Restitution of the study.
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/restitutions",
      summary: "Restituer l'étude aux fournisseurs (corps : le document)",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      query: z.object({
        titre: z.string().trim().min(1, { message: "Titre de l'étude requis." }).max(300),
        nomFichier: FileName,
      }),
      upload: true,
      action: "restituer",
      conventionOf: byConvention,
    },
    async ({ query, request, acces, principal }) => {
      const upload = await receiveUpload(request, deps.uploads, deps.uploadLimits.document, query.nomFichier);
      try {
        const data = await readFile(upload.file);
        const doc = { titre: query.titre, nomFichier: query.nomFichier, data };
        return { id: await recordRestitution(db, files, acces.stored.convention, doc, principal.userId) };
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
      url: "/api/conventions/:id/restitutions",
      summary: "Études restituées et leurs envois aux fournisseurs",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "voir_convention",
      conventionOf: byConvention,
    },
    async ({ params }) => listRestitutions(db, params.id),
  );
}
