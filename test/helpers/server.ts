import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { isoDateInParis } from "../../src/core/convention/dates.js";
import { buildServer, type ServerDeps } from "../../src/server/app.js";
import { hashPassword } from "../../src/server/passwords.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import type { Db } from "../../src/store/db.js";
import { DEMO_PASSWORD, seedDemo } from "../../src/store/demo.js";
import { type Engine, freshDb } from "./db.js";

export interface TestServer {
  url: string;
  dataDir: string;
  db: Db;
  filesDir: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A real HTTP server on loopback over a fresh database seeded in demo mode. */
export async function startServer(
  engine: Engine = "pglite",
  webRoot?: string,
  trustProxy = false,
  now?: () => Date,
  extra: Partial<Pick<ServerDeps, "uploadLimits">> & { dataDir?: string } = {},
): Promise<TestServer> {
  const t = await freshDb(engine);
  const dataDir = extra.dataDir ?? mkdtempSync(path.join(tmpdir(), "socle-donnees-"));
  const filesDir = path.join(dataDir, "fichiers");
  await ensureCog(t.db);
  await seedDemo(t.db, hashPassword, now ? isoDateInParis(now()) : undefined);
  const app = await buildServer({
    db: t.db,
    config: { sessionHours: 1, trustProxy, logLevel: "silent", demo: true },
    filesDir,
    ...(extra.uploadLimits ? { uploadLimits: extra.uploadLimits } : {}),
    ...(now ? { now } : {}),
    ...(webRoot ? { webRoot } : {}),
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    dataDir,
    db: t.db,
    filesDir,
    app,
    async close() {
      await app.close();
      await t.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client keeping its session cookie, like a browser. */
export class Client {
  cookie: string | undefined;
  constructor(readonly base: string) {}

  async req(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: any; headers: Headers }> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0];
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
  }

  login(email: string, password = DEMO_PASSWORD) {
    return this.req("POST", "/api/auth/connexion", { email, motDePasse: password });
  }
}
