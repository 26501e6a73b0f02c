/**
 * Declares API routes with zod schemas: the schemas validate requests and
 * feed the OpenAPI document served at /api/docs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Principal } from "../core/account/model.js";
import { type IsoDate, isoDateInParis } from "../core/convention/dates.js";
import type { Action } from "../core/convention/rights.js";
import { invalide, SocleError } from "../core/errors.js";
import { getConvention } from "../store/conventions.js";
import type { Queryable } from "../store/db.js";
import { type ConventionAccess, checkAccess, orHidden } from "./access.js";
import { readThrough } from "./read-cache.js";

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  summary: string;
  tag: string;
  /** Public routes are the exception: login, health and the API document. */
  public?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response?: z.ZodType;
  /**
   * The route takes an upload: its body is left unread for the handler
   * (server/uploads.ts, receiveUpload, with the route's size limit), after the guard.
   */
  upload?: boolean;
  /** Statuses beyond those the kind of route implies (OpenAPI). */
  errors?: number[];
  /** Media type of a success that is not JSON (exports, forms). */
  produces?: string;
}

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface AuthedCtx<P, Q, B> extends Ctx<P, Q, B> {
  principal: Principal;
}

const openapiPaths: Record<string, Record<string, unknown>> = {};

function frenchIssues(where: string, error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.length ? ` « ${i.path.join(".")} »` : "";
    return `${where}${path} : ${i.message}`;
  });
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const details = frenchIssues(where, r.error);
    throw invalide("requete_invalide", `Requête invalide — ${details[0]}`, details);
  }
  return r.data;
}

const ERROR_FR: Record<number, string> = {
  400: "Requête invalide (message en français, champ en cause)",
  401: "Non authentifié",
  403: "Droit refusé (le message dit pourquoi)",
  404: "Introuvable, ou convention dont l'organisation n'est pas partie",
  409: "Conflit avec l'état actuel",
  413: "Fichier trop volumineux",
  415: "Type de contenu non pris en charge",
  429: "Trop de tentatives",
  500: "Erreur interne (aucun détail)",
};

/** `GET /api/conventions/:id/jeux` → `getConventionsIdJeux`. */
export function operationId(method: string, url: string): string {
  const words = url
    .replace(/^\/api\//, "")
    .split(/[/:-]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** Statuses a route may answer besides 200, from what it is. */
function errorStatuses(spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>, convention: boolean): number[] {
  const out = new Set([400, 500]);
  if (!spec.public) out.add(401);
  if (convention) for (const st of [403, 404, 409]) out.add(st);
  if (spec.method !== "GET") out.add(409);
  if (spec.upload) for (const st of [413, 415]) out.add(st);
  if (spec.url === "/api/auth/connexion") out.add(429);
  for (const st of spec.errors ?? []) out.add(st);
  return [...out].sort();
}

const UPLOAD_BODY = {
  required: true,
  description:
    "Le fichier, tel quel (application/octet-stream, text/csv, XLSX, PDF) ou dans un formulaire multipart/form-data (un seul fichier).",
  content: {
    ...Object.fromEntries(
      [
        "application/octet-stream",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
      ].map((t) => [t, { schema: { type: "string", format: "binary" } }]),
    ),
    "multipart/form-data": {
      schema: {
        type: "object",
        properties: { fichier: { type: "string", format: "binary" } },
        required: ["fichier"],
      },
    },
  },
};

function record(spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>, convention = false): void {
  const path = spec.url.replace(/:([a-zA-Z]+)/g, "{$1}");
  const parameters: unknown[] = [];
  const addParams = (schema: z.ZodType | undefined, where: "path" | "query") => {
    if (!schema) return;
    const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
    for (const [name, s] of Object.entries(js.properties ?? {}))
      parameters.push({
        name,
        in: where,
        required: where === "path" || (js.required ?? []).includes(name),
        schema: s,
      });
  };
  addParams(spec.params, "path");
  addParams(spec.query, "query");
  const errors = Object.fromEntries(
    errorStatuses(spec, convention).map((st) => [
      String(st),
      {
        description: ERROR_FR[st] ?? "Erreur",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Erreur" } } },
      },
    ]),
  );
  const op: Record<string, unknown> = {
    operationId: operationId(spec.method, spec.url),
    summary: spec.summary,
    tags: [spec.tag],
    parameters,
    responses: {
      "200": {
        description: "Succès",
        content: {
          [spec.produces ?? "application/json"]: {
            schema: spec.response
              ? z.toJSONSchema(spec.response, { unrepresentable: "any" })
              : spec.produces && spec.produces !== "application/json"
                ? { type: "string", format: "binary" }
                : {},
          },
        },
      },
      ...errors,
    },
    ...(spec.public ? { security: [] } : {}),
  };
  if (spec.body)
    op.requestBody = {
      required: true,
      content: {
        "application/json": { schema: z.toJSONSchema(spec.body, { io: "input", unrepresentable: "any" }) },
      },
    };
  if (spec.upload) op.requestBody = UPLOAD_BODY;
  openapiPaths[path] = { ...openapiPaths[path], [spec.method.toLowerCase()]: op };
}

export function publicRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  app: FastifyInstance,
  spec: RouteSpec<P, Q, B> & { public: true },
  handler: (ctx: Ctx<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>,
): void {
  record(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) =>
      handler({
        params: parse(spec.params, request.params, "paramètre"),
        query: parse(spec.query, request.query, "paramètre"),
        body: parse(spec.body, request.body, "champ"),
        request,
        reply,
      }),
  });
}

export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  app: FastifyInstance,
  spec: RouteSpec<P, Q, B>,
  handler: (ctx: AuthedCtx<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>,
): void {
  guardedRoute(app, spec, async () => undefined, handler);
}

/**
 * A route whose guard runs once the path parameters are known and before the
 * query and body are read: a user without the right gets 403, never a
 * validation message about a request it may not make.
 */
function guardedRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, G>(
  app: FastifyInstance,
  spec: RouteSpec<P, Q, B>,
  guard: (principal: Principal, params: z.infer<P>, request: FastifyRequest) => Promise<G>,
  handler: (ctx: AuthedCtx<z.infer<P>, z.infer<Q>, z.infer<B>>, guarded: G) => Promise<unknown>,
  convention = false,
): void {
  record(spec, convention);
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.upload ? { config: { upload: true } } : {}),
    handler: async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new SocleError("non_authentifie", "non_authentifie", "Authentification requise.");
      const params = parse(spec.params, request.params, "paramètre");
      const guarded = await guard(principal, params, request);
      return handler(
        {
          params,
          query: parse(spec.query, request.query, "paramètre"),
          body: parse(spec.body, request.body, "champ"),
          request,
          reply,
          principal,
        },
        guarded,
      );
    },
  });
}

export interface ConventionRouteDeps {
  db: Queryable;
  now: () => Date;
}

export interface ConventionCtx<P, Q, B> extends AuthedCtx<P, Q, B> {
  acces: ConventionAccess;
}

/**
 * A route on data held under a convention: the convention is found from the
 * parameters, and the user's rights in it are checked for `action` on today's
 * date (in France) before the handler runs; a refusal is a 403 saying why,
 * except to a user who is no party to it: a 404 like for a missing object.
 */
export function conventionRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  app: FastifyInstance,
  deps: ConventionRouteDeps,
  spec: RouteSpec<P, Q, B> & {
    action: Action;
    conventionOf: (params: z.infer<P>, q: Queryable) => Promise<string>;
  },
  handler: (ctx: ConventionCtx<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>,
): void {
  guardedRoute(
    app,
    spec,
    async (principal, params, request) => {
      // An object's convention never changes; a GET may take it from the read cache (read-cache.ts).
      const conventionId = await orHidden(
        readThrough(request, `de:${spec.url}:${JSON.stringify(params)}`, () =>
          spec.conventionOf(params, deps.db),
        ),
      );
      const on: IsoDate = isoDateInParis(deps.now());
      return checkAccess(deps.db, principal, conventionId, spec.action, on, (id) =>
        readThrough(request, `convention:${id}`, () => getConvention(deps.db, id)),
      );
    },
    (ctx, acces) => handler({ ...ctx, acces }),
    true,
  );
}

export function openapiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "API Socle",
      version: "0.1.0",
      description:
        "API de Socle, plateforme d'observation sociale partagée. Authentification par cookie de session (POST /api/auth/connexion).",
    },
    components: {
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: "socle_session" } },
      schemas: {
        Erreur: {
          type: "object",
          required: ["erreur"],
          properties: {
            erreur: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", description: "Code stable, pour les programmes" },
                message: { type: "string", description: "Message en français, pour les personnes" },
                details: { type: "array", items: { type: "string" } },
              },
            },
          },
        },
      },
    },
    security: [{ session: [] }],
    paths: openapiPaths,
  };
}
