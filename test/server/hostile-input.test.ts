/**
 * Bad input is a 400, never a 500 nor a stack trace: NUL bytes, malformed
 * cookies, invalid UTF-8, oversized headers, unexpected media types, and a
 * few hundred generated hostile requests; zod's own messages are French.
 */
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let ccas: Client;
beforeAll(async () => {
  s = await startServer();
  ccas = new Client(s.url);
  await ccas.login("ccas@demo.socle.example");
}, 120_000);
afterAll(async () => s?.close());

/** A raw request (fetch would refuse or re-encode what we want to send). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(s.url);
    const req = httpRequest(
      { host: u.hostname, port: u.port, method, path, headers, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const withSession = () => ({ cookie: ccas.cookie! });

describe("hostile input", () => {
  it("answers 400 in French to a NUL byte in the query string, the path or a JSON value", async () => {
    const q = await raw("GET", "/api/territoires?q=Val%00socle", withSession());
    expect(q.status).toBe(400);
    expect(JSON.parse(q.body).erreur.message).toBe("Requête invalide : l'adresse contient un octet nul.");
    expect((await raw("GET", "/api/conventions/abc%00", withSession())).status).toBe(400);
    const body = await raw(
      "POST",
      "/api/auth/connexion",
      { "content-type": "application/json" },
      JSON.stringify({ email: "a\u0000@b.fr", motDePasse: "x" }),
    );
    expect(body.status).toBe(400);
    expect(JSON.parse(body.body).erreur.message).toBe(
      "Corps de requête invalide : une valeur contient un octet nul.",
    );
  });

  it("treats a malformed session cookie as no session (401), never a 500", async () => {
    for (const cookie of [
      "socle_session=%E0%A4%A",
      "socle_session=%",
      'socle_session="non-termine',
      "socle_session",
      "=;=;;socle_session==",
      `socle_session=${"%FF".repeat(100)}`,
    ]) {
      const r = await raw("GET", "/api/moi", { cookie });
      expect(r.status, cookie).toBe(401);
    }
  });

  it("answers 400 to invalid UTF-8 in the address or in a JSON body", async () => {
    expect((await raw("GET", "/api/territoires?q=%FF%FE", withSession())).status).toBe(400);
    expect((await raw("GET", "/api/territoires?q=%", withSession())).status).toBe(400);
    const r = await raw(
      "POST",
      "/api/auth/connexion",
      { "content-type": "application/json" },
      Buffer.concat([
        Buffer.from('{"email":"a'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('@b.fr","motDePasse":"x"}'),
      ]),
    );
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).erreur.message).toBe("Corps de requête invalide : UTF-8 attendu.");
  });

  it("refuses oversized headers with a 4xx and keeps serving", async () => {
    const r = await raw("GET", "/api/sante", { cookie: `a=${"x".repeat(17_000)}` });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect((await raw("GET", "/api/sante", {})).status).toBe(200);
  });

  it("gives zod's own messages in French (a text/plain body where an object is expected)", async () => {
    const r = await raw("POST", "/api/auth/connexion", { "content-type": "text/plain" }, "bonjour");
    expect(r.status).toBe(400);
    const message = JSON.parse(r.body).erreur.message as string;
    expect(message).toContain("objet attendu");
    expect(message).not.toMatch(/expected|received/i);
  });

  it("never answers 500 to generated hostile requests", async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom("%00", "%", "%FF", "%C3%28", "..", "%2e%2e", "\u00e9", "a%0d%0ab"),
    );
    const paths = [
      "/api/territoires",
      "/api/conventions/",
      "/api/jeux/",
      "/api/fed/",
      "/api/diffusions/",
      "/api/territoires/commune/",
      "/api/auth/connexion",
    ];
    const bad: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        segment,
        segment,
        fc.constantFrom("GET", "POST", "PUT", "DELETE"),
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/octet-stream",
          "multipart/form-data",
          "x/y",
        ),
        fc.string({ maxLength: 200 }),
        fc.boolean(),
        async (base, a, b, method, type, body, session) => {
          const enc = (x: string) => x.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
          const path = `${base}${enc(a)}?q=${enc(b)}`;
          const r = await raw(
            method,
            path,
            { ...(session ? withSession() : { cookie: `socle_session=${enc(a)}` }), "content-type": type },
            method === "GET" ? undefined : body,
          );
          if (r.status >= 500) bad.push(`${method} ${path} ${type} → ${r.status}`);
          expect(r.body).not.toMatch(/at .*\.(ts|js):\d+/);
        },
      ),
      { numRuns: 300, seed: 17 },
    );
    expect(bad).toEqual([]);
  }, 120_000);
});
