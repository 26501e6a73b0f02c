/**
 * The OpenAPI document is complete: every registered route is in it with a
 * unique operationId, its parameters, a request body (JSON schema, or the
 * binary media types of an upload), a non-empty success schema and the
 * error shape for every status the kind of route can answer; every schema
 * compiles as JSON Schema 2020-12 and every $ref resolves; what the demo
 * server answers on its read routes matches the documented success schema.
 * A browser gets an HTML viewer at the same address.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoRelease } from "../../src/release/demo.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let doc: {
  openapi: string;
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, Record<string, any>>>;
};
beforeAll(async () => {
  s = await startServer();
  await seedDemoRelease(s.db);
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

  it("gives every operation a non-empty success schema and the error shape for every error status", () => {
    for (const { path, method, op } of ops()) {
      const where = `${method} ${path}`;
      const ok = Object.entries(op.responses).filter(([st]) => /^2\d\d$/.test(st));
      expect(ok.length, where).toBeGreaterThan(0);
      for (const [, r] of ok as [string, any][]) {
        const media = Object.values(r.content ?? {}) as { schema?: Record<string, unknown> }[];
        expect(media.length, where).toBeGreaterThan(0);
        for (const m of media) {
          expect(m.schema, where).toBeTruthy();
          expect(Object.keys(m.schema!).length, `${where}: success schema {}`).toBeGreaterThan(0);
        }
      }
      const errors = Object.keys(op.responses).filter((st) => /^[45]\d\d$/.test(st));
      expect(errors.length, where).toBeGreaterThanOrEqual(2);
      for (const st of errors) {
        expect(op.responses[st].description, `${where} ${st}`).toBeTruthy();
        expect(op.responses[st].content["application/json"].schema, `${where} ${st}`).toEqual({
          $ref: "#/components/schemas/Erreur",
        });
      }
    }
  });

  it("is a document whose every schema compiles as JSON Schema 2020-12", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: "socle", components: doc.components }, "socle");
    let compiled = 0;
    for (const { path, method, op } of ops()) {
      const schemas = [
        ...Object.values(op.responses).flatMap((r: any) =>
          Object.values(r.content ?? {}).map((m: any) => m.schema),
        ),
        ...(op.parameters ?? []).map((p: any) => p.schema),
        ...Object.values(op.requestBody?.content ?? {}).map((m: any) => m.schema),
      ];
      for (const schema of schemas) {
        const text = JSON.stringify(schema).replaceAll('"#/components/', '"socle#/components/');
        expect(() => ajv.compile(JSON.parse(text)), `${method} ${path}`).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(ops().length * 3);
  });

  it("documents what the demo server really answers on its read routes", async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const c = new Client(s.url);
    expect((await c.login("etudes@demo.socle.example")).status).toBe(200);
    const [diffusion] = (await c.req("GET", "/api/conventions/demo-abs-valsocle/diffusions")).json;
    const [jeu] = (await c.req("GET", "/api/conventions/demo-abs-valsocle/jeux")).json;
    const [indicateur] = (await c.req("GET", "/api/indicateurs")).json.indicateurs;
    const orgs = (await c.req("GET", "/api/organisations")).json;
    const calls: [string, string][] = [
      ["/api/sante", "/api/sante"],
      ["/api/moi", "/api/moi"],
      ["/api/conventions", "/api/conventions"],
      ["/api/conventions/{id}", "/api/conventions/demo-abs-valsocle"],
      ["/api/conventions/{id}/historique", "/api/conventions/demo-abs-valsocle/historique"],
      ["/api/conventions/{id}/jeux", "/api/conventions/demo-abs-valsocle/jeux"],
      ["/api/conventions/{id}/diffusions", "/api/conventions/demo-abs-valsocle/diffusions"],
      ["/api/conventions/{id}/anomalies", "/api/conventions/demo-abs-valsocle/anomalies"],
      ["/api/conventions/{id}/anomalies/cibles", "/api/conventions/demo-abs-valsocle/anomalies/cibles"],
      ["/api/conventions/{id}/restitutions", "/api/conventions/demo-abs-valsocle/restitutions"],
      ["/api/conventions/{id}/seances-restitution", "/api/conventions/demo-abs-valsocle/seances-restitution"],
      ["/api/diffusions/{id}", `/api/diffusions/${diffusion.id}`],
      ["/api/diffusions/{id}/accords", `/api/diffusions/${diffusion.id}/accords`],
      ["/api/jeux/{id}/microdonnees", `/api/jeux/${jeu.id}/microdonnees`],
      ["/api/indicateurs", "/api/indicateurs"],
      ["/api/indicateurs/{id}/valeurs", `/api/indicateurs/${indicateur.id}/valeurs`],
      ["/api/fed", "/api/fed"],
      ["/api/taches", "/api/taches"],
      ["/api/organisations", "/api/organisations"],
      ["/api/organisations/annuaire", "/api/organisations/annuaire"],
      ["/api/organisations/{id}/membres", `/api/organisations/${orgs[0].id}/membres`],
      ["/api/zones", "/api/zones"],
      ["/api/territoires", "/api/territoires?q=Val"],
      ["/api/territoires/recherche", "/api/territoires/recherche?q=Val"],
    ];
    for (const [documented, url] of calls) {
      const r = await c.req("GET", url);
      expect(r.status, url).toBe(200);
      const schema = doc.paths[documented]!.get!.responses["200"].content["application/json"].schema;
      const validate = ajv.compile(schema);
      expect(validate(r.json) ? [] : validate.errors, url).toEqual([]);
    }
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
