/**
 * Uploads (deposits, previews, study documents). The body of an upload is
 * never read before the route has authenticated and authorised the user:
 * the content-type parsers below hand the raw stream to the handler, which
 * calls `receiveUpload` once the guard has passed. The bytes go straight to
 * a private file (0600, in a 0700 folder of the data directory, never the
 * system temp folder), and the route's size limit is applied while they
 * stream. Whatever an interrupted upload left behind is removed at start-up.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import fastifyMultipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { invalide, SocleError } from "../core/errors.js";

/** Media types accepted as a raw upload body (beside multipart/form-data). */
export const UPLOAD_MEDIA_TYPES = [
  "application/octet-stream",
  "application/pdf",
  "text/csv",
  "application/csv",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/zip",
] as const;

export interface UploadLimits {
  /** Deposits and their previews. */
  depot: number;
  /** Study documents sent back to the providers. */
  document: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { depot: 512 * 1024 * 1024, document: 100 * 1024 * 1024 };

export class UploadTooLarge extends SocleError {
  constructor(limit: number) {
    super(
      "invalide",
      "trop_volumineux",
      `Fichier trop volumineux : ${Math.floor(limit / (1024 * 1024))} Mio au plus pour cette opération.`,
    );
  }
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route takes an upload body (api.ts, RouteSpec.upload); no other route does. */
    upload?: boolean;
  }
}

/** Registers the parsers that keep upload bodies unread until the handler asks for them. */
export async function installUploads(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser([...UPLOAD_MEDIA_TYPES], (request, payload, done) => {
    if (!request.routeOptions.config.upload) {
      const e = new Error("unsupported") as Error & { statusCode: number };
      e.statusCode = 415;
      done(e, undefined);
      return;
    }
    done(null, payload);
  });
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25, headerPairs: 200 },
  });
}

export interface Upload {
  /** Private file holding the bytes; removed by `discard`. */
  file: string;
  octets: number;
  /** The file name given by a multipart part, if any. */
  filename: string | undefined;
  discard(): Promise<void>;
}

/** `<dataDir>/televersements`: the only place uploads are written. */
export const uploadsDirOf = (dataDir: string): string => path.join(dataDir, "televersements");

/** Removes leftovers of uploads interrupted by a crash or a kill (called at start-up). */
export async function cleanUploadLeftovers(dir: string): Promise<number> {
  let removed = 0;
  try {
    for (const e of await readdir(dir)) {
      await rm(path.join(dir, e), { recursive: true, force: true });
      removed++;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return removed;
}

const safeName = (name: string | undefined): string =>
  (name ?? "")
    .replace(/[^\p{L}\p{N}_.-]/gu, "_")
    .replace(/^\.+/, "")
    .slice(0, 200) || "depot";

function limiter(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.byteLength;
      if (seen > limit) cb(new UploadTooLarge(limit));
      else cb(null, chunk);
    },
  });
}

/**
 * Streams the request's upload (raw body or the one file of a multipart
 * form) into a private file named after `name` (sanitised), inside its own
 * private folder of `dir`. Past `limit` bytes the transfer stops with a 413
 * and nothing is kept; an empty upload is a 400.
 */
export async function receiveUpload(
  request: FastifyRequest,
  dir: string,
  limit: number,
  name?: string,
): Promise<Upload> {
  // A declared length past the limit is refused before a byte is read
  // (a multipart envelope adds a little around the file).
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit + (request.isMultipart() ? 64 * 1024 : 0)) throw new UploadTooLarge(limit);
  let source: Readable;
  let filename: string | undefined;
  if (request.isMultipart()) {
    const part = await request
      .file({ limits: { fileSize: limit, files: 1 } })
      .catch((e: unknown) => rethrow(e, limit));
    if (!part) throw absent();
    source = part.file;
    filename = part.filename || undefined;
  } else {
    const body = request.body as Readable | undefined;
    if (!body || typeof (body as { pipe?: unknown }).pipe !== "function") throw absent();
    source = body;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const folder = path.join(dir, randomBytes(12).toString("hex"));
  await mkdir(folder, { mode: 0o700 });
  const file = path.join(folder, safeName(name ?? filename));
  const discard = () => rm(folder, { recursive: true, force: true });
  try {
    await pipeline(source, limiter(limit), createWriteStream(file, { flags: "wx", mode: 0o600 }));
  } catch (e) {
    await discard();
    source.resume?.();
    rethrow(e, limit);
  }
  const octets = (await stat(file)).size;
  if (octets === 0) {
    await discard();
    throw absent();
  }
  return { file, octets, filename, discard };
}

function absent(): SocleError {
  return invalide(
    "fichier_absent",
    "Fichier attendu dans le corps de la requête (application/octet-stream ou multipart/form-data).",
  );
}

function rethrow(e: unknown, limit: number): never {
  if (e instanceof SocleError) throw e;
  const code = (e as { code?: unknown }).code;
  if (code === "FST_REQ_FILE_TOO_LARGE" || code === "FST_FILES_LIMIT") throw new UploadTooLarge(limit);
  if (typeof code === "string" && code.startsWith("FST_"))
    throw invalide("formulaire_invalide", "Formulaire multipart/form-data invalide.");
  // A client that hangs up mid-upload: nothing to answer, nothing kept.
  if (code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET" || code === "ECONNABORTED")
    throw invalide("televersement_interrompu", "Téléversement interrompu.");
  throw e;
}
