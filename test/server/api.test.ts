import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_CACHE_MS } from "../../src/server/auth.js";
import { verifyAudit } from "../../src/store/audit.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => s?.close());

describe("HTTP API", () => {
  it("publishes its OpenAPI document at /api/docs", async () => {
    const r = await new Client(s.url).req("GET", "/api/docs");
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe("3.1.0");
    expect(Object.keys(r.json.paths)).toContain("/api/territoires/{type}/{code}/iris");
  });

  it("answers 401 with a French message to every protected route without a session", async () => {
    const doc = (await new Client(s.url).req("GET", "/api/docs")).json as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        if (op.security) continue; // public route
        const concrete = path
          .replace("{type}", "commune")
          .replace("{code}", "76540")
          .replace("{id}", "00000000-0000-4000-8000-000000000000");
        const r = await new Client(s.url).req(
          method.toUpperCase(),
          concrete,
          method === "post" ? {} : undefined,
        );
        expect(r.status, `${method} ${path}`).toBe(401);
        expect(r.json.erreur.message).toBe("Authentification requise.");
        checked++;
      }
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it("logs in with an HttpOnly SameSite session cookie and logs out for good", async () => {
    const c = new Client(s.url);
    const r = await c.login("ccas@demo.socle.example");
    expect(r.status).toBe(200);
    expect(r.headers.get("set-cookie")).toMatch(/socle_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(r.json.organisations[0].nom).toBe("CCAS de Valsocle (démo)");
    expect((await c.req("GET", "/api/moi")).status).toBe(200);
    const old = c.cookie;
    await c.req("POST", "/api/auth/deconnexion");
    c.cookie = old;
    expect((await c.req("GET", "/api/moi")).status).toBe(401);
  });

  it("ends a session deleted elsewhere (another server, the CLI) within the session cache's delay", async () => {
    const c = new Client(s.url);
    await c.login("ccas@demo.socle.example");
    expect((await c.req("GET", "/api/moi")).status).toBe(200);
    const hash = createHash("sha256").update(c.cookie!.split("=")[1]!).digest("hex");
    expect(
      (await s.db.query("DELETE FROM user_session WHERE token_hash = $1 RETURNING 1", [hash])).length,
    ).toBe(1);
    await new Promise((r) => setTimeout(r, SESSION_CACHE_MS + 100));
    expect((await c.req("GET", "/api/moi")).status).toBe(401);
  });

  it("refuses a wrong password without saying whether the account exists", async () => {
    const a = await new Client(s.url).login("ccas@demo.socle.example", "mauvais");
    const b = await new Client(s.url).login("personne@demo.socle.example", "mauvais");
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.json).toEqual(b.json);
    expect(a.json.erreur.message).toBe("Adresse électronique ou mot de passe incorrect.");
  });

  it("rate-limits repeated failed logins on one account, even with the right password", async () => {
    const email = "etudes@demo.socle.example";
    for (let i = 0; i < 5; i++) expect((await new Client(s.url).login(email, `faux-${i}`)).status).toBe(401);
    const blocked = await new Client(s.url).login(email);
    expect(blocked.status).toBe(429);
    expect(blocked.json.erreur.message).toMatch(/Trop de tentatives de connexion/);
  });

  it("validates input with French messages naming the field", async () => {
    const r = await new Client(s.url).req("POST", "/api/auth/connexion", {
      email: "pas-une-adresse",
      motDePasse: "x",
    });
    expect(r.status).toBe(400);
    expect(r.json.erreur.message).toMatch(/champ « email » : Adresse électronique invalide/);
  });

  it("serves the IRIS of a territory as GeoJSON with populations", async () => {
    const c = new Client(s.url);
    await c.login("ccas@demo.socle.example");
    const r = await c.req("GET", "/api/territoires/epci/000000001/iris");
    expect(r.status).toBe(200);
    expect(r.json.features.length).toBeGreaterThanOrEqual(40);
    expect(r.json.features[0].properties.population).toBeGreaterThan(0);
    expect((await c.req("GET", "/api/territoires/commune/99999")).status).toBe(404);
  });

  describe("organisation boundaries", () => {
    let ccas: Client;
    let caf: Client;
    let ccasOrg: string;
    let cafOrg: string;
    let cafZone: string;

    beforeAll(async () => {
      ccas = new Client(s.url);
      caf = new Client(s.url);
      ccasOrg = (await ccas.login("ccas@demo.socle.example")).json.organisations[0].id;
      cafOrg = (await caf.login("caf@demo.socle.example")).json.organisations[0].id;
      cafZone = (await caf.req("GET", "/api/zones")).json[0].id;
    });

    it("lets a member read their own organisation's zones and members", async () => {
      const zones = await ccas.req("GET", "/api/zones");
      expect(zones.json.map((z: { nom: string }) => z.nom)).toEqual(["Quartiers nord de Valsocle (démo)"]);
      expect((await ccas.req("GET", `/api/organisations/${ccasOrg}/membres`)).status).toBe(200);
    });

    it("hides another organisation's zone and members as if they did not exist", async () => {
      const zone = await ccas.req("GET", `/api/zones/${cafZone}`);
      expect(zone.status).toBe(404);
      const missing = await ccas.req("GET", "/api/zones/00000000-0000-4000-8000-000000000000");
      expect(zone.json).toEqual(missing.json);
      expect((await ccas.req("GET", `/api/organisations/${cafOrg}/membres`)).status).toBe(404);
      expect((await caf.req("GET", `/api/zones/${cafZone}`)).status).toBe(200);
    });

    it("refuses to create a zone in another organisation, or with a lecteur/analyste role", async () => {
      const body = { nom: "Intrusion", type: "communes", membres: ["00001"] };
      expect((await ccas.req("POST", "/api/zones", { ...body, organisationId: cafOrg })).status).toBe(404);
      const own = await ccas.req("POST", "/api/zones", { ...body, organisationId: ccasOrg });
      expect(own.status).toBe(403);
      const created = await caf.req("POST", "/api/zones", {
        ...body,
        nom: "RPE Est (démo)",
        organisationId: cafOrg,
        membres: ["00003", "00005"],
      });
      expect(created.status).toBe(200);
      const dup = await caf.req("POST", "/api/zones", {
        ...body,
        nom: "RPE Est (démo)",
        organisationId: cafOrg,
        membres: ["00003"],
      });
      expect(dup.status).toBe(409);
    });
  });

  it("records every authenticated request and login in the audit chain", async () => {
    const before = await s.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'http.requete'",
    );
    const c = new Client(s.url);
    await c.login("admin@demo.socle.example");
    await c.req("GET", "/api/organisations");
    await c.req("GET", "/api/territoires/epci/000000001");
    const after = await s.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'http.requete'",
    );
    expect(after[0]!.n - before[0]!.n).toBe(2);
    const last = await s.db.query<{ target: string; detail: { statut: number } }>(
      "SELECT target, detail FROM audit_log WHERE action = 'http.requete' ORDER BY seq DESC LIMIT 1",
    );
    expect(last[0]).toMatchObject({ target: "GET /api/territoires/:type/:code", detail: { statut: 200 } });
    const actions = await s.db.query<{ action: string }>("SELECT DISTINCT action FROM audit_log");
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "auth.connexion",
        "auth.echec_connexion",
        "auth.connexion_bloquee",
        "http.requete",
      ]),
    );
    expect(await verifyAudit(s.db)).toMatchObject({ ok: true });
  });

  it("answers unknown errors with a generic 500 that reveals nothing", async () => {
    s.app.log.level = "silent";
    const c = new Client(s.url);
    await c.login("admin@demo.socle.example");
    await s.db.query("ALTER TABLE zone RENAME TO zone_tmp");
    try {
      const r = await c.req("GET", "/api/zones");
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ erreur: { code: "erreur_interne", message: "Erreur interne du serveur." } });
    } finally {
      await s.db.query("ALTER TABLE zone_tmp RENAME TO zone");
    }
  });
});
