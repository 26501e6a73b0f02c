import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/store/demo.js";
import { startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startServer("pglite", undefined, true);
});
afterAll(async () => s?.close());

it("marks the session cookie Secure behind an HTTPS reverse proxy", async () => {
  const login = (proto: string) =>
    fetch(`${s.url}/api/auth/connexion`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": proto },
      body: JSON.stringify({ email: "ccas@demo.socle.example", motDePasse: DEMO_PASSWORD }),
    });
  expect((await login("https")).headers.get("set-cookie")).toMatch(
    /HttpOnly; SameSite=Lax; Max-Age=3600; Secure$/,
  );
  expect((await login("http")).headers.get("set-cookie")).not.toMatch(/Secure/);
});
