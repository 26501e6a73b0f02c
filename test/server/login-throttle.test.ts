/**
 * Login throttling, atomic in the database: concurrent wrong passwords from
 * one address get exactly the allowance; an attacker elsewhere does not lock
 * the owner out; a slower limit per account holds whatever the address; the
 * client cannot pick its address through X-Forwarded-For.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { LOGIN_LIMITS } from "../../src/core/account/model.js";
import { DEMO_PASSWORD } from "../../src/store/demo.js";
import { startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  // One trusted proxy in front: the address is the last X-Forwarded-For hop.
  s = await startServer("pglite", undefined, true);
}, 120_000);
afterAll(async () => s?.close());

const login = (email: string, password: string, forwardedFor: string) =>
  fetch(`${s.url}/api/auth/connexion`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ email, motDePasse: password }),
  }).then(async (r) => ({ status: r.status, json: await r.json() }));

describe("login throttling", () => {
  it("lets exactly the allowance through when 60 wrong passwords arrive at once from one address", async () => {
    const all = await Promise.all(
      Array.from({ length: 60 }, () => login("caf@demo.socle.example", "mauvais", "203.0.113.10")),
    );
    const evaluated = all.filter((r) => r.status === 401).length;
    const refused = all.filter((r) => r.status === 429);
    expect(evaluated).toBe(LOGIN_LIMITS.pair.max);
    expect(refused).toHaveLength(60 - LOGIN_LIMITS.pair.max);
    expect(refused[0]!.json.erreur.message).toBe(
      "Trop de tentatives de connexion. Réessayez dans 15 minutes.",
    );
  }, 120_000);

  it("does not lock the owner out because of failures from another address", async () => {
    for (let i = 0; i < LOGIN_LIMITS.pair.max + 2; i++)
      await login("ccas@demo.socle.example", "mauvais", "203.0.113.20");
    expect((await login("ccas@demo.socle.example", "mauvais", "203.0.113.20")).status).toBe(429);
    expect((await login("ccas@demo.socle.example", DEMO_PASSWORD, "198.51.100.7")).status).toBe(200);
  }, 120_000);

  it("ignores the hops a client writes itself in X-Forwarded-For", async () => {
    for (let i = 0; i < LOGIN_LIMITS.pair.max; i++)
      await login("etudes@demo.socle.example", "mauvais", `10.9.9.${i}, 203.0.113.30`);
    // A new forged first hop does not make a new address.
    expect((await login("etudes@demo.socle.example", "mauvais", "10.8.8.8, 203.0.113.30")).status).toBe(429);
  }, 120_000);

  it("holds a slower limit per account whatever the address", async () => {
    const per = LOGIN_LIMITS.pair.max;
    const addresses = Math.ceil(LOGIN_LIMITS.account.max / per);
    for (let a = 0; a < addresses; a++)
      await Promise.all(
        Array.from({ length: per }, () => login("admin@demo.socle.example", "mauvais", `192.0.2.${a}`)),
      );
    const fresh = await login("admin@demo.socle.example", "mauvais", "192.0.2.250");
    expect(fresh.status).toBe(429);
    expect(fresh.json.erreur.message).toBe(
      `Trop de tentatives de connexion. Réessayez dans ${LOGIN_LIMITS.account.minutes} minutes.`,
    );
  }, 180_000);
});

describe("SOCLE_TRUST_PROXY", () => {
  it("takes a number of hops, `true` for one, or the proxies' addresses", () => {
    const t = (v: string) => loadConfig({ SOCLE_TRUST_PROXY: v }).trustProxy;
    expect(t("false")).toBe(false);
    expect(t("0")).toBe(false);
    expect(t("true")).toBe(1);
    expect(t("2")).toBe(2);
    expect(t("10.0.0.2, 10.1.0.0/16,::1")).toEqual(["10.0.0.2", "10.1.0.0/16", "::1"]);
    expect(() => t("tous")).toThrow(
      "Configuration invalide : SOCLE_TRUST_PROXY: nombre de relais (0, 1, 2…) ou adresses des relais séparées par des virgules attendu",
    );
  });
});
