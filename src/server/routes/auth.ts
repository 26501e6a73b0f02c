import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { EmailSchema, type Principal, ROLE_FR } from "../../core/account/model.js";
import { publicRoute, route } from "../api.js";
import { type AuthOptions, login, logout } from "../auth.js";
import * as R from "../responses.js";

export const PrincipalView = z.object({
  id: z.string(),
  email: z.string(),
  nom: z.string(),
  administrateurPlateforme: z.boolean(),
  organisations: z.array(
    z.object({
      id: z.string(),
      nom: z.string(),
      type: z.string(),
      role: z.string(),
      roleLibelle: z.string(),
    }),
  ),
});

export const presentPrincipal = (p: Principal): z.infer<typeof PrincipalView> => ({
  id: p.userId,
  email: p.email,
  nom: p.nom,
  administrateurPlateforme: p.platformAdmin,
  organisations: p.memberships.map((m) => ({
    id: m.organisationId,
    nom: m.organisationNom,
    type: m.organisationKind,
    role: m.role,
    roleLibelle: ROLE_FR[m.role],
  })),
});

export function authRoutes(app: FastifyInstance, opts: AuthOptions): void {
  publicRoute(
    app,
    {
      method: "POST",
      url: "/api/auth/connexion",
      summary: "Se connecter (ouvre une session par cookie)",
      tag: "Authentification",
      public: true,
      body: z.object({
        email: EmailSchema,
        motDePasse: z.string().min(1, { message: "Mot de passe requis." }).max(1024),
      }),
      response: PrincipalView,
    },
    async ({ body, request, reply }) =>
      presentPrincipal(await login(opts, request, reply, body.email, body.motDePasse)),
  );
  publicRoute(
    app,
    {
      method: "POST",
      url: "/api/auth/deconnexion",
      response: R.Ok,
      summary: "Se déconnecter",
      tag: "Authentification",
      public: true,
    },
    async ({ request, reply }) => {
      await logout(opts, request, reply);
      return { ok: true };
    },
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/moi",
      summary: "Utilisateur connecté et ses organisations",
      tag: "Authentification",
      response: PrincipalView,
    },
    async ({ principal }) => presentPrincipal(principal),
  );
}
