import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
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

/**
 * PGlite creates its files with mode 0666 whatever the umask. The folder is
 * kept 0700 (nobody else can reach what is inside) and every file in it is
 * brought to 0600, folders to 0700, when the database opens and closes.
 */
export function makePrivate(dir: string): void {
  chmodSync(dir, 0o700);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) makePrivate(full);
    else if (e.isFile()) chmodSync(full, 0o600);
  }
}

/** Opens (creating if needed) the embedded database in `dataDir`, or in memory when undefined. */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    makePrivate(dataDir);
  }
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  if (dataDir) makePrivate(dataDir);
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
      if (dataDir) makePrivate(dataDir);
    },
  };
}
