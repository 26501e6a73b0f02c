import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { canSeeOrganisation, ORGANISATION_KIND_FR } from "../../core/account/model.js";
import { introuvable } from "../../core/errors.js";
import { listMembers, listOrganisations } from "../../store/accounts.js";
import type { Db } from "../../store/db.js";
import { route } from "../api.js";
import * as R from "../responses.js";

const Id = z.uuid({ message: "Identifiant invalide." });
// Not revealing whether something exists to someone without rights: same 404 either way.
const notFound = () => introuvable("introuvable", "Ressource introuvable.");

export function organisationRoutes(app: FastifyInstance, db: Db): void {
  route(
    app,
    {
      method: "GET",
      url: "/api/organisations",
      response: R.Organisations,
      summary: "Organisations visibles par l'utilisateur",
      tag: "Organisations",
    },
    async ({ principal }) => {
      const orgs = await listOrganisations(
        db,
        principal.platformAdmin ? "all" : principal.memberships.map((m) => m.organisationId),
      );
      return orgs.map((o) => ({ ...o, typeLibelle: ORGANISATION_KIND_FR[o.kind] }));
    },
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/organisations/annuaire",
      response: R.Annuaire,
      summary: "Annuaire des organisations (nom et type), pour désigner les parties d'une convention",
      tag: "Organisations",
    },
    async () => {
      const orgs = await listOrganisations(db, "all");
      return orgs.map((o) => ({
        id: o.id,
        nom: o.nom,
        type: o.kind,
        typeLibelle: ORGANISATION_KIND_FR[o.kind],
      }));
    },
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/organisations/:id/membres",
      response: R.Membres,
      summary: "Membres d'une organisation (réservé à ses membres)",
      tag: "Organisations",
      params: z.object({ id: Id }),
    },
    async ({ params, principal }) => {
      if (!canSeeOrganisation(principal, params.id)) throw notFound();
      return listMembers(db, params.id);
    },
  );
}
