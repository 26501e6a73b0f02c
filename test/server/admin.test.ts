/**
 * Administration through the HTTP API: an organisation's referent creates a
 * member with its service and changes its role, an analyst may not; the
 * platform administrator creates an organisation, filters the audit log by
 * user, action and date, and its verification detects an edited entry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
const login = async (email: string, password?: string) => {
  const c = new Client(s.url);
  expect((await c.login(email, password)).status).toBe(200);
  return c;
};

beforeAll(async () => {
  s = await startServer("pglite");
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe("administration pages' API", () => {
  it("lets a CAF referent add a member in a service and change its role, and refuses an analyst", async () => {
    const caf = await login("caf@demo.socle.example");
    const users = (await caf.req("GET", "/api/admin/utilisateurs")).json as {
      id: string;
      email: string;
      organisations: { id: string; nom: string }[];
    }[];
    expect(users.map((u) => u.email)).toEqual(["caf@demo.socle.example"]);
    const orgId = users[0]!.organisations[0]!.id;
    const created = await caf.req("POST", "/api/admin/utilisateurs", {
      email: "Statisticienne@Caf.example",
      nom: "Statisticienne",
      motDePasse: "Un-Mot-De-Passe-Long",
      organisationId: orgId,
      role: "analyste",
      service: "Études et statistiques",
    });
    expect(created.status).toBe(200);
    const again = await caf.req("POST", "/api/admin/utilisateurs", {
      email: "statisticienne@caf.example",
      nom: "Doublon",
      motDePasse: "Un-Mot-De-Passe-Long",
      organisationId: orgId,
      role: "analyste",
    });
    expect([again.status, again.json.erreur.message]).toEqual([
      409,
      "Un compte existe déjà pour cette adresse.",
    ]);
    const weak = await caf.req("POST", "/api/admin/utilisateurs", {
      email: "autre@caf.example",
      nom: "Autre",
      motDePasse: "court",
      organisationId: orgId,
      role: "lecteur",
    });
    expect(weak.status).toBe(400);
    const upd = await caf.req("PUT", `/api/organisations/${orgId}/membres/${created.json.id}`, {
      role: "referent",
      service: "Études et statistiques",
    });
    expect(upd.status).toBe(200);
    const member = await login("statisticienne@caf.example", "Un-Mot-De-Passe-Long");
    expect((await member.req("GET", "/api/moi")).json.organisations[0]).toMatchObject({ role: "referent" });

    const analyste = await login("ccas@demo.socle.example");
    const refused = await analyste.req("POST", "/api/admin/utilisateurs", {
      email: "x@ccas.example",
      nom: "X",
      motDePasse: "Un-Mot-De-Passe-Long",
      organisationId: orgId,
      role: "lecteur",
    });
    expect(refused.status).toBe(404);
    expect((await analyste.req("GET", "/api/admin/utilisateurs")).json).toEqual([]);
    expect((await analyste.req("GET", "/api/admin/journal")).status).toBe(403);
  });

  it("lets the platform administrator create an organisation, filter the audit log and detect an edited entry", async () => {
    const adm = await login("admin@demo.socle.example");
    const org = await adm.req("POST", "/api/admin/organisations", { nom: "CCAS de Testville", type: "CCAS" });
    expect(org.status).toBe(200);
    const dup = await adm.req("POST", "/api/admin/organisations", { nom: "CCAS de Testville", type: "CCAS" });
    expect(dup.json.erreur.message).toBe("L'organisation « CCAS de Testville » existe déjà.");

    const users = (await adm.req("GET", "/api/admin/utilisateurs")).json as { id: string; email: string }[];
    expect(users.map((u) => u.email)).toContain("compas@demo.socle.example");
    const caf = users.find((u) => u.email === "caf@demo.socle.example")!;
    const today = new Date().toISOString().slice(0, 10);
    const j = await adm.req(
      "GET",
      `/api/admin/journal?utilisateur=${caf.id}&action=comptes.creation&du=${today}&au=${today}`,
    );
    expect(j.status).toBe(200);
    expect(
      j.json.entrees.map((e: { action: string; utilisateur: { email: string } }) => [
        e.action,
        e.utilisateur.email,
      ]),
    ).toEqual([["comptes.creation", "caf@demo.socle.example"]]);
    expect(j.json.actions).toContain("auth.connexion");
    const future = await adm.req("GET", `/api/admin/journal?du=2099-01-01`);
    expect(future.json.entrees).toEqual([]);
    expect((await adm.req("GET", "/api/admin/journal?du=hier")).status).toBe(400);

    expect((await adm.req("GET", "/api/admin/journal/verification")).json).toMatchObject({ ok: true });
    await s.db.query("UPDATE audit_log SET detail = '{\"modifie\": true}' WHERE seq = 2");
    const broken = (await adm.req("GET", "/api/admin/journal/verification")).json;
    expect(broken.ok).toBe(false);
    expect(broken.message).toMatch(/^Chaîne rompue : \d+ problème\(s\)/);
  });
});
