/**
 * Browser test: a user logs in and sees the IRIS map of the demo
 * agglomeration. Drives Debian's chromium through playwright-core against the
 * real server; the screenshot is kept in test-artifacts/.
 */
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/store/demo.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  s = await startServer("pglite", await buildWeb());
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe("territory page in a browser", () => {
  it("logs in and renders the IRIS choropleth with its legend", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/territoires/epci/000000001`);
    await page.getByLabel("Adresse électronique").fill("ccas@demo.socle.example");
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();

    await expect
      .poll(() => page.locator("h1").first().textContent(), { timeout: 20_000 })
      .toContain("Val de Socle");
    const map = page.locator(".carte");
    const total = Number(await map.getAttribute("data-iris-total"));
    expect(total).toBeGreaterThanOrEqual(40);
    // The map reports how many distinct IRIS polygons WebGL actually drew.
    await expect
      .poll(async () => Number((await map.getAttribute("data-iris-rendus")) ?? 0), { timeout: 30_000 })
      .toBe(total);
    await expect.poll(() => page.locator(".legende li").count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator(".legende figcaption").textContent()).toBe("Population par IRIS (2021)");
    await page.screenshot({ path: path.join(ARTIFACTS, "territoire-val-de-socle.png") });
    // Pixels of the canvas are not all the background colour: polygons are painted.
    const painted = await page.evaluate(() => {
      const canvas = document.querySelector(".carte canvas") as HTMLCanvasElement;
      const copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext("2d")!;
      ctx.drawImage(canvas, 0, 0);
      const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < px.length; i += 4 * 97)
        colours.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
      return colours.size;
    });
    expect(painted).toBeGreaterThan(5);
    expect(errors).toEqual([]);
  });

  it("shows the server's French message on a wrong password", async () => {
    const page = await browser.newPage();
    await page.goto(`${s.url}/`);
    await page.getByLabel("Adresse électronique").fill("ccas@demo.socle.example");
    await page.getByLabel("Mot de passe").fill("mauvais mot de passe");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("Adresse électronique ou mot de passe incorrect.");
  });
});
