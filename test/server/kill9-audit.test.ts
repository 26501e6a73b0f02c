/**
 * Batched audit appends survive kill -9: the server started by the `socle`
 * command is killed while a crowd of authenticated requests runs; every
 * request it had answered has its entry in the audit log, and the chain
 * verifies.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { verifyAudit } from "../../src/store/audit.js";
import { openStore } from "../../src/store/open.js";
import { Client } from "../helpers/server.js";
import { SocleProcesses } from "../helpers/socle-process.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "socle-kill9-"));
const env: Record<string, string | undefined> = {
  ...process.env,
  SOCLE_DATA_DIR: dataDir,
  SOCLE_LOG_LEVEL: "warn",
};
delete env.SOCLE_DATABASE_URL;
const procs = new SocleProcesses(() => env);
afterAll(() => {
  procs.killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

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

    const url = await procs.serve();
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
    await procs.stopServer("SIGKILL");
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
