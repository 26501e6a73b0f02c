/**
 * Administration: users, organisations and memberships (with their
 * service), and the audit log with its chain verification. The platform
 * administrator manages everything; an organisation's administrators and
 * referents manage its members; the audit log is the platform
 * administrator's only.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  canManageOrganisation,
  canSeeOrganisation,
  EmailSchema,
  ORGANISATION_KIND_FR,
  ORGANISATION_KINDS,
  type Principal,
  passwordProblem,
  ROLE_FR,
  ROLES,
} from "../../core/account/model.js";
import { isIsoDate } from "../../core/convention/dates.js";
import { conflit, interdit, introuvable, invalide } from "../../core/errors.js";
import {
  addMembership,
  createOrganisation,
  createUser,
  findOrganisationByNom,
} from "../../store/accounts.js";
import { auditActions, listAudit, listUsers } from "../../store/admin.js";
import { appendAudit, verifyAudit } from "../../store/audit.js";
import type { Db } from "../../store/db.js";
import { route } from "../api.js";
import { hashPassword } from "../passwords.js";
import * as R from "../responses.js";
import { Uuid } from "./params.js";

const notFound = () => introuvable("introuvable", "Ressource introuvable.");
const platformOnly = (p: Principal) => {
  if (!p.platformAdmin)
    throw interdit("administration_plateforme", "Réservé à l'administration de la plateforme.");
};
const Day = z.string().refine(isIsoDate, { message: "Date attendue (AAAA-MM-JJ)." }).optional();
const Service = z.string().trim().max(200).optional();

/** Organisations the principal manages (every one for the platform administrator). */
const managed = (p: Principal): string[] | "all" =>
  p.platformAdmin
    ? "all"
    : p.memberships.filter((m) => m.role === "admin" || m.role === "referent").map((m) => m.organisationId);

function checkMemberRights(p: Principal, organisationId: string): void {
  if (!canSeeOrganisation(p, organisationId)) throw notFound();
  if (!canManageOrganisation(p, organisationId))
    throw interdit(
      "role_insuffisant",
      "Seuls les administrateurs et référents de l'organisation en gèrent les membres.",
    );
}

export function adminRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): void {
  const { db } = deps;

  route(
    app,
    {
      method: "GET",
      url: "/api/admin/utilisateurs",
      response: R.Utilisateurs,
      summary: "Utilisateurs des organisations que l'on gère (tous pour l'administration de la plateforme)",
      tag: "Administration",
    },
    async ({ principal }) => {
      const orgs = managed(principal);
      if (orgs !== "all" && orgs.length === 0) return [];
      return (await listUsers(db, orgs)).map((u) => ({
        ...u,
        organisations: u.organisations.map((o) => ({ ...o, roleLibelle: ROLE_FR[o.role] })),
      }));
    },
  );

  route(
    app,
    {
      method: "POST",
      url: "/api/admin/utilisateurs",
      response: R.Created,
      summary: "Créer un compte membre d'une organisation (rôle, service)",
      tag: "Administration",
      body: z.object({
        email: EmailSchema,
        nom: z.string().trim().min(1, { message: "Nom requis." }).max(200),
        motDePasse: z.string().max(500),
        organisationId: Uuid,
        role: z.enum(ROLES, { message: `Rôle attendu : ${ROLES.join(", ")}.` }),
        service: Service,
      }),
    },
    async ({ body, principal }) => {
      checkMemberRights(principal, body.organisationId);
      const problem = passwordProblem(body.motDePasse);
      if (problem) throw invalide("mot_de_passe", problem);
      const existing = await db.query("SELECT 1 FROM app_user WHERE lower(email) = $1", [body.email]);
      if (existing.length > 0) throw conflit("compte_existant", "Un compte existe déjà pour cette adresse.");
      const passwordHash = await hashPassword(body.motDePasse);
      const id = await db.transaction(async (tx) => {
        const uid = await createUser(tx, { email: body.email, nom: body.nom, passwordHash });
        await addMembership(tx, uid, body.organisationId, body.role, body.service || null);
        return uid;
      });
      await appendAudit(db, {
        actorId: principal.userId,
        action: "comptes.creation",
        target: id,
        detail: { organisation: body.organisationId, role: body.role },
        at: deps.now(),
      });
      return { id };
    },
  );

  route(
    app,
    {
      method: "PUT",
      url: "/api/organisations/:id/membres/:utilisateur",
      response: R.Ok,
      summary: "Ajouter un membre à l'organisation ou changer son rôle et son service",
      tag: "Organisations",
      params: z.object({ id: Uuid, utilisateur: Uuid }),
      body: z.object({
        role: z.enum(ROLES, { message: `Rôle attendu : ${ROLES.join(", ")}.` }),
        service: Service,
      }),
    },
    async ({ params, body, principal }) => {
      checkMemberRights(principal, params.id);
      const user = await db.query("SELECT 1 FROM app_user WHERE id = $1", [params.utilisateur]);
      if (user.length === 0) throw notFound();
      await addMembership(db, params.utilisateur, params.id, body.role, body.service || null);
      await appendAudit(db, {
        actorId: principal.userId,
        action: "comptes.adhesion",
        target: params.utilisateur,
        detail: { organisation: params.id, role: body.role },
        at: deps.now(),
      });
      return { ok: true };
    },
  );

  route(
    app,
    {
      method: "POST",
      url: "/api/admin/organisations",
      response: R.OrganisationCreee,
      summary: "Créer une organisation (administration de la plateforme)",
      tag: "Administration",
      body: z.object({
        nom: z.string().trim().min(1, { message: "Nom requis." }).max(200),
        type: z.enum(ORGANISATION_KINDS, { message: `Type attendu : ${ORGANISATION_KINDS.join(", ")}.` }),
      }),
    },
    async ({ body, principal }) => {
      platformOnly(principal);
      if (await findOrganisationByNom(db, body.nom))
        throw conflit("organisation_existante", `L'organisation « ${body.nom} » existe déjà.`);
      const id = await createOrganisation(db, { nom: body.nom, kind: body.type });
      await appendAudit(db, {
        actorId: principal.userId,
        action: "organisations.creation",
        target: id,
        detail: { type: body.type },
        at: deps.now(),
      });
      return { id, typeLibelle: ORGANISATION_KIND_FR[body.type] };
    },
  );

  route(
    app,
    {
      method: "GET",
      url: "/api/admin/journal",
      response: R.Journal,
      summary: "Journal d'audit filtré par utilisateur, action et dates (administration de la plateforme)",
      tag: "Administration",
      query: z.object({
        utilisateur: Uuid.optional(),
        action: z.string().trim().max(200).optional(),
        du: Day,
        au: Day,
        limite: z.coerce.number().int().min(1).max(1000).default(200),
      }),
    },
    async ({ query, principal }) => {
      platformOnly(principal);
      const [entrees, actions] = await Promise.all([
        listAudit(db, {
          limite: query.limite,
          ...(query.utilisateur ? { utilisateur: query.utilisateur } : {}),
          ...(query.action ? { action: query.action } : {}),
          ...(query.du ? { du: query.du } : {}),
          ...(query.au ? { au: query.au } : {}),
        }),
        auditActions(db),
      ]);
      return { entrees, actions };
    },
  );

  route(
    app,
    {
      method: "GET",
      url: "/api/admin/journal/verification",
      response: R.JournalVerification,
      summary: "Vérifier la chaîne du journal d'audit (administration de la plateforme)",
      tag: "Administration",
    },
    async ({ principal }) => {
      platformOnly(principal);
      const v = await verifyAudit(db);
      return {
        ok: v.ok,
        entrees: v.entries,
        problemes: v.problems,
        message: v.ok
          ? `Chaîne intègre : ${v.entries} entrée(s) vérifiée(s).`
          : `Chaîne rompue : ${v.problems.length} problème(s) sur ${v.entries} entrée(s).`,
      };
    },
  );
}
