import type { Db } from "./db.js";
import { MIGRATIONS, type Migration } from "./migrations.js";

/** Applies pending migrations, each in its own transaction; safe to call at every start. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      // Two servers starting together must not both apply the same migration.
      await tx.query("SELECT pg_advisory_xact_lock(4242)");
      const rows = await tx.query("SELECT 1 FROM schema_migration WHERE version = $1", [m.version]);
      if (rows.length > 0) return false;
      for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
      await tx.query("INSERT INTO schema_migration (version, name) VALUES ($1, $2)", [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

/**
 * Splits a migration script into statements on `;`, outside quotes,
 * dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) and `--` comments, so a
 * migration may define a PL/pgSQL function.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const stmt = sql
      .slice(start, end)
      .replace(/^\s*--.*$/gm, "")
      .trim();
    if (stmt.length > 0) out.push(stmt);
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "-" && sql[i + 1] === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === "'") {
      i = sql.indexOf("'", i + 1);
      if (i < 0) throw new Error("Migration : chaîne non fermée.");
      i += 1;
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        if (close < 0) throw new Error(`Migration : bloc ${tag} non fermé.`);
        i = close + tag.length;
      } else i += 1;
    } else if (c === ";") {
      push(i);
      i += 1;
      start = i;
    } else i += 1;
  }
  push(sql.length);
  return out;
}
