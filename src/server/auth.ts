/**
 * Sessions: an opaque random token in an HttpOnly cookie; only its SHA-256
 * is stored. Login attempts are throttled in the database, atomically, per
 * (account, address), per address and per account (core/account/model.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { loginWait, type Principal } from "../core/account/model.js";
import { SocleError } from "../core/errors.js";
import {
  createSession,
  deleteSession,
  findSessionPrincipal,
  findUserForLogin,
  loadPrincipal,
  reserveLoginAttempt,
  settleLoginAttempt,
} from "../store/accounts.js";
import { appendAudit, auditBatcher } from "../store/audit.js";
import type { Db } from "../store/db.js";
import { dummyHash, verifyPassword } from "./passwords.js";

export const SESSION_COOKIE = "socle_session";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Drops a session from the principal cache (logout). */
    forgetSession(tokenHash: string): void;
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A cookie of the request, as parsed by @fastify/cookie (a malformed one is only an unknown value). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const v = request.cookies?.[name];
  return typeof v === "string" && v.length > 0 && v.length <= 512 ? v : undefined;
}

function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = request.protocol === "https" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export interface AuthOptions {
  db: Db;
  sessionHours: number;
  now: () => Date;
}

/**
 * How long a session's principal is reused without asking the database: a
 * page fires several API requests at once. Any change made through this
 * server (a request other than GET or HEAD: logout, memberships, users)
 * empties the cache at once; a change made elsewhere (another server on the
 * same PostgreSQL, the CLI) takes effect within this delay.
 */
export const SESSION_CACHE_MS = 2000;
const SESSION_CACHE_SIZE = 10_000;

interface CachedSession {
  principal: Principal | null;
  until: number;
}

/** Resolves the session cookie into `request.principal` for every request. */
export function installSessions(app: FastifyInstance, opts: AuthOptions): void {
  app.decorateRequest("principal", null);
  const cache = new Map<string, CachedSession>();
  app.decorate("forgetSession", (tokenHash: string) => cache.delete(tokenHash));
  app.addHook("onResponse", async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") cache.clear();
  });
  app.addHook("onRequest", async (request) => {
    const token = readCookie(request, SESSION_COOKIE);
    if (!token) return;
    const key = sha256(token);
    const now = opts.now();
    const hit = cache.get(key);
    if (hit && hit.until > now.getTime()) {
      request.principal = hit.principal;
      return;
    }
    const found = await findSessionPrincipal(opts.db, key, now);
    if (cache.size >= SESSION_CACHE_SIZE) cache.clear();
    cache.set(key, {
      principal: found?.principal ?? null,
      until: Math.min(
        now.getTime() + SESSION_CACHE_MS,
        found?.expiresAt.getTime() ?? Number.POSITIVE_INFINITY,
      ),
    });
    request.principal = found?.principal ?? null;
  });
}

export async function login(
  opts: AuthOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  email: string,
  password: string,
): Promise<Principal> {
  const now = opts.now();
  const emailKey = sha256(email.toLowerCase());
  const reserved = await reserveLoginAttempt(opts.db, emailKey, request.ip, now, loginWait);
  if ("waitMinutes" in reserved) {
    await appendAudit(opts.db, {
      actorId: null,
      action: "auth.connexion_bloquee",
      detail: { compte: emailKey.slice(0, 16), ip: request.ip },
      at: now,
    });
    throw new SocleError(
      "trop_de_requetes",
      "trop_de_tentatives",
      `Trop de tentatives de connexion. Réessayez dans ${reserved.waitMinutes} minutes.`,
    );
  }
  const user = await findUserForLogin(opts.db, email);
  const ok = user
    ? await verifyPassword(user.passwordHash, password)
    : await verifyPassword(await dummyHash(), password);
  await settleLoginAttempt(opts.db, reserved.id, Boolean(user && ok));
  if (!user || !ok) {
    await appendAudit(opts.db, {
      actorId: user?.id ?? null,
      action: "auth.echec_connexion",
      detail: { compte: emailKey.slice(0, 16), ip: request.ip },
      at: now,
    });
    throw new SocleError(
      "non_authentifie",
      "identifiants_invalides",
      "Adresse électronique ou mot de passe incorrect.",
    );
  }
  const token = randomBytes(32).toString("base64url");
  const maxAge = Math.round(opts.sessionHours * 3600);
  await createSession(opts.db, sha256(token), user.id, new Date(now.getTime() + maxAge * 1000));
  await appendAudit(opts.db, {
    actorId: user.id,
    action: "auth.connexion",
    detail: { ip: request.ip },
    at: now,
  });
  reply.header("set-cookie", sessionCookie(request, token, maxAge));
  return (await loadPrincipal(opts.db, user.id))!;
}

export async function logout(opts: AuthOptions, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = readCookie(request, SESSION_COOKIE);
  if (token) {
    await deleteSession(opts.db, sha256(token));
    request.server.forgetSession(sha256(token));
  }
  reply.header("set-cookie", sessionCookie(request, "", 0));
  if (request.principal)
    await appendAudit(opts.db, {
      actorId: request.principal.userId,
      action: "auth.deconnexion",
      at: opts.now(),
    });
}

/**
 * Every authenticated request is appended to the audit log before its
 * response leaves, by group commit (store/audit.ts, auditBatcher): the
 * answer waits for the transaction that holds its entry.
 */
export function installRequestAudit(app: FastifyInstance, opts: AuthOptions): void {
  const batcher = auditBatcher(opts.db);
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.principal && request.url.startsWith("/api/"))
      await batcher.append({
        actorId: request.principal.userId,
        action: "http.requete",
        target: `${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]}`,
        detail: { statut: reply.statusCode, params: request.params ?? {} },
        at: opts.now(),
      });
    return payload;
  });
  app.addHook("onClose", async () => batcher.flush());
}
