/**
 * What the read routes ask the store on every request and that changes only
 * by a write: a convention's document and parties, the convention an object
 * belongs to, the organisations' names, the list of conventions with their
 * alert facts, the version of the territorial referential. A statement costs
 * about a millisecond of CPU on PGlite whatever it does, more than the rest
 * of such a request (bench:load), so GET requests reuse these answers for
 * READ_CACHE_MS.
 *
 * Like the session cache (auth.ts): any request other than GET/HEAD through
 * this server empties it once answered (or aborted), so whoever writes here
 * reads its write at once; a change made elsewhere (another server on the
 * same PostgreSQL, the CLI) shows within READ_CACHE_MS. Writes never read
 * from it. Values are shared between requests: callers never mutate them.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";

export const READ_CACHE_MS = 1000;
const MAX_ENTRIES = 5000;

interface Entry {
  until: number;
  value: Promise<unknown>;
}

export class ReadCache {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly ms: number = READ_CACHE_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The value under `key`, computed at most once per delay; requests that
   * arrive while it is computed share it. A failure is not kept.
   */
  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const value = compute();
    const entry = { until: now + this.ms, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /** Store answers reused by GET requests (read-cache.ts). */
    reads: ReadCache;
  }
}

const writes = (request: FastifyRequest) => request.method !== "GET" && request.method !== "HEAD";

/** Decorates the server with its read cache, emptied after every request that may write. */
export function installReadCache(app: FastifyInstance, cache = new ReadCache()): void {
  app.decorate("reads", cache);
  app.addHook("onResponse", async (request) => {
    if (writes(request)) cache.clear();
  });
  app.addHook("onRequestAbort", async (request) => {
    if (writes(request)) cache.clear();
  });
}

/** `compute` through the server's read cache on a GET, straight from the store otherwise. */
export function readThrough<T>(request: FastifyRequest, key: string, compute: () => Promise<T>): Promise<T> {
  return writes(request) ? compute() : request.server.reads.get(key, compute);
}
