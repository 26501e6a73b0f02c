/**
 * Browser test (Chromium): the CAF's référente draws a custom zone on the
 * map of the demo agglomeration — two communes clicked on the map, a third
 * added and removed from the keyboard list —, saves it, sees it listed,
 * renames it and deletes it. Screenshots are kept in test-artifacts/.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
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

/** Where on the map the pointer names each unit: the map is read as a user reads it, by hovering. */
async function unitsUnderPointer(page: Page): Promise<Map<string, { x: number; y: number }>> {
  await page.locator(".carte-selection .carte").scrollIntoViewIfNeeded();
  const box = (await page.locator(".carte-selection .carte").boundingBox())!;
  const found = new Map<string, { x: number; y: number }>();
  const line = page.locator(".carte-selection .survol");
  for (let i = 1; i < 16; i++)
    for (let j = 1; j < 12; j++) {
      const x = box.x + (box.width * i) / 16;
      const y = box.y + (box.height * j) / 12;
      await page.mouse.move(x, y);
      await page.waitForTimeout(25);
      const m = /Sous le pointeur : (.+) \(commune (\d+)\)/.exec((await line.textContent()) ?? "");
      if (m && !found.has(m[1]!)) found.set(m[1]!, { x, y });
    }
  return found;
}

describe("custom-zone editor in a browser", () => {
  it("creates a zone by clicking two communes on the map, lists it, renames it and deletes it", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/administration`);
    await page.getByLabel("Adresse électronique").fill("caf@demo.socle.example");
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("link", { name: "Zones personnalisées" }).click();
    const table = page.getByRole("table", { name: "Zones personnalisées" });
    await expect
      .poll(() => table.textContent(), { timeout: 20_000 })
      .toContain("Relais Petite Enfance Ouest (démo)");

    await page.getByRole("button", { name: "Nouvelle zone" }).click();
    await page.getByLabel("Nom de la zone").fill("RPE Centre");
    await page.getByLabel("Catégorie").selectOption({ label: "Relais Petite Enfance (RPE)" });
    await page.getByLabel("Territoire de la carte").fill("val de socle");
    await page.getByRole("button", { name: "Agglomération fictive du Val de Socle" }).click();
    const map = page.locator(".carte-selection .carte");
    await expect.poll(() => map.getAttribute("data-prete"), { timeout: 30_000 }).toBe("oui");

    const where = await unitsUnderPointer(page);
    expect([...where.keys()]).toEqual(expect.arrayContaining(["Valsocle", "Brunelles"]));
    await page.mouse.click(where.get("Valsocle")!.x, where.get("Valsocle")!.y);
    await page.mouse.click(where.get("Brunelles")!.x, where.get("Brunelles")!.y);
    await expect
      .poll(() => page.getByRole("heading", { name: /Unités choisies/ }).textContent())
      .toBe("Unités choisies (2)");
    const picked = page.getByRole("list", { name: /Unités choisies/ });
    expect(await picked.textContent()).toContain("Valsocle");
    expect(await picked.textContent()).toContain("Brunelles");
    // The map fills every IRIS of the two communes.
    const [irisOfTwo] = await s.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM iris WHERE commune_code IN ('00001', '00002')",
    );
    await expect.poll(async () => Number(await map.getAttribute("data-iris-choisis"))).toBe(irisOfTwo!.n);

    // Without the mouse: the searchable list adds a unit, the picked list removes it.
    await page.getByLabel("Ajouter une unité sans la carte").fill("fontaines");
    await page.getByRole("button", { name: "Ajouter Les Fontaines" }).press("Enter");
    await expect
      .poll(() => page.getByRole("heading", { name: /Unités choisies/ }).textContent())
      .toBe("Unités choisies (3)");
    await page.getByRole("button", { name: "Retirer Les Fontaines" }).press("Enter");
    await expect
      .poll(() => page.getByRole("heading", { name: /Unités choisies/ }).textContent())
      .toBe("Unités choisies (2)");
    await page.screenshot({ path: path.join(ARTIFACTS, "zone-editeur-carte.png"), fullPage: true });

    await page.getByRole("button", { name: "Enregistrer la zone" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Zone « RPE Centre » enregistrée.");
    const row = table.getByRole("row", { name: /RPE Centre/ });
    await expect.poll(() => row.textContent()).toContain("2 communes");
    expect(await row.textContent()).toContain("Relais Petite Enfance (RPE)");
    const [saved] = await s.db.query<{ id: string; categorie: string; membres: string[] }>(
      `SELECT z.id, z.categorie, array_agg(m.code ORDER BY m.code) AS membres
       FROM zone z JOIN zone_member m ON m.zone_id = z.id WHERE z.nom = 'RPE Centre' GROUP BY z.id`,
    );
    expect(saved).toMatchObject({ categorie: "rpe", membres: ["00001", "00002"] });
    await page.screenshot({ path: path.join(ARTIFACTS, "zone-liste.png"), fullPage: true });

    // Rename: the editor opens on the zone's agglomeration with its two communes.
    await page.getByRole("button", { name: "Modifier la zone RPE Centre" }).click();
    await expect
      .poll(() => page.getByRole("heading", { name: /Unités choisies/ }).textContent())
      .toBe("Unités choisies (2)");
    await expect.poll(() => map.getAttribute("data-prete"), { timeout: 30_000 }).toBe("oui");
    await expect.poll(async () => Number(await map.getAttribute("data-iris-choisis"))).toBe(irisOfTwo!.n);
    await page.getByLabel("Nom de la zone").fill("RPE Centre-Nord");
    await page.getByRole("button", { name: "Enregistrer la zone" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toBe("Zone « RPE Centre-Nord » enregistrée.");
    await expect.poll(() => table.textContent()).toContain("RPE Centre-Nord");

    await page.getByRole("button", { name: "Supprimer la zone RPE Centre-Nord" }).click();
    await page.getByRole("button", { name: "Confirmer la suppression" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toBe("Zone « RPE Centre-Nord » supprimée.");
    await expect.poll(() => table.textContent()).not.toContain("RPE Centre");
    expect(await s.db.query("SELECT 1 FROM zone WHERE id = $1", [saved!.id])).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, "zone-supprimee.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);
});
