import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { canManageOrganisation, canSeeOrganisation, ORGANISATION_KIND_FR } from "../../core/account/model.js";
import { interdit, introuvable, invalide } from "../../core/errors.js";
import { isCodeCommune, isCodeIris } from "../../core/territory/codes.js";
import { listMembers, listOrganisations } from "../../store/accounts.js";
import type { Db } from "../../store/db.js";
import { createZone, getZone, listZones, unknownMembers } from "../../store/zones.js";
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
  route(
    app,
    {
      method: "GET",
      url: "/api/zones",
      response: R.Zones,
      summary: "Zones personnalisées des organisations de l'utilisateur",
      tag: "Zones",
    },
    async ({ principal }) =>
      listZones(
        db,
        principal.memberships.map((m) => m.organisationId),
      ),
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/zones/:id",
      response: R.Zone,
      summary: "Une zone personnalisée et ses membres",
      tag: "Zones",
      params: z.object({ id: Id }),
    },
    async ({ params, principal }) => {
      const zone = await getZone(db, params.id);
      if (!zone || !canSeeOrganisation(principal, zone.organisationId)) throw notFound();
      return zone;
    },
  );
  route(
    app,
    {
      method: "POST",
      url: "/api/zones",
      response: R.Created,
      summary: "Créer une zone personnalisée (ensemble de communes ou d'IRIS)",
      tag: "Zones",
      body: z.object({
        organisationId: Id,
        nom: z.string().trim().min(1, { message: "Nom requis." }).max(200),
        type: z.enum(["communes", "iris"], { message: "Type attendu : communes ou iris." }),
        description: z.string().max(2000).optional(),
        membres: z
          .array(z.string().trim().toUpperCase())
          .min(1, { message: "Au moins un membre." })
          .max(50_000),
      }),
    },
    async ({ body, principal }) => {
      if (!canSeeOrganisation(principal, body.organisationId)) throw notFound();
      if (!canManageOrganisation(principal, body.organisationId))
        throw interdit(
          "role_insuffisant",
          "Seuls les administrateurs et référents de l'organisation créent des zones.",
        );
      const check = body.type === "communes" ? isCodeCommune : isCodeIris;
      const malformed = body.membres.filter((c) => !check(c));
      if (malformed.length > 0)
        throw invalide(
          "membre_invalide",
          `Code${malformed.length > 1 ? "s" : ""} mal formé${malformed.length > 1 ? "s" : ""} : ${malformed.slice(0, 5).join(", ")} ; attendu : ${body.type === "communes" ? "code commune à 5 caractères" : "code IRIS à 9 caractères"}.`,
        );
      const unknown = await unknownMembers(db, body.type, body.membres);
      if (unknown.length > 0)
        throw invalide("membre_inconnu", `Territoire(s) inconnu(s) : ${unknown.slice(0, 5).join(", ")}.`);
      const membres = [...new Set(body.membres)];
      const id = await db.transaction((tx) =>
        createZone(tx, {
          organisationId: body.organisationId,
          nom: body.nom,
          kind: body.type,
          description: body.description ?? null,
          membres,
        }),
      );
      return { id };
    },
  );
}
