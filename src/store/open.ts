import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";
import type { Db } from "./db.js";
import { migrate } from "./migrate.js";

/** Opens the configured database (PostgreSQL when a URL is set, else embedded PGlite) and migrates it. */
export async function openStore(config: Pick<Config, "databaseUrl" | "dataDir">): Promise<Db> {
  // The data folder (database, stored files, secrets, uploads) is Socle's own.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  let db: Db;
  if (config.databaseUrl) {
    const { openPostgres } = await import("./postgres.js");
    db = await openPostgres(config.databaseUrl);
  } else {
    const { openPglite } = await import("./pglite.js");
    db = await openPglite(path.join(config.dataDir, "pglite"));
  }
  await migrate(db);
  return db;
}
