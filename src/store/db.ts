/**
 * The one database contract of Socle: PostgreSQL 15 SQL with $n parameters,
 * served either by the embedded PGlite (default) or by a PostgreSQL server.
 * Plain SQL keeps the dialect visible and identical on both engines.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Db extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** Runs `fn` in one transaction: all of it commits, or none of it. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function one<R>(q: Queryable, sql: string, params?: readonly unknown[]): Promise<R | undefined> {
  const rows = await q.query<R>(sql, params);
  return rows[0];
}
