/**
 * Caching of what never changes: a frozen release (its tables and exports
 * are fixed once published) and the web front's hashed assets. The answer
 * carries an ETag and a long cache lifetime; a request that already holds
 * the current version (If-None-Match) gets a 304 without a body. The rights
 * are checked before, as for any request: only the cache lifetime is long.
 *
 * And of what changes rarely: answers derived from the territorial
 * referential (IRIS contours) are kept serialised and gzipped while its
 * version counter is unchanged, sent as they are kept, with the ETag of
 * their bytes and a revalidation at each use.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";

export const LONG_CACHE_PRIVATE = "private, max-age=31536000, immutable";
export const LONG_CACHE_PUBLIC = "public, max-age=31536000, immutable";

/** Vite names its bundles `name-<hash>.ext`. */
export const isHashedAsset = (file: string): boolean =>
  /[/\\]assets[/\\][^/\\]+-[A-Za-z0-9_-]{8,}\.(?:js|mjs|css|woff2?|png|svg|webp|wasm)$/.test(file);

const holds = (request: FastifyRequest, etag: string): boolean => {
  const held = request.headers["if-none-match"];
  return typeof held === "string" && held.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
};

/**
 * Marks the answer as a frozen resource named `tag`; true when the client
 * already has it (the caller then answers 304).
 */
export function frozen(request: FastifyRequest, reply: FastifyReply, tag: string): boolean {
  const etag = `"${tag}"`;
  reply.header("etag", etag).header("cache-control", LONG_CACHE_PRIVATE);
  return holds(request, etag);
}

/** Revalidate at each use: the answer may change (a referential import), a 304 costs no body. */
export const REVALIDATE_PRIVATE = "private, no-cache";

/** A JSON answer kept compressed, with the ETag of its bytes. */
export interface CompressedJson {
  etag: string;
  gzip: Buffer;
}

/** Serialises and compresses `value` once, for answers served many times (contours). */
export function compressedJson(value: unknown): CompressedJson {
  const raw = Buffer.from(JSON.stringify(value), "utf8");
  const etag = `"${createHash("sha256").update(raw).digest("base64url").slice(0, 22)}"`;
  // Level 6: within a few per cent of the best size, several times faster on a département's contours.
  return { etag, gzip: gzipSync(raw, { level: 6 }) };
}

/**
 * Sends a compressed JSON answer as it is kept: 304 when the client holds
 * its ETag, the gzip bytes when the client accepts gzip, else the JSON
 * decompressed (rare: every browser accepts gzip).
 */
export function sendCompressedJson(
  request: FastifyRequest,
  reply: FastifyReply,
  body: CompressedJson,
): FastifyReply {
  reply
    .header("etag", body.etag)
    .header("cache-control", REVALIDATE_PRIVATE)
    .header("vary", "accept-encoding");
  if (holds(request, body.etag)) return reply.code(304).send();
  reply.type("application/json; charset=utf-8");
  if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? "")))
    return reply.header("content-encoding", "gzip").send(body.gzip);
  return reply.send(gunzipSync(body.gzip));
}
