import pg from "pg";
import type { Db, Queryable } from "./db.js";

// Keep bigint as text (never silently rounded); the SQL casts to int where a number is wanted.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Fail now, with the server's message, rather than on the first request.
  const c = await pool.connect();
  c.release();
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const r = await client.query(sql, params as unknown[]);
      return r.rows as R[];
    },
  });
  const q = wrap(pool);
  return {
    engine: "postgres",
    query: q.query,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const out = await fn(wrap(client));
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    },
  };
}
