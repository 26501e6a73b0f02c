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
