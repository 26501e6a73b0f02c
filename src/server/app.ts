/**
 * Builds the HTTP server: API routes under /api, the web front from
 * dist/web. Everything it needs comes in as parameters.
 */
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCompress from "@fastify/compress";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { z } from "zod";
import type { Config, TrustProxy } from "../config.js";
import type { Db } from "../store/db.js";
import { recoverFileArea } from "../store/file-recovery.js";
import { openapiDocument, publicRoute } from "./api.js";
import { type AuthOptions, installRequestAudit, installSessions } from "./auth.js";
import { isHashedAsset, LONG_CACHE_PUBLIC } from "./caching.js";
import { renderDocsHtml } from "./docs-html.js";
import { installErrorHandler } from "./errors.js";
import { installInputGuards } from "./hostile-input.js";
import { installReadCache } from "./read-cache.js";
import * as R from "./responses.js";
import { adminRoutes } from "./routes/admin.js";
import { anomalyRoutes } from "./routes/anomalies.js";
import { authRoutes } from "./routes/auth.js";
import { conventionRoutes } from "./routes/conventions.js";
import { depotRoutes } from "./routes/depots.js";
import { diffusionRoutes } from "./routes/diffusions.js";
import { fedRoutes } from "./routes/fed.js";
import { indicateurRoutes } from "./routes/indicateurs.js";
import { jeuRoutes } from "./routes/jeux.js";
import { organisationRoutes } from "./routes/organisations.js";
import { portraitRoutes } from "./routes/portraits.js";
import { restitutionRoutes } from "./routes/restitutions.js";
import { tacheRoutes } from "./routes/taches.js";
import { territoireRoutes } from "./routes/territoires.js";
import { zoneRoutes } from "./routes/zones.js";
import { installSecurityHeaders } from "./security-headers.js";
import { installAssets } from "./static-assets.js";
import { cleanUploadLeftovers, DEFAULT_UPLOAD_LIMITS, installUploads, type UploadLimits } from "./uploads.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** dist/web, whether running from src/ (tsx, tests) or dist/src/ (build). */
export function defaultWebRoot(): string {
  for (const candidate of [path.resolve(here, "../../dist/web"), path.resolve(here, "../../web")])
    if (existsSync(path.join(candidate, "index.html")) && !existsSync(path.join(candidate, "src")))
      return candidate;
  return path.resolve(here, "../../dist/web");
}

/**
 * What the web front may load: its own scripts, styles and data; the map
 * (MapLibre) draws with web workers from blob: URLs and images from data:
 * and blob: URLs; React sets inline styles through the DOM.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", "blob:"],
  childSrc: ["'self'", "blob:"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const BAD_ADDRESS = {
  erreur: { code: "adresse_invalide", message: "Requête invalide : adresse mal formée." },
};

/**
 * A request Node's parser refuses (bad framing, headers too large): a French
 * 400 or 431, unless an answer already went out on that connection (the
 * router refused the address and closed it: nothing more to say).
 */
function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
  const body = JSON.stringify({
    erreur: tooLarge
      ? { code: "entetes_trop_grands", message: "Requête invalide : en-têtes trop volumineux." }
      : { code: "requete_mal_formee", message: "Requête HTTP mal formée." },
  });
  socket.end(
    `HTTP/1.1 ${tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** Trusted hops for fastify: N hops count from the socket's peer; `true` is one. */
function proxyTrust(
  t: TrustProxy | boolean,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (t === false || t === 0) return false;
  const hops = t === true ? 1 : t;
  if (typeof hops === "number") return (_address, hop) => hop < hops;
  return hops;
}

export interface ServerDeps {
  db: Db;
  config: Pick<Config, "sessionHours" | "logLevel" | "demo"> & {
    /** `true` means one proxy in front (the last hop), never every hop. */
    trustProxy: TrustProxy | boolean;
  };
  now?: () => Date;
  webRoot?: string;
  /** Folder of stored files (deposits, study documents); outside the database. */
  filesDir: string;
  /** Folder of the conventions' pseudonymisation secrets (default: « secrets » beside filesDir). */
  secretsDir?: string;
  /** Folder of uploads in transit (default: « televersements » beside filesDir); emptied at start-up. */
  uploadsDir?: string;
  /** Largest uploads in bytes (defaults: deposits 512 Mio, study documents 100 Mio). */
  uploadLimits?: Partial<UploadLimits>;
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
    trustProxy: proxyTrust(deps.config.trustProxy),
    bodyLimit: 5 * 1024 * 1024,
    // Malformed addresses are refused by the router before any hook: in French too.
    frameworkErrors: (_err, _request, reply) => {
      void (reply as unknown as FastifyReply)
        .code(400)
        .type("application/json; charset=utf-8")
        .send(JSON.stringify(BAD_ADDRESS));
    },
    clientErrorHandler,
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
  // Uploads (deposits, study documents) stay unread until their route has checked the user.
  const uploadsDir = deps.uploadsDir ?? path.join(path.dirname(deps.filesDir), "televersements");
  await cleanUploadLeftovers(uploadsDir);
  // What a kill -9 left in the stored files (half-written files, uncommitted deposits, destructions).
  await recoverFileArea(deps.db, { root: deps.filesDir });
  await installUploads(app);
  installErrorHandler(app);
  installInputGuards(app);
  await app.register(fastifyCookie, { hook: "onRequest" });
  installSessions(app, auth);
  installReadCache(app);
  installRequestAudit(app, auth);
  // helmet's headers, computed once (security-headers.ts).
  await installSecurityHeaders(app, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
    // The map's web workers and tiles are same-origin; nothing is embedded cross-origin.
    crossOriginEmbedderPolicy: false,
  });
  // gzip only: brotli's CPU cost does not pay on two shared cores.
  await app.register(fastifyCompress, { threshold: 1024, encodings: ["gzip", "deflate"] });

  publicRoute(
    app,
    {
      method: "GET",
      url: "/api/sante",
      response: R.Sante,
      summary: "État du service",
      tag: "Service",
      public: true,
    },
    async () => {
      await deps.db.query("SELECT 1");
      return { ok: true, base: deps.db.engine, demo: deps.config.demo };
    },
  );
  // Liveness: answers without touching anything (load balancers; the load bench's baseline).
  publicRoute(
    app,
    {
      method: "GET",
      url: "/api/sante/vivant",
      response: R.Vivant,
      summary: "Le processus répond",
      tag: "Service",
      public: true,
    },
    async () => ({ ok: true }),
  );
  publicRoute(
    app,
    {
      method: "GET",
      url: "/api/docs",
      response: R.OpenApiDocument,
      summary: "Document OpenAPI de l'API (JSON ; page HTML pour un navigateur)",
      tag: "Service",
      public: true,
      query: z.object({ format: z.enum(["json", "html"]).optional() }),
    },
    async ({ query, request, reply }) => {
      const html =
        query.format === "html" ||
        (query.format !== "json" && /text\/html/.test(request.headers.accept ?? ""));
      if (!html) return openapiDocument();
      return reply.type("text/html; charset=utf-8").send(renderDocsHtml(openapiDocument()));
    },
  );
  authRoutes(app, auth);
  territoireRoutes(app, deps.db);
  const uploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...deps.uploadLimits };
  depotRoutes(app, { db: deps.db, now: auth.now, uploads: uploadsDir, uploadLimits });
  organisationRoutes(app, deps.db);
  zoneRoutes(app, { db: deps.db, now: auth.now });
  indicateurRoutes(app, { db: deps.db, now: auth.now });
  portraitRoutes(app, { db: deps.db, now: auth.now });
  tacheRoutes(app, { db: deps.db, now: auth.now });
  adminRoutes(app, { db: deps.db, now: auth.now });
  const conventionDeps = {
    db: deps.db,
    files: { root: deps.filesDir },
    secrets: { dir: deps.secretsDir ?? path.join(path.dirname(deps.filesDir), "secrets") },
    uploads: uploadsDir,
    uploadLimits,
    now: auth.now,
  };
  for (const routes of [
    conventionRoutes,
    fedRoutes,
    jeuRoutes,
    diffusionRoutes,
    restitutionRoutes,
    anomalyRoutes,
  ])
    routes(app, conventionDeps);

  const webRoot = deps.webRoot ?? defaultWebRoot();
  if (existsSync(path.join(webRoot, "index.html"))) {
    installAssets(app, path.join(webRoot, "assets"));
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      // The bundles are served from memory (static-assets.ts).
      globIgnore: ["assets/**"],
      setHeaders: (res, file) => {
        if (file.endsWith(".mjs")) res.header("content-type", "text/javascript; charset=utf-8");
        // Hashed bundles never change under their name; index.html always revalidates.
        res.header("cache-control", isHashedAsset(file) ? LONG_CACHE_PUBLIC : "no-cache");
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
