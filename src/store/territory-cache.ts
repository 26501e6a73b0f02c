/**
 * Territory sheets and IRIS contours kept in memory while the territorial
 * referential does not change: one one-row query (`referentiel_version`,
 * bumped by a trigger on every statement that writes a COG, IRIS or
 * population table, migration 21) instead of three or four aggregate
 * queries per request. A change made by another process (a CLI import on
 * the same PostgreSQL) is seen at the next read of the counter (the server
 * reads it through its read cache: within a second).
 */
import type { TerritoryInfo, TerritoryKind } from "../core/territory/territory.js";
import type { Queryable } from "./db.js";
import { irisFeatures, territoryInfo } from "./territories.js";

const MAX_ENTRIES = 2000;

interface Memo {
  version: string;
  values: Map<string, unknown>;
}

const memos = new WeakMap<object, Memo>();

/** The counter of the territorial referential, as text. */
export async function referentielVersion(q: Queryable): Promise<string> {
  const [v] = await q.query<{ n: string }>("SELECT n::text AS n FROM referentiel_version");
  return v?.n ?? "";
}

async function cached<T>(q: Queryable, key: string, compute: () => Promise<T>, known?: string): Promise<T> {
  const version = known ?? (await referentielVersion(q));
  let memo = memos.get(q);
  if (!memo || memo.version !== version) {
    memo = { version, values: new Map() };
    memos.set(q, memo);
  }
  if (memo.values.has(key)) {
    const hit = memo.values.get(key) as T;
    // Most recently used last: the oldest goes first when the memo is full.
    memo.values.delete(key);
    memo.values.set(key, hit);
    return hit;
  }
  const value = await compute();
  if (memo.values.size >= MAX_ENTRIES) memo.values.delete(memo.values.keys().next().value!);
  memo.values.set(key, value);
  return value;
}

/**
 * `territoryInfo`, from memory while the referential is unchanged (an unknown
 * territory is not kept). `version`: the referential's counter when the
 * caller already read it (the server reads it once for several lookups).
 */
export function cachedTerritoryInfo(
  q: Queryable,
  kind: TerritoryKind,
  code: string,
  version?: string,
): Promise<TerritoryInfo> {
  return cached(q, `info:${kind}:${code}`, () => territoryInfo(q, kind, code), version);
}

/**
 * What `compute` gives for `key`, computed once per version of the
 * referential (anything derived from COG, IRIS or population tables only).
 * `version`: the referential's counter when the caller already read it.
 */
export function cachedByReferential<T>(
  q: Queryable,
  key: string,
  compute: () => Promise<T>,
  version?: string,
): Promise<T> {
  return cached(q, key, compute, version);
}

/** `irisFeatures`, from memory while the referential is unchanged. */
export function cachedIrisFeatures(
  q: Queryable,
  kind: TerritoryKind,
  code: string,
  version?: string,
): ReturnType<typeof irisFeatures> {
  return cached(q, `iris:${kind}:${code}`, () => irisFeatures(q, kind, code), version);
}
