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
  // FOR UPDATE: the batcher's one-statement append (appendAuditBatchOnce) locks the head row, not the advisory lock.
  const head = await tx.query<{ last_seq: string | number; last_hash: string }>(
    "SELECT last_seq, last_hash FROM audit_head FOR UPDATE",
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

/** The last entry of the chain, as recorded in `audit_head`. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** The entries chained after `head`, as the columns of one unnest() insert. */
function chainedColumns(
  head: AuditHead,
  inputs: readonly AuditInput[],
): { cols: unknown[][]; last: AuditHead } {
  let seq = head.seq;
  let prev = head.hash;
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
  return { cols, last: { seq, hash: prev } };
}

const UNNEST_ENTRIES = `INSERT INTO audit_log (seq, at, actor_id, action, target, detail, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])`;

/** Appends several entries, in order, inside the caller's transaction: one lock, one head update. */
export async function appendAuditBatchTx(tx: Queryable, inputs: readonly AuditInput[]): Promise<AuditHead> {
  await tx.query("SELECT pg_advisory_xact_lock(4243)");
  const rows = await tx.query<{ last_seq: string | number; last_hash: string }>(
    "SELECT last_seq, last_hash FROM audit_head FOR UPDATE",
  );
  const head = rows[0]
    ? { seq: Number(rows[0].last_seq), hash: rows[0].last_hash }
    : { seq: 0, hash: GENESIS_HASH };
  if (inputs.length === 0) return head;
  const { cols, last } = chainedColumns(head, inputs);
  // Entries and head in one statement: a statement costs milliseconds on PGlite.
  await tx.query(
    `WITH entries AS (${UNNEST_ENTRIES})
     INSERT INTO audit_head (last_seq, last_hash) VALUES ($9, $10)
     ON CONFLICT (singleton) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_hash = EXCLUDED.last_hash`,
    [...cols, last.seq, last.hash],
  );
  return last;
}

/**
 * Appends several entries after `expected` in ONE statement, outside any
 * explicit transaction (a statement commits as a whole): it locks the head
 * row only if it still is `expected`, inserts the entries and moves the head.
 * Null when another writer moved the head meanwhile (nothing was written):
 * the caller then goes through `appendAuditBatchTx`, which reads the head.
 * Five statements (BEGIN, lock, head, insert, COMMIT) become one for the
 * request audit, whose batches are small when the server is not saturated.
 */
export async function appendAuditBatchOnce(
  db: Queryable,
  expected: AuditHead,
  inputs: readonly AuditInput[],
): Promise<AuditHead | null> {
  const { cols, last } = chainedColumns(expected, inputs);
  // In READ COMMITTED, FOR UPDATE waits for a concurrent writer of the head
  // and then re-checks the WHERE on its new version: a moved head leaves
  // `head` empty, so no entry is inserted and the head is not updated.
  const [r] = await db.query<{ n: number }>(
    `WITH head AS (
       SELECT 1 FROM audit_head WHERE last_seq = $9 AND last_hash = $10 FOR UPDATE
     ), entries AS (
       ${UNNEST_ENTRIES} WHERE EXISTS (SELECT 1 FROM head)
     ), moved AS (
       UPDATE audit_head SET last_seq = $11, last_hash = $12 WHERE EXISTS (SELECT 1 FROM head) RETURNING 1
     )
     SELECT count(*)::int AS n FROM moved`,
    [...cols, expected.seq, expected.hash, last.seq, last.hash],
  );
  return r && Number(r.n) === 1 ? last : null;
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
 * a few commits instead of one each; while no other writer moves the head,
 * a batch is one statement (appendAuditBatchOnce). `append` resolves only
 * after the commit: a request answered once its entry resolved has it on
 * disk, kill -9 or not.
 */
export function auditBatcher(db: Db, maxBatch = 500): AuditBatcher {
  let waiting: { input: AuditInput; done: (e?: unknown) => void }[] = [];
  let running: Promise<void> | undefined;
  // The head this batcher last wrote: the next batch is one statement while nobody else appends.
  let head: AuditHead | null = null;
  const run = async (): Promise<void> => {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      const inputs = batch.map((b) => b.input);
      try {
        const once = head ? await appendAuditBatchOnce(db, head, inputs) : null;
        head = once ?? (await db.transaction((tx) => appendAuditBatchTx(tx, inputs)));
        for (const b of batch) b.done();
      } catch (e) {
        head = null;
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
