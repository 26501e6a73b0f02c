/**
 * Builds the HTTP server: API routes under /api, the web front from
 * dist/web. Everything it needs comes in as parameters.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "../config.js";
import type { Db } from "../store/db.js";
import { openapiDocument, publicRoute } from "./api.js";
import { type AuthOptions, installRequestAudit, installSessions } from "./auth.js";
import { installErrorHandler } from "./errors.js";
import { authRoutes } from "./routes/auth.js";
import { conventionRoutes } from "./routes/conventions.js";
import { depotRoutes } from "./routes/depots.js";
import { organisationRoutes } from "./routes/organisations.js";
import { territoireRoutes } from "./routes/territoires.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** dist/web, whether running from src/ (tsx, tests) or dist/src/ (build). */
export function defaultWebRoot(): string {
  for (const candidate of [path.resolve(here, "../../dist/web"), path.resolve(here, "../../web")])
    if (existsSync(path.join(candidate, "index.html")) && !existsSync(path.join(candidate, "src")))
      return candidate;
  return path.resolve(here, "../../dist/web");
}

export interface ServerDeps {
  db: Db;
  config: Pick<Config, "sessionHours" | "trustProxy" | "logLevel" | "demo">;
  now?: () => Date;
  webRoot?: string;
  /** Folder of stored files (deposits, study documents); outside the database. */
  filesDir: string;
  /** Folder of the conventions' pseudonymisation secrets (default: « secrets » beside filesDir). */
  secretsDir?: string;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every API route registered, "METHOD /url" (the rights matrix test reads it). */
    apiRoutes: string[];
  }
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      deps.config.logLevel === "silent"
        ? false
        : {
            level: deps.config.logLevel,
            // Never log query strings, headers or bodies: they may carry personal data or session tokens.
            serializers: {
              req: (req: { method: string; url: string }) => ({
                method: req.method,
                url: req.url.split("?")[0],
              }),
            },
          },
    trustProxy: deps.config.trustProxy,
    bodyLimit: 5 * 1024 * 1024,
  });
  const auth: AuthOptions = {
    db: deps.db,
    sessionHours: deps.config.sessionHours,
    now: deps.now ?? (() => new Date()),
  };
  const apiRoutes: string[] = [];
  app.decorate("apiRoutes", apiRoutes);
  app.addHook("onRoute", (r) => {
    if (!r.url.startsWith("/api/")) return;
    for (const m of Array.isArray(r.method) ? r.method : [r.method])
      if (m !== "HEAD") apiRoutes.push(`${m} ${r.url}`);
  });
  // Uploads (deposits, study documents) arrive as the raw file.
  app.addContentTypeParser(
    ["application/octet-stream", "application/pdf"],
    { parseAs: "buffer" },
    (_req, body, done) => done(null, body),
  );
  installErrorHandler(app);
  installSessions(app, auth);
  installRequestAudit(app, auth);
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    reply.header("x-frame-options", "DENY");
    return payload;
  });

  publicRoute(
    app,
    { method: "GET", url: "/api/sante", summary: "État du service", tag: "Service", public: true },
    async () => {
      await deps.db.query("SELECT 1");
      return { ok: true, base: deps.db.engine, demo: deps.config.demo };
    },
  );
  publicRoute(
    app,
    { method: "GET", url: "/api/docs", summary: "Document OpenAPI de l'API", tag: "Service", public: true },
    async () => openapiDocument(),
  );
  authRoutes(app, auth);
  territoireRoutes(app, deps.db);
  depotRoutes(app, { db: deps.db, now: auth.now });
  organisationRoutes(app, deps.db);
  conventionRoutes(app, {
    db: deps.db,
    files: { root: deps.filesDir },
    secrets: { dir: deps.secretsDir ?? path.join(path.dirname(deps.filesDir), "secrets") },
    now: auth.now,
  });

  const webRoot = deps.webRoot ?? defaultWebRoot();
  if (existsSync(path.join(webRoot, "index.html"))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      setHeaders: (res, file) => {
        if (file.endsWith(".mjs")) res.header("content-type", "text/javascript; charset=utf-8");
      },
    });
    // Client-side routes of the single-page front all load index.html.
    app.get("/*", async (request, reply) => {
      if (request.url.startsWith("/api/")) return reply.callNotFound();
      return reply.sendFile("index.html");
    });
  }
  return app;
}
