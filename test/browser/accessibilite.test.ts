/**
 * Browser test of Socle's accessibility basics on a 390 px phone screen
 * (Chromium): per-page titles, the skip link, errors tied to their fields,
 * focus moved to the heading on navigation, the accessibility statement in
 * the footer, nothing wider than the screen; the login page loads no map
 * code, and the real built assets are cached for good and compressed.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/store/demo.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let browser: Browser;
let web: string;

beforeAll(async () => {
  web = await buildWeb();
  s = await startServer("pglite", web);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const TELEPHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 };

/** Widest element overflow: the page scrolls sideways when this exceeds the viewport. */
const largeur = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

/** What the focused element is, for assertions. */
const focus = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return { tag: a?.tagName.toLowerCase() ?? "", text: a?.textContent?.trim() ?? "" };
  });

describe("accessibility basics at 390 px", () => {
  it("login page: its own title, a skip link first, no map code loaded, nothing wider than the screen", async () => {
    const page = await browser.newPage(TELEPHONE);
    await page.goto(`${s.url}/`);
    await expect.poll(() => page.title()).toBe("Connexion à Socle — Socle");
    await page.keyboard.press("Tab");
    expect(await focus(page)).toEqual({ tag: "a", text: "Aller au contenu" });
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("contenu");
    expect(await largeur(page)).toBeLessThanOrEqual(390);
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map((e) => e.name)
        .filter((n) => /\.m?js(\?|$)/.test(n)),
    );
    expect(scripts.length).toBeGreaterThan(0);
    // The map chunk exists in the build but the login page does not fetch it.
    const built = readdirSync(path.join(web, "assets"));
    expect(built.some((f) => /^CarteIris-.*\.js$/.test(f))).toBe(true);
    expect(scripts.filter((n) => /CarteIris|CarteValeurs|maplibre/i.test(n))).toEqual([]);
    // MapLibre alone weighs about a megabyte: everything the login page loads weighs less.
    const source = await Promise.all(scripts.map((u) => fetch(u).then((r) => r.text())));
    const loaded = source.reduce((n, t) => n + t.length, 0);
    const biggest = Math.max(
      ...built.filter((f) => f.endsWith(".js")).map((f) => readFileSync(path.join(web, "assets", f)).length),
    );
    expect(biggest).toBeGreaterThan(800_000);
    expect(loaded).toBeLessThan(biggest);
    expect(source.some((t) => t.includes("maplibregl.setWorkerUrl") || t.includes("MapLibre GL JS"))).toBe(
      false,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "connexion-390px.png"), fullPage: true });
  });

  it("login errors are tied to their fields and the first invalid field takes the focus", async () => {
    const page = await browser.newPage(TELEPHONE);
    await page.goto(`${s.url}/`);
    await page.getByRole("button", { name: "Se connecter" }).click();
    const email = page.getByLabel("Adresse électronique");
    await expect.poll(() => email.getAttribute("aria-invalid")).toBe("true");
    const described = await email.getAttribute("aria-describedby");
    expect(await page.locator(`#${described}`).textContent()).toBe("Saisissez votre adresse électronique.");
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe("email");
    const mdp = page.getByLabel("Mot de passe");
    expect(await page.locator(`#${await mdp.getAttribute("aria-describedby")}`).textContent()).toBe(
      "Saisissez votre mot de passe.",
    );
    // The server's refusal concerns both fields: both point to its message.
    await email.fill("ccas@demo.socle.example");
    await mdp.fill("mauvais mot de passe");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("Adresse électronique ou mot de passe incorrect.");
    for (const field of [email, mdp]) {
      expect(await field.getAttribute("aria-invalid")).toBe("true");
      expect(await field.getAttribute("aria-describedby")).toContain("connexion-refusee");
    }
  });

  it("after login, each navigation gives the page its title and puts the focus on its heading", async () => {
    const page = await browser.newPage(TELEPHONE);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/`);
    await page.getByLabel("Adresse électronique").fill("ccas@demo.socle.example");
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect.poll(() => page.title()).toBe("Territoires — Socle");

    await page.getByRole("link", { name: "Conventions", exact: true }).click();
    await expect.poll(() => page.title()).toBe("Conventions — Socle");
    await expect.poll(() => focus(page)).toEqual({ tag: "h1", text: "Conventions" });
    expect(await largeur(page)).toBeLessThanOrEqual(390);

    await page.getByRole("link", { name: "Territoires", exact: true }).click();
    await expect.poll(() => focus(page)).toEqual({ tag: "h1", text: "Territoires" });
    await page.getByRole("link", { name: "Agglomération fictive du Val de Socle" }).click();
    await expect
      .poll(() => page.title(), { timeout: 20_000 })
      .toBe("Agglomération fictive du Val de Socle (démonstration) — Socle");
    await expect.poll(() => focus(page)).toMatchObject({ tag: "h1" });
    await page.locator(".carte canvas").waitFor({ timeout: 20_000 });
    expect(await largeur(page)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ARTIFACTS, "territoire-390px.png"), fullPage: true });

    await page.getByRole("link", { name: "Déclaration d'accessibilité" }).click();
    await expect.poll(() => page.title()).toBe("Déclaration d'accessibilité — Socle");
    await expect.poll(() => focus(page)).toEqual({ tag: "h1", text: "Déclaration d'accessibilité" });
    expect(await page.getByText("partiellement conforme").count()).toBe(1);
    expect(await largeur(page)).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
  });

  it("the accessibility statement is readable without an account", async () => {
    const page = await browser.newPage(TELEPHONE);
    await page.goto(`${s.url}/accessibilite`);
    await expect.poll(() => page.title()).toBe("Déclaration d'accessibilité — Socle");
    expect(await page.getByRole("heading", { name: "Voies de recours" }).count()).toBe(1);
  });

  it("the built bundles are cached for a year as immutable and sent compressed; index.html revalidates", async () => {
    const index = await fetch(`${s.url}/`, { headers: { "accept-encoding": "gzip" } });
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const entry = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    expect(entry).toBeTruthy();
    const map = readdirSync(path.join(web, "assets")).find((f) => /^CarteIris-.*\.js$/.test(f))!;
    for (const asset of [entry!, `/assets/${map}`]) {
      const r = await fetch(s.url + asset, { headers: { "accept-encoding": "gzip" } });
      expect(r.status).toBe(200);
      expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(r.headers.get("content-encoding")).toBe("gzip");
      expect(r.headers.get("content-type")).toMatch(/javascript/);
    }
    // The map bundle is not named by the page that every visitor loads first.
    expect(html).not.toContain(map);
  });
});
