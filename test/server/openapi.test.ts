/**
 * The OpenAPI document is complete: every registered route is in it with a
 * unique operationId, its parameters, a request body (JSON schema, or the
 * binary media types of an upload), a success response and the error shape
 * for every status the kind of route can answer; every $ref resolves. A
 * browser gets an HTML viewer at the same address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let doc: {
  openapi: string;
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, Record<string, any>>>;
};
beforeAll(async () => {
  s = await startServer();
  doc = await (await fetch(`${s.url}/api/docs`, { headers: { accept: "application/json" } })).json();
}, 120_000);
afterAll(async () => s?.close());

const ops = () =>
  Object.entries(doc.paths).flatMap(([path, m]) =>
    Object.entries(m).map(([method, op]) => ({ path, method, op })),
  );

describe("OpenAPI document", () => {
  it("lists every registered API route once, each with a unique operationId", () => {
    const documented = ops().map((o) => `${o.method.toUpperCase()} ${o.path.replace(/\{(\w+)\}/g, ":$1")}`);
    expect(documented.sort()).toEqual([...s.app.apiRoutes].sort());
    const ids = ops().map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("gives every operation a success response and the error shape for 400 and 500, 401 unless public", () => {
    for (const { path, method, op } of ops()) {
      const where = `${method} ${path}`;
      expect(op.responses["200"]?.content, where).toBeTruthy();
      for (const st of ["400", "500", ...(op.security ? [] : ["401"])])
        expect(op.responses[st]?.content?.["application/json"]?.schema, `${where} ${st}`).toEqual({
          $ref: "#/components/schemas/Erreur",
        });
    }
  });

  it("answers 403 and 404 on convention routes and describes upload bodies as binary", () => {
    const deposit = doc.paths["/api/jeux/{id}/depots"]!.post!;
    expect(Object.keys(deposit.responses)).toEqual(expect.arrayContaining(["403", "404", "413", "415"]));
    expect(deposit.requestBody.content["application/octet-stream"].schema).toEqual({
      type: "string",
      format: "binary",
    });
    expect(deposit.requestBody.content["multipart/form-data"].schema.properties.fichier.format).toBe(
      "binary",
    );
    expect(Object.keys(deposit.requestBody.content)).toEqual(
      expect.arrayContaining([
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      ]),
    );
    const login = doc.paths["/api/auth/connexion"]!.post!;
    expect(login.requestBody.content["application/json"].schema.properties.email).toBeTruthy();
    expect(login.responses["429"]).toBeTruthy();
  });

  it("has no dangling $ref", () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v))
          k === "$ref" && typeof x === "string" ? refs.push(x) : walk(x);
    };
    walk(doc.paths);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) {
      const m = /^#\/components\/schemas\/(\w+)$/.exec(r);
      if (m) expect(doc.components.schemas[m[1]!], r).toBeTruthy();
    }
  });

  it("shows an HTML viewer to a browser", async () => {
    const r = await fetch(`${s.url}/api/docs`, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(r.headers.get("content-type")).toContain("text/html");
    const html = await r.text();
    expect(html).toContain("<h1>API Socle</h1>");
    expect(html).toContain('id="postJeuxIdDepots"');
    expect(html).not.toContain("<script");
  });
});
