import {
  type AuditEntry,
  type ChainProblem,
  ChainVerifier,
  chain,
  GENESIS_HASH,
} from "../core/audit/chain.js";
import type { Db, Queryable } from "./db.js";

export interface AuditInput {
  actorId: string | null;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  at?: Date;
}

/** Appends one entry inside the caller's transaction (the advisory lock serialises writers). */
export async function appendAuditTx(tx: Queryable, input: AuditInput): Promise<number> {
  await tx.query("SELECT pg_advisory_xact_lock(4243)");
  const head = await tx.query<{ last_seq: string | number; last_hash: string }>(
    "SELECT last_seq, last_hash FROM audit_head",
  );
  const seq = head[0] ? Number(head[0].last_seq) + 1 : 1;
  const prev = head[0]?.last_hash ?? GENESIS_HASH;
  const entry: AuditEntry = {
    seq,
    at: (input.at ?? new Date()).toISOString(),
    actorId: input.actorId,
    action: input.action,
    target: input.target ?? null,
    detail: input.detail ?? {},
  };
  const c = chain(prev, entry);
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor_id, action, target, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
    [c.seq, c.at, c.actorId, c.action, c.target, JSON.stringify(c.detail), c.prevHash, c.hash],
  );
  await tx.query(
    `INSERT INTO audit_head (last_seq, last_hash) VALUES ($1, $2)
     ON CONFLICT (singleton) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_hash = EXCLUDED.last_hash`,
    [seq, c.hash],
  );
  return seq;
}

/** Appends several entries, in order, inside the caller's transaction: one lock, one head update. */
export async function appendAuditBatchTx(tx: Queryable, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await tx.query("SELECT pg_advisory_xact_lock(4243)");
  const head = await tx.query<{ last_seq: string | number; last_hash: string }>(
    "SELECT last_seq, last_hash FROM audit_head",
  );
  let seq = head[0] ? Number(head[0].last_seq) : 0;
  let prev = head[0]?.last_hash ?? GENESIS_HASH;
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const input of inputs) {
    seq++;
    const c = chain(prev, {
      seq,
      at: (input.at ?? new Date()).toISOString(),
      actorId: input.actorId,
      action: input.action,
      target: input.target ?? null,
      detail: input.detail ?? {},
    });
    prev = c.hash;
    const row = [c.seq, c.at, c.actorId, c.action, c.target, JSON.stringify(c.detail), c.prevHash, c.hash];
    for (let i = 0; i < row.length; i++) cols[i]!.push(row[i]);
  }
  // Entries and head in one statement: a statement costs milliseconds on PGlite.
  await tx.query(
    `WITH entries AS (
       INSERT INTO audit_log (seq, at, actor_id, action, target, detail, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])
     )
     INSERT INTO audit_head (last_seq, last_hash) VALUES ($9, $10)
     ON CONFLICT (singleton) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_hash = EXCLUDED.last_hash`,
    [...cols, seq, prev],
  );
}

export interface AuditBatcher {
  /** Resolves once the entry is committed, with the entries gathered meanwhile. */
  append(input: AuditInput): Promise<void>;
  /** Commits what is waiting (at shutdown). */
  flush(): Promise<void>;
}

/**
 * Group commit of audit entries: entries arriving while a commit runs wait
 * for the next one and share its transaction, so a crowd of requests costs
 * a few transactions instead of one each. `append` resolves only after the
 * commit: a request answered once its entry resolved has it on disk, kill -9
 * or not.
 */
export function auditBatcher(db: Db, maxBatch = 500): AuditBatcher {
  let waiting: { input: AuditInput; done: (e?: unknown) => void }[] = [];
  let running: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      try {
        await db.transaction((tx) =>
          appendAuditBatchTx(
            tx,
            batch.map((b) => b.input),
          ),
        );
        for (const b of batch) b.done();
      } catch (e) {
        for (const b of batch) b.done(e);
      }
    }
    running = undefined;
  };
  const start = () => {
    // Let the entries of the same turn of the event loop join the first commit.
    running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(run);
    return running;
  };
  return {
    append(input) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ input, done: (e) => (e === undefined ? resolve() : reject(e)) });
        void start();
      });
    },
    async flush() {
      if (waiting.length > 0 || running) await start();
    },
  };
}

export function appendAudit(db: Db, input: AuditInput): Promise<number> {
  return db.transaction((tx) => appendAuditTx(tx, input));
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  problems: ChainProblem[];
}

/** Recomputes the whole chain, in pages, from the first entry to the recorded head. */
export async function verifyAudit(
  db: Queryable,
  onProgress?: (done: number) => void,
): Promise<AuditVerification> {
  const v = new ChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await db.query<{
      seq: string | number;
      at: Date | string;
      actor_id: string | null;
      action: string;
      target: string | null;
      detail: Record<string, unknown>;
      prev_hash: string;
      hash: string;
    }>(
      `SELECT seq, at, actor_id, action, target, detail, prev_hash, hash FROM audit_log
       WHERE seq > $1 ORDER BY seq LIMIT 5000`,
      [after],
    );
    if (rows.length === 0) break;
    for (const r of rows)
      v.push({
        seq: Number(r.seq),
        at: new Date(r.at).toISOString(),
        actorId: r.actor_id,
        action: r.action,
        target: r.target,
        detail: r.detail,
        prevHash: r.prev_hash,
        hash: r.hash,
      });
    after = Number(rows[rows.length - 1]!.seq);
    onProgress?.(v.count);
  }
  const head = await db.query<{ last_seq: string | number; last_hash: string }>(
    "SELECT last_seq, last_hash FROM audit_head",
  );
  const problems = v.finish(
    head[0] ? { lastSeq: Number(head[0].last_seq), lastHash: head[0].last_hash } : null,
  );
  return { ok: problems.length === 0, entries: v.count, problems };
}
