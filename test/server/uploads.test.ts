/**
 * Uploads: the body is not read before the user is authenticated and
 * authorised, it streams to a private file of the data folder under the
 * route's limit, multipart/form-data and the CSV/XLSX media types are
 * accepted, and leftovers of an interrupted upload go at start-up.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installErrorHandler } from "../../src/server/errors.js";
import { installUploads, receiveUpload } from "../../src/server/uploads.js";
import { createJeu } from "../../src/store/datasets.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let caf: Client;
let ccas: Client;
let jeuId: string;
const LIMIT = 1024 * 1024;

beforeAll(async () => {
  s = await startServer("pglite", undefined, false, undefined, {
    uploadLimits: { depot: LIMIT, document: LIMIT },
  });
  caf = new Client(s.url);
  await caf.login("caf@demo.socle.example");
  ccas = new Client(s.url);
  await ccas.login("ccas@demo.socle.example");
  jeuId = await createJeu(s.db, "demo-abs-valsocle", "allocataires", "Allocataires");
}, 120_000);
afterAll(async () => s?.close());

/** Streams up to `total` bytes in 64 KiB chunks; stops writing as soon as an answer arrives. */
function pushUpload(
  url: string,
  total: number,
  headers: Record<string, string>,
): Promise<{ status: number; sent: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let answered = false;
    const req = httpRequest(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, sent, body }));
    });
    req.on("error", (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

const uploadsLeft = () => readdirSync(path.join(s.dataDir, "televersements"));

describe("upload routes", () => {
  it("answer an anonymous upload with 401 without reading its body", async () => {
    const r = await pushUpload(`${s.url}/api/jeux/${jeuId}/depots?nomFichier=a.csv`, 200 * 1024 * 1024, {
      "content-type": "application/octet-stream",
    });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).erreur.message).toBe("Authentification requise.");
    // The answer came long before 200 MB were pushed.
    expect(r.sent).toBeLessThan(50 * 1024 * 1024);
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuse an upload from a user without the right before reading its body", async () => {
    // The CCAS is no provider of this dataset: it may not deposit.
    const r = await pushUpload(`${s.url}/api/jeux/${jeuId}/depots?nomFichier=a.csv`, 200 * 1024 * 1024, {
      "content-type": "application/octet-stream",
      cookie: ccas.cookie!,
    });
    expect([403, 404]).toContain(r.status);
    expect(r.sent).toBeLessThan(50 * 1024 * 1024);
    expect(uploadsLeft()).toEqual([]);
  });

  it("stop an upload past the route's limit while it streams, with a French 413, keeping nothing", async () => {
    const r = await pushUpload(`${s.url}/api/jeux/${jeuId}/depots/apercu?nomFichier=a.csv`, 20 * LIMIT, {
      "content-type": "text/csv",
      cookie: caf.cookie!,
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).erreur.message).toBe(
      "Fichier trop volumineux : 1 Mio au plus pour cette opération.",
    );
    expect(r.sent).toBeLessThan(10 * LIMIT);
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuse a declared Content-Length past the limit before reading", async () => {
    const r = await fetch(`${s.url}/api/jeux/${jeuId}/depots/apercu?nomFichier=a.csv`, {
      method: "POST",
      headers: { cookie: caf.cookie!, "content-type": "application/octet-stream" },
      body: Buffer.alloc(2 * LIMIT, 0x61),
    });
    expect(r.status).toBe(413);
  });

  it("accept multipart/form-data (curl -F) and the CSV and XLSX media types", async () => {
    const csv = "matricule;adresse\n1;1 rue de la Paix 76540 Valsocle\n";
    const form = new FormData();
    form.append("fichier", new Blob([csv], { type: "text/csv" }), "alloc.csv");
    const multipart = await fetch(`${s.url}/api/jeux/${jeuId}/depots/apercu?nomFichier=alloc.csv`, {
      method: "POST",
      headers: { cookie: caf.cookie! },
      body: form,
    });
    expect(multipart.status).toBe(200);
    for (const type of ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]) {
      const r = await fetch(`${s.url}/api/jeux/${jeuId}/depots/apercu?nomFichier=alloc.csv`, {
        method: "POST",
        headers: { cookie: caf.cookie!, "content-type": type },
        body: csv,
      });
      expect(r.status, type).not.toBe(415);
    }
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuse an upload body on a route that takes none", async () => {
    const r = await fetch(`${s.url}/api/conventions/demo-abs-valsocle/preavis`, {
      method: "POST",
      headers: { cookie: caf.cookie!, "content-type": "application/octet-stream" },
      body: "x",
    });
    expect(r.status).toBe(415);
  });
});

describe("receiveUpload", () => {
  it("writes the bytes to a 0600 file in a 0700 folder of the given directory, removed by discard", async () => {
    const dir = path.join(s.dataDir, "essai-televersements");
    const app = Fastify();
    installErrorHandler(app);
    await installUploads(app);
    let seen: { mode: number; folderMode: number; inside: boolean; octets: number } | undefined;
    app.post("/t", { config: { upload: true } }, async (request) => {
      const up = await receiveUpload(request, dir, LIMIT, "../../évasion.csv");
      seen = {
        mode: statSync(up.file).mode & 0o777,
        folderMode: statSync(path.dirname(up.file)).mode & 0o777,
        inside: path.dirname(path.dirname(up.file)) === dir,
        octets: up.octets,
      };
      await up.discard();
      return { ok: true };
    });
    const r = await app.inject({
      method: "POST",
      url: "/t",
      headers: { "content-type": "application/octet-stream" },
      payload: Buffer.from("abc"),
    });
    expect(r.statusCode).toBe(200);
    expect(seen).toEqual({ mode: 0o600, folderMode: 0o700, inside: true, octets: 3 });
    expect(readdirSync(dir)).toEqual([]);
    await app.close();
  });
});

describe("start-up", () => {
  it("removes the leftovers of an interrupted upload", async () => {
    const other = await startServer("pglite", undefined, false, undefined, {});
    const left = path.join(other.dataDir, "televersements", "0123abcd");
    mkdirSync(left, { recursive: true });
    writeFileSync(path.join(left, "allocataires.csv"), "matricule;adresse\n");
    await other.app.close();
    const again = await startServer("pglite", undefined, false, undefined, { dataDir: other.dataDir });
    expect(existsSync(left)).toBe(false);
    await again.close();
    await other.close().catch(() => undefined);
  }, 120_000);
});
