/**
 * Fresh databases for tests: an in-memory PGlite, or a new database on the
 * PostgreSQL server named by SOCLE_TEST_DATABASE_URL (dropped afterwards).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Db } from "../../src/store/db.js";
import { migrate } from "../../src/store/migrate.js";
import { openPglite } from "../../src/store/pglite.js";
import { openPostgres } from "../../src/store/postgres.js";

export type Engine = "pglite" | "postgres";

export const POSTGRES_URL = process.env.SOCLE_TEST_DATABASE_URL;

/** The engines to run the store suite on; CI sets SOCLE_TEST_DATABASE_URL so both run there. */
export const ENGINES: Engine[] = POSTGRES_URL ? ["pglite", "postgres"] : ["pglite"];

export interface TestDb {
  db: Db;
  drop(): Promise<void>;
}

export async function freshDb(engine: Engine): Promise<TestDb> {
  if (engine === "pglite") {
    const db = await openPglite();
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  if (!POSTGRES_URL) throw new Error("SOCLE_TEST_DATABASE_URL is not set");
  const name = `socle_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      const a = new pg.Client({ connectionString: POSTGRES_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
      await a.end();
    },
  };
}
