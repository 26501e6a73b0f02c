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
import type { Queryable } from "../store/db.js";
import { type ConventionAccess, checkAccess, orHidden } from "./access.js";

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: "GET" | "POST" | "PUT" | "DELETE";
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

function record(spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>): void {
  const path = spec.url.replace(/:([a-zA-Z]+)/g, "{$1}");
  const parameters: unknown[] = [];
  const addParams = (schema: z.ZodType | undefined, where: "path" | "query") => {
    if (!schema) return;
    const js = z.toJSONSchema(schema, { io: "input" }) as {
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
  const op: Record<string, unknown> = {
    summary: spec.summary,
    tags: [spec.tag],
    parameters,
    responses: {
      "200": {
        description: "Succès",
        ...(spec.response
          ? { content: { "application/json": { schema: z.toJSONSchema(spec.response) } } }
          : {}),
      },
      ...(spec.public ? {} : { "401": { description: "Non authentifié" } }),
      "400": { description: "Requête invalide" },
    },
    ...(spec.public ? { security: [] } : {}),
  };
  if (spec.body)
    op.requestBody = {
      required: true,
      content: { "application/json": { schema: z.toJSONSchema(spec.body, { io: "input" }) } },
    };
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
  guard: (principal: Principal, params: z.infer<P>) => Promise<G>,
  handler: (ctx: AuthedCtx<z.infer<P>, z.infer<Q>, z.infer<B>>, guarded: G) => Promise<unknown>,
): void {
  record(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.upload ? { config: { upload: true } } : {}),
    handler: async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new SocleError("non_authentifie", "non_authentifie", "Authentification requise.");
      const params = parse(spec.params, request.params, "paramètre");
      const guarded = await guard(principal, params);
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
    async (principal, params) => {
      const conventionId = await orHidden(spec.conventionOf(params, deps.db));
      const on: IsoDate = isoDateInParis(deps.now());
      return checkAccess(deps.db, principal, conventionId, spec.action, on);
    },
    (ctx, acces) => handler({ ...ctx, acces }),
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
    components: { securitySchemes: { session: { type: "apiKey", in: "cookie", name: "socle_session" } } },
    security: [{ session: [] }],
    paths: openapiPaths,
  };
}
