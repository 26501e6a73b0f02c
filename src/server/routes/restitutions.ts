/**
 * Restitution of the study to the providers.
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { isoDateInParis } from "../../core/convention/dates.js";
import { checkSeance } from "../../core/convention/restitution.js";
import type { Queryable } from "../../store/db.js";
import {
  getRestitutionDocument,
  listRestitutions,
  listSeances,
  recordRestitution,
  recordSeance,
  restitutionConvention,
} from "../../store/restitutions.js";
import { conventionRoute } from "../api.js";
import * as R from "../responses.js";
import { receiveUpload } from "../uploads.js";
import { byConvention, type ConventionDeps, ConvId, DateIso } from "./convention-context.js";
import { FileName, Uuid } from "./params.js";

const byRestitution = async (p: { id: string }, q: Queryable) => restitutionConvention(q, p.id);

/** A file name safe in a Content-Disposition header (the original is shown in the page). */
const asciiName = (n: string) => n.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120) || "etude";

export function restitutionRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db, files } = deps;

  // Restitution of the study.
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/restitutions",
      response: R.Created,
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
      response: R.Restitutions,
      summary: "Études restituées et leurs envois aux fournisseurs",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "voir_convention",
      conventionOf: byConvention,
    },
    async ({ params }) => listRestitutions(db, params.id),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/restitutions/:id/document",
      summary: "Télécharger l'étude restituée (chaque partie, dont chaque fournisseur)",
      tag: "Conventions",
      produces: "application/octet-stream",
      params: z.object({ id: Uuid }),
      action: "voir_sorties_protegees",
      conventionOf: byRestitution,
    },
    async ({ params, reply }) => {
      const doc = await getRestitutionDocument(db, files, params.id);
      return reply
        .type("application/octet-stream")
        .header(
          "content-disposition",
          `attachment; filename="${asciiName(doc.nomFichier)}"; filename*=UTF-8''${encodeURIComponent(doc.nomFichier)}`,
        )
        .send(Buffer.from(doc.data));
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/seances-restitution",
      response: R.Created,
      summary: "Enregistrer une séance de restitution (date, participants, compte rendu)",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      body: z.object({
        tenueLe: DateIso,
        participants: z
          .array(z.string().trim().max(300))
          .min(1, { message: "Indiquez au moins un participant." })
          .max(200),
        compteRendu: z
          .string()
          .max(20_000, { message: "Compte rendu trop long (20 000 caractères au plus)." }),
      }),
      action: "restituer",
      conventionOf: byConvention,
    },
    async ({ body, acces, principal }) => {
      const c = acces.stored.convention;
      const seance = checkSeance(c, body, isoDateInParis(deps.now()));
      return { id: await recordSeance(db, c.id, seance, principal.userId, deps.now()) };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id/seances-restitution",
      response: R.Seances,
      summary: "Séances de restitution tenues sous la convention",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "voir_sorties_protegees",
      conventionOf: byConvention,
    },
    async ({ params }) => listSeances(db, params.id),
  );
}
