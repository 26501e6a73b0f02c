import { describe, expect, it } from "vitest";
import { type ChainedEntry, ChainVerifier, chain, GENESIS_HASH } from "./chain.js";

function build(n: number): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = chain(prev, {
      seq: i,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      actorId: null,
      action: "test",
      target: null,
      detail: { i, b: { z: 1, a: 2 } },
    });
    out.push(e);
    prev = e.hash;
  }
  return out;
}

function verify(entries: ChainedEntry[], head: { lastSeq: number; lastHash: string } | null) {
  const v = new ChainVerifier();
  for (const e of entries) v.push(e);
  return v.finish(head);
}

describe("audit hash chain", () => {
  const entries = build(5);
  const head = { lastSeq: 5, lastHash: entries[4]!.hash };

  it("accepts an intact chain", () => {
    expect(verify(entries, head)).toEqual([]);
  });

  it("does not depend on the key order of details", () => {
    const reordered = entries.map((e) => ({ ...e, detail: { b: { a: 2, z: 1 }, i: e.detail.i } }));
    expect(verify(reordered, head)).toEqual([]);
  });

  it("detects an edited entry", () => {
    const edited = entries.map((e) => (e.seq === 3 ? { ...e, action: "autre" } : e));
    expect(verify(edited, head)).toEqual([{ kind: "modifiee", seq: 3 }]);
  });

  it("detects a deleted entry in the middle", () => {
    expect(
      verify(
        entries.filter((e) => e.seq !== 2),
        head,
      ),
    ).toEqual([{ kind: "supprimee", afterSeq: 1, missing: 1 }]);
  });

  it("detects deleted final entries through the head", () => {
    expect(verify(entries.slice(0, 4), head)).toEqual([{ kind: "tete", expectedSeq: 5, foundSeq: 4 }]);
  });
});
