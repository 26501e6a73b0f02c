/**
 * The web front's bundles (dist/web/assets), served from memory: read and
 * gzipped once when the server starts instead of read from disk and
 * compressed on every request. The folder holds a few megabytes that change
 * only with a new build (and a new server). Hashed names are cached for a
 * year; any client that sends If-None-Match with the current ETag gets a 304.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { constants, gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { isHashedAsset, LONG_CACHE_PUBLIC } from "./caching.js";

export interface Asset {
  type: string;
  raw: Buffer;
  /** Absent when gzip does not make the file smaller (images, fonts). */
  gzip?: Buffer;
  etag: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

/** Every file of `dir` (not its subfolders), ready to send. */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(dir, e.name);
    const raw = readFileSync(file);
    const type = TYPES[path.extname(e.name).toLowerCase()] ?? "application/octet-stream";
    const compressible = /^(text\/|application\/(json|wasm)|image\/svg)/.test(type) && raw.length > 1024;
    const gzip = compressible ? gzipSync(raw, { level: constants.Z_BEST_COMPRESSION }) : undefined;
    assets.set(e.name, {
      type,
      raw,
      ...(gzip && gzip.length < raw.length ? { gzip } : {}),
      etag: `"${createHash("sha256").update(raw).digest("base64url").slice(0, 22)}"`,
      cacheControl: isHashedAsset(file) ? LONG_CACHE_PUBLIC : "no-cache",
    });
  }
  return assets;
}

const acceptsGzip = (header: string | undefined): boolean =>
  (header ?? "").split(",").some((part) => {
    const [name, ...params] = part.trim().split(";");
    if (name?.trim().toLowerCase() !== "gzip") return false;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  });

/** GET /assets/:file from memory (gzip when the client accepts it). */
export function installAssets(app: FastifyInstance, dir: string): void {
  const assets = loadAssets(dir);
  app.get("/assets/:file", async (request, reply) => {
    const asset = assets.get((request.params as { file: string }).file);
    if (!asset) return reply.callNotFound();
    reply
      .header("content-type", asset.type)
      .header("cache-control", asset.cacheControl)
      .header("etag", asset.etag)
      .header("vary", "accept-encoding");
    const held = request.headers["if-none-match"];
    if (typeof held === "string" && held.split(",").some((t) => t.trim().replace(/^W\//, "") === asset.etag))
      return reply.code(304).send();
    if (asset.gzip && acceptsGzip(request.headers["accept-encoding"]))
      return reply.header("content-encoding", "gzip").send(asset.gzip);
    return reply.send(asset.raw);
  });
}
