import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Db, Queryable } from "./db.js";

function wrap(tx: Transaction | PGlite): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const r = await tx.query<R>(sql, params as unknown[]);
      return r.rows;
    },
  };
}

/** Opens (creating if needed) the embedded database in `dataDir`, or in memory when undefined. */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  const q = wrap(pg);
  return {
    engine: "pglite",
    query: q.query,
    async transaction(fn) {
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    async exec(sql) {
      await pg.exec(sql);
    },
    async close() {
      await pg.close();
    },
  };
}
