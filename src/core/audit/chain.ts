/**
 * The audit log is a hash chain: each entry's hash covers its content and the
 * previous entry's hash, and a head records the last entry. Editing a row
 * breaks its hash; deleting one breaks the link of the next (or the head).
 */
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntry {
  seq: number;
  /** ISO 8601 instant with milliseconds. */
  at: string;
  actorId: string | null;
  action: string;
  target: string | null;
  detail: Readonly<Record<string, unknown>>;
}

export interface ChainedEntry extends AuditEntry {
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth, so the hash does not depend on storage order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

export function entryHash(prevHash: string, e: AuditEntry): string {
  const body = canonicalJson([e.seq, e.at, e.actorId, e.action, e.target, e.detail]);
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

export function chain(prevHash: string, e: AuditEntry): ChainedEntry {
  return { ...e, prevHash, hash: entryHash(prevHash, e) };
}

export type ChainProblem =
  | { kind: "modifiee"; seq: number }
  | { kind: "supprimee"; afterSeq: number; missing: number }
  | { kind: "lien_rompu"; seq: number }
  | { kind: "tete"; expectedSeq: number; foundSeq: number };

export const CHAIN_PROBLEM_FR = (p: ChainProblem): string => {
  switch (p.kind) {
    case "modifiee":
      return `entrée n° ${p.seq} modifiée (son empreinte ne correspond plus à son contenu)`;
    case "supprimee":
      return `${p.missing} entrée(s) supprimée(s) après l'entrée n° ${p.afterSeq}`;
    case "lien_rompu":
      return `entrée n° ${p.seq} : le lien avec l'entrée précédente est rompu`;
    case "tete":
      return `la dernière entrée enregistrée est la n° ${p.expectedSeq}, le journal s'arrête à la n° ${p.foundSeq} (entrées finales supprimées)`;
  }
};

/** Incremental verifier: feed entries in seq order, then `finish` with the recorded head. */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private prevSeq = 0;
  readonly problems: ChainProblem[] = [];
  count = 0;

  push(e: ChainedEntry): void {
    this.count++;
    if (e.seq !== this.prevSeq + 1)
      this.problems.push({ kind: "supprimee", afterSeq: this.prevSeq, missing: e.seq - this.prevSeq - 1 });
    else if (e.prevHash !== this.prevHash) this.problems.push({ kind: "lien_rompu", seq: e.seq });
    if (entryHash(e.prevHash, e) !== e.hash) this.problems.push({ kind: "modifiee", seq: e.seq });
    // Continue from the stored hash so one edit is reported once, not on every later row.
    this.prevHash = e.hash;
    this.prevSeq = e.seq;
  }

  finish(head: { lastSeq: number; lastHash: string } | null): ChainProblem[] {
    const lastSeq = head?.lastSeq ?? 0;
    if (lastSeq !== this.prevSeq)
      this.problems.push({ kind: "tete", expectedSeq: lastSeq, foundSeq: this.prevSeq });
    else if (head && head.lastHash !== this.prevHash) this.problems.push({ kind: "modifiee", seq: lastSeq });
    return this.problems;
  }
}
