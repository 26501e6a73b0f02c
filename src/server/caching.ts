/**
 * Caching of what never changes: a frozen release (its tables and exports
 * are fixed once published) and the web front's hashed assets. The answer
 * carries an ETag and a long cache lifetime; a request that already holds
 * the current version (If-None-Match) gets a 304 without a body. The rights
 * are checked before, as for any request: only the cache lifetime is long.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

export const LONG_CACHE_PRIVATE = "private, max-age=31536000, immutable";
export const LONG_CACHE_PUBLIC = "public, max-age=31536000, immutable";

/** Vite names its bundles `name-<hash>.ext`. */
export const isHashedAsset = (file: string): boolean =>
  /[/\\]assets[/\\][^/\\]+-[A-Za-z0-9_-]{8,}\.(?:js|mjs|css|woff2?|png|svg|webp|wasm)$/.test(file);

/**
 * Marks the answer as a frozen resource named `tag`; true when the client
 * already has it (the caller then answers 304).
 */
export function frozen(request: FastifyRequest, reply: FastifyReply, tag: string): boolean {
  const etag = `"${tag}"`;
  reply.header("etag", etag).header("cache-control", LONG_CACHE_PRIVATE);
  const held = request.headers["if-none-match"];
  return typeof held === "string" && held.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}
