/**
 * Batched audit appends survive kill -9: the server started by the `socle`
 * command is killed while a crowd of authenticated requests runs; every
 * request it had answered has its entry in the audit log, and the chain
 * verifies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { verifyAudit } from "../../src/store/audit.js";
import { openStore } from "../../src/store/open.js";
import { PROJECT_ROOT } from "../helpers/fixtures.js";
import { Client } from "../helpers/server.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "socle-kill9-"));
const env: Record<string, string | undefined> = {
  ...process.env,
  SOCLE_DATA_DIR: dataDir,
  SOCLE_LOG_LEVEL: "warn",
};
delete env.SOCLE_DATABASE_URL;
let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

function serve(): Promise<string> {
  const p = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(PROJECT_ROOT, "src/cli/main.ts"),
      "serve",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ],
    { cwd: PROJECT_ROOT, env },
  );
  server = p;
  let output = "";
  return new Promise((resolve, reject) => {
    p.stdout.on("data", (d) => {
      output += d;
      const m = /prêt sur (http:\/\/\S+)/.exec(output);
      if (m) resolve(m[1]!.replace("localhost", "127.0.0.1"));
    });
    p.stderr.on("data", (d) => {
      output += d;
    });
    p.on("exit", () => reject(new Error(`server exited: ${output}`)));
  });
}

describe("audit log under kill -9", () => {
  it("keeps an entry for every request answered before the kill", async () => {
    const db = await openStore({ dataDir, databaseUrl: undefined });
    const org = await createOrganisation(db, { nom: "Organisation témoin", kind: "AUTRE" });
    const user = await createUser(db, {
      email: "temoin@kill9.test",
      nom: "Témoin",
      passwordHash: await hashPassword("Temoin-Kill-9-2026"),
    });
    await addMembership(db, user, org, "referent");
    await db.close();

    const url = await serve();
    const c = new Client(url);
    expect((await c.login("temoin@kill9.test", "Temoin-Kill-9-2026")).status).toBe(200);
    const answered: string[] = [];
    let n = 0;
    const worker = async () => {
      for (;;) {
        const id = `temoin-${n++}`;
        try {
          const r = await fetch(`${url}/api/conventions/${id}`, { headers: { cookie: c.cookie! } });
          await r.arrayBuffer();
          if (r.status === 404) answered.push(id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const crowd = Array.from({ length: 20 }, worker);
    await new Promise((r) => setTimeout(r, 3000));
    server!.kill("SIGKILL");
    await Promise.all(crowd);
    expect(answered.length).toBeGreaterThan(50);

    const after = await openStore({ dataDir, databaseUrl: undefined });
    const rows = await after.query<{ id: string }>(
      `SELECT detail->'params'->>'id' AS id FROM audit_log WHERE target = 'GET /api/conventions/:id'`,
    );
    const logged = new Set(rows.map((r) => r.id));
    expect(answered.filter((id) => !logged.has(id))).toEqual([]);
    const chain = await verifyAudit(after);
    expect(chain.problems).toEqual([]);
    await after.close();
  }, 180_000);
});
