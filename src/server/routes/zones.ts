/**
 * Custom zones of an organisation: list, read, create, edit and delete.
 * Members of the organisation read its zones; its administrators and
 * référents change them; a zone some release published is frozen.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { canManageOrganisation, canSeeOrganisation, type Principal } from "../../core/account/model.js";
import { conflit, interdit, introuvable, invalide, SocleError } from "../../core/errors.js";
import {
  membersChange,
  ZONE_CATEGORIES,
  ZONE_CATEGORY_FR,
  type ZoneUnits,
  zoneChangeRefusal,
  zoneMembers,
} from "../../core/territory/zones.js";
import { appendAuditTx } from "../../store/audit.js";
import type { Db, Queryable } from "../../store/db.js";
import {
  createZone,
  deleteZone,
  getZone,
  listZones,
  unknownMembers,
  updateZone,
  zoneNameTaken,
} from "../../store/zones.js";
import { route } from "../api.js";
import * as R from "../responses.js";

const Id = z.uuid({ message: "Identifiant invalide." });
// Not revealing whether something exists to someone without rights: same 404 either way.
const notFound = () => introuvable("introuvable", "Ressource introuvable.");

const Nom = z
  .string()
  .trim()
  .min(1, { message: "Nom requis." })
  .max(200, { message: "200 caractères au plus." });
const Units = z.enum(["communes", "iris"], { message: "Type attendu : communes ou iris." });
const Categorie = z.enum(ZONE_CATEGORIES, {
  message: `Catégorie attendue : ${ZONE_CATEGORIES.join(", ")}.`,
});
const Membres = z.array(z.string().max(20)).max(50_000, { message: "50 000 unités au plus." });
const Description = z.string().max(2000, { message: "2 000 caractères au plus." });

function mayChange(principal: Principal, organisationId: string, verb: string): void {
  if (!canSeeOrganisation(principal, organisationId)) throw notFound();
  if (!canManageOrganisation(principal, organisationId))
    throw interdit(
      "role_insuffisant",
      `Seuls les administrateurs et référents de l'organisation ${verb} ses zones.`,
    );
}

/** The members as stored, every one known to the referential, or a French refusal. */
async function checkedMembers(q: Queryable, units: ZoneUnits, codes: readonly string[]): Promise<string[]> {
  const membres = zoneMembers(units, codes);
  if (membres instanceof SocleError) throw membres;
  const unknown = await unknownMembers(q, units, membres);
  if (unknown.length > 0)
    throw invalide("membre_inconnu", `Territoire(s) inconnu(s) : ${unknown.slice(0, 5).join(", ")}.`);
  return membres;
}

async function nameFree(q: Queryable, organisationId: string, nom: string, except?: string): Promise<void> {
  if (await zoneNameTaken(q, organisationId, nom, except))
    throw conflit("zone_existante", `L'organisation a déjà une zone nommée « ${nom} ».`);
}

export function zoneRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): void {
  const { db } = deps;
  route(
    app,
    {
      method: "GET",
      url: "/api/zones",
      response: R.Zones,
      summary: "Zones personnalisées des organisations de l'utilisateur",
      tag: "Zones",
    },
    async ({ principal }) => {
      const zones = await listZones(
        db,
        principal.memberships.map((m) => m.organisationId),
      );
      return zones.map((zone) => ({
        ...zone,
        categorieLibelle: ZONE_CATEGORY_FR[zone.categorie as keyof typeof ZONE_CATEGORY_FR] ?? zone.categorie,
      }));
    },
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
      return { ...zone, categorieLibelle: ZONE_CATEGORY_FR[zone.categorie] };
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
        nom: Nom,
        type: Units,
        categorie: Categorie.optional(),
        description: Description.optional(),
        membres: Membres,
      }),
    },
    async ({ body, principal }) => {
      mayChange(principal, body.organisationId, "créent");
      const membres = await checkedMembers(db, body.type, body.membres);
      const id = await db.transaction(async (tx) => {
        await nameFree(tx, body.organisationId, body.nom);
        const id = await createZone(tx, {
          organisationId: body.organisationId,
          nom: body.nom,
          kind: body.type,
          categorie: body.categorie ?? "autre",
          description: body.description ?? null,
          membres,
        });
        await appendAuditTx(tx, {
          actorId: principal.userId,
          action: "zones.creation",
          target: id,
          detail: { organisation: body.organisationId, type: body.type, membres: membres.length },
          at: deps.now(),
        });
        return id;
      });
      return { id };
    },
  );
  route(
    app,
    {
      method: "PATCH",
      url: "/api/zones/:id",
      response: R.Zone,
      summary:
        "Modifier une zone personnalisée (nom, catégorie, description, unités) ; refusé si une diffusion l'a publiée",
      tag: "Zones",
      params: z.object({ id: Id }),
      body: z
        .object({
          nom: Nom.optional(),
          categorie: Categorie.optional(),
          description: Description.nullable().optional(),
          type: Units.optional(),
          membres: Membres.optional(),
        })
        .refine((b) => b.type === undefined || b.membres !== undefined, {
          message: "Changer le type d'unités demande la liste des membres.",
          path: ["membres"],
        }),
    },
    async ({ params, body, principal }) => {
      const found = await getZone(db, params.id);
      if (!found) throw notFound();
      mayChange(principal, found.organisationId, "modifient");
      const zone = await db.transaction(async (tx) => {
        const zone = (await getZone(tx, params.id, true)) ?? found;
        const refusal = zoneChangeRefusal("modification", zone.diffusions);
        if (refusal) throw refusal;
        const kind = body.type ?? zone.kind;
        const membres = body.membres ? await checkedMembers(tx, kind, body.membres) : zone.membres;
        const nom = body.nom ?? zone.nom;
        if (nom !== zone.nom) await nameFree(tx, zone.organisationId, nom, zone.id);
        const next = {
          nom,
          kind,
          categorie: body.categorie ?? zone.categorie,
          description: body.description === undefined ? zone.description : body.description,
          membres,
        };
        await updateZone(tx, zone.id, { ...next, at: deps.now() });
        await appendAuditTx(tx, {
          actorId: principal.userId,
          action: "zones.modification",
          target: zone.id,
          detail: {
            organisation: zone.organisationId,
            renommee: nom !== zone.nom,
            type: kind,
            ...membersChange(kind === zone.kind ? zone.membres : [], membres),
          },
          at: deps.now(),
        });
        return { ...zone, ...next };
      });
      return { ...zone, categorieLibelle: ZONE_CATEGORY_FR[zone.categorie] };
    },
  );
  route(
    app,
    {
      method: "DELETE",
      url: "/api/zones/:id",
      response: R.Ok,
      summary: "Supprimer une zone personnalisée ; refusé si une diffusion l'a publiée",
      tag: "Zones",
      params: z.object({ id: Id }),
    },
    async ({ params, principal }) => {
      const found = await getZone(db, params.id);
      if (!found) throw notFound();
      mayChange(principal, found.organisationId, "suppriment");
      await db.transaction(async (tx) => {
        const zone = await getZone(tx, params.id, true);
        if (!zone) throw notFound();
        const refusal = zoneChangeRefusal("suppression", zone.diffusions);
        if (refusal) throw refusal;
        await deleteZone(tx, zone.id);
        await appendAuditTx(tx, {
          actorId: principal.userId,
          action: "zones.suppression",
          target: zone.id,
          detail: { organisation: zone.organisationId, membres: zone.membres.length },
          at: deps.now(),
        });
      });
      return { ok: true };
    },
  );
}
