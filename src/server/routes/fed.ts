/**
 * FED data requests: filing (feuille 1), reading, the printable form and the
 * provider's answer (feuille 2).
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { FED_STATUS_FR, type FedRequest, renderFedForm } from "../../core/convention/fed.js";
import type { Convention } from "../../core/convention/model.js";
import { DatasetSchema } from "../../core/convention/schema.js";
import { interdit, invalide } from "../../core/errors.js";

import { answerFedRequest, fedRequestsOf, fileFedRequest, getFedRequest } from "../../store/fed.js";
import { partiesOf } from "../access.js";
import { conventionRoute, route } from "../api.js";
import * as R from "../responses.js";
import {
  byConvention,
  byFed,
  type ConventionDeps,
  ConvId,
  conventionsOfUser,
  userParty,
} from "./convention-context.js";
import { Uuid } from "./params.js";

const fedView = (c: Convention, r: FedRequest, mine: readonly string[]) => ({
  ...r,
  statutLibelle: FED_STATUS_FR[r.statut],
  convention: { id: c.id, titre: c.titre },
  demandeurNom: c.parties.find((p) => p.id === r.feuille1.demandeur)?.nom ?? r.feuille1.demandeur,
  fournisseurNom: c.parties.find((p) => p.id === r.feuille1.fournisseur)?.nom ?? r.feuille1.fournisseur,
  sens: mine.includes(r.feuille1.fournisseur)
    ? "recue"
    : mine.includes(r.feuille1.demandeur)
      ? "envoyee"
      : "autre",
  annexesDuFournisseur: c.jeux
    .filter((j) => j.fournisseur === r.feuille1.fournisseur)
    .map((j) => ({ id: j.id, titre: j.titre })),
});

export function fedRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db } = deps;

  // FED: data requests.
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/fed",
      response: R.Created,
      summary: "Déposer une fiche d'expression des besoins (feuille 1)",
      tag: "FED",
      params: z.object({ id: ConvId }),
      body: z.object({
        fournisseur: z.string().min(1, { message: "Fournisseur sollicité requis." }),
        referent: z.object({
          nom: z.string().trim().max(200),
          fonction: z.string().trim().max(200).optional(),
          email: z.string().trim().max(200).optional(),
          telephone: z.string().trim().max(40).optional(),
        }),
        service: z.string().trim().max(200),
        chefService: z.string().trim().max(200),
        etude: z.string().trim().max(4000),
        indicateurs: z.array(z.string().trim().max(500)).max(200),
        delaiSouhaite: z.string(),
      }),
      action: "demander_donnees",
      conventionOf: byConvention,
    },
    async ({ body, acces, principal }) => {
      const demandeur = userParty(acces, ["destinataire", "prestataire"]);
      const id = await fileFedRequest(db, acces.enVigueur, { ...body, demandeur }, principal.userId);
      return { id };
    },
  );

  route(
    app,
    {
      method: "GET",
      url: "/api/fed",
      response: R.Feds,
      summary: "Demandes FED reçues et envoyées par l'organisation",
      tag: "FED",
    },
    async ({ principal, request }) => {
      const all = await conventionsOfUser(request, db, principal);
      const mine = all
        .map((s) => ({ s, parties: partiesOf(principal, s).parties }))
        .filter((x) => x.parties.length > 0);
      const requests = await fedRequestsOf(
        db,
        mine.map((x) => x.s.convention.id),
      );
      return requests.map((r) => {
        const x = mine.find((m) => m.s.convention.id === r.conventionId)!;
        return fedView(x.s.convention, r, x.parties);
      });
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/fed/:id",
      response: R.FedDetail,
      summary: "Une demande FED et sa réponse",
      tag: "FED",
      params: z.object({ id: Uuid }),
      action: "voir_convention",
      conventionOf: byFed,
    },
    async ({ params, acces }) => fedView(acces.enVigueur, await getFedRequest(db, params.id), acces.parties),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/fed/:id/formulaire",
      summary: "Les deux feuilles de la FED, en formulaire imprimable (HTML)",
      tag: "FED",
      produces: "text/html",
      params: z.object({ id: Uuid }),
      action: "voir_convention",
      conventionOf: byFed,
    },
    async ({ params, acces, reply }) =>
      reply
        .type("text/html; charset=utf-8")
        .send(renderFedForm(acces.enVigueur, await getFedRequest(db, params.id))),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/fed/:id/reponse",
      response: R.FedReponse,
      summary: "Répondre à une demande FED (feuille 2) : avis favorable ou défavorable motivé",
      tag: "FED",
      params: z.object({ id: Uuid }),
      body: z.object({
        avis: z.enum(["favorable", "defavorable"], { message: "Avis attendu : favorable ou defavorable." }),
        motif: z.string().trim().max(4000).optional(),
        indicateursDisponibles: z.array(z.string().trim().max(500)).max(200).default([]),
        delaiLivraison: z.string().optional(),
        annexes: z.array(z.string().max(100)).max(50).default([]),
        /** « Données ciblées »: a dataset beyond the annexes, defined with its fields by the favorable answer. */
        donneesCiblees: DatasetSchema.omit({ fournisseur: true, origine: true }).optional(),
      }),
      action: "repondre_fed",
      conventionOf: byFed,
    },
    async ({ params, body, acces, principal }) => {
      const request = await getFedRequest(db, params.id);
      if (!acces.parties.includes(request.feuille1.fournisseur))
        throw interdit("pas_le_fournisseur", "Seul le fournisseur sollicité répond à cette demande.");
      if (body.donneesCiblees && body.avis !== "favorable")
        throw invalide("donnees_ciblees_defavorable", "Seul un avis favorable définit des données ciblées.");
      const { request: answered, jeux } = await answerFedRequest(
        db,
        acces.enVigueur,
        params.id,
        {
          avis: body.avis,
          ...(body.motif ? { motif: body.motif } : {}),
          indicateursDisponibles: body.indicateursDisponibles,
          ...(body.delaiLivraison ? { delaiLivraison: body.delaiLivraison } : {}),
          annexes: body.annexes,
        },
        principal.userId,
        body.donneesCiblees
          ? { ...body.donneesCiblees, fournisseur: request.feuille1.fournisseur }
          : undefined,
      );
      return { statut: answered.statut, jeux };
    },
  );
}
