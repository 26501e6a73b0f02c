/**
 * Browser test (Chromium) of a deposit whose address is in several columns:
 * a 2,000-row file of the demo territory with address, postcode and commune
 * apart. The mapping screen proposes the postcode and commune columns as
 * parts of the address, counts how many of the first 1,000 rows are found
 * (and fewer when the user drops them), asks about the annex field the file
 * lacks until it is declared absent; after the deposit every row whose
 * address exists has its IRIS and the rows without IRIS download as a report
 * holding no address.
 */
import path from "node:path";
import iconv from "iconv-lite";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoAddresses } from "../../src/release/demo.js";
import { createJeu } from "../../src/store/datasets.js";
import { DEMO_CONVENTION, DEMO_PASSWORD } from "../../src/store/demo.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { demoSplitAddressFile } from "../helpers/demo-file.js";
import { startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let browser: Browser;
let jeuId: string;

beforeAll(async () => {
  s = await startServer("pglite", await buildWeb(), false, () => new Date("2026-11-24T10:00:00Z"));
  await seedDemoAddresses(s.db);
  jeuId = await createJeu(s.db, DEMO_CONVENTION.id, "allocataires", "Allocataires CAF par IRIS (démo)");
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe("a deposit with the address in several columns, in a browser", () => {
  it("composes the address from address, postcode and commune columns and finds every address that exists", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/conventions/demo-abs-valsocle`);
    await page.getByLabel("Adresse électronique").fill("caf@demo.socle.example");
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("button", { name: "Déposer un fichier…" }).click();
    const demo = demoSplitAddressFile(2000);
    const panel = page.getByRole("region", { name: "Dépôt d'un fichier" });
    await panel.getByLabel("Fichier du partenaire (CSV ou XLSX)").setInputFiles({
      name: "allocataires-colonnes.csv",
      mimeType: "text/csv",
      buffer: iconv.encode(demo.text, "win1252"),
    });
    await expect
      .poll(() => panel.getByLabel("Colonne pour code postal").inputValue(), { timeout: 10_000 })
      .toBe("Code postal");
    expect(await panel.getByLabel("Colonne pour nom de la commune").inputValue()).toBe("Ville");
    const count = panel.locator(".controle-adresses");
    await expect
      .poll(() => count.textContent(), { timeout: 10_000 })
      .toBe("Adresses trouvées (IRIS connu) sur les 1000 premières lignes : 990 (99 %).");
    // Without the commune and postcode, street names shared by several communes are not found.
    await panel.getByLabel("Colonne pour nom de la commune").selectOption("");
    await panel.getByLabel("Colonne pour code postal").selectOption("");
    // The preview recomputes 1,000 lines after each change: slow on a loaded machine.
    await expect
      .poll(async () => Number(/: (\d+) \(/.exec((await count.textContent()) ?? "")?.[1]), {
        timeout: 30_000,
      })
      .toBeLessThan(900);
    await panel.getByLabel("Colonne pour code postal").selectOption("Code postal");
    await panel.getByLabel("Colonne pour nom de la commune").selectOption("Ville");
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toContain(": 990 (99 %)");
    // The annex's commune code is not in the file: asked, then declared absent.
    const questions = panel.getByRole("list", { name: "Questions avant le dépôt" });
    await expect.poll(() => questions.textContent()).toContain("« code commune »");
    expect(await panel.getByRole("button", { name: "Déposer" }).isDisabled()).toBe(true);
    await panel.getByLabel("Absent de ce dépôt : code commune").check();
    await expect.poll(() => questions.count()).toBe(0);
    expect(await panel.textContent()).not.toMatch(/Mairie|Écoles|Moulin|Imaginaire|D17\b/);
    await panel.getByLabel("Millésime des données").fill("2025");
    await panel.getByRole("button", { name: "Déposer" }).click();
    await expect
      .poll(() => page.getByRole("status").first().textContent(), { timeout: 30_000 })
      .toBe("Dépôt enregistré : 2000 lignes, 0 doublon(s) écarté(s), 20 ligne(s) sans IRIS.");
    await page.screenshot({ path: path.join(ARTIFACTS, "depot-adresses.png"), fullPage: true });

    // Every row whose address exists has its IRIS.
    const got = await s.db.query<{ ligne: number; code_iris: string | null }>(
      "SELECT ligne, code_iris FROM microdonnee WHERE jeu_id = $1",
      [jeuId],
    );
    expect(got).toHaveLength(2000);
    expect(got.filter((g) => g.code_iris !== demo.truth.get(g.ligne))).toEqual([]);

    // The rows without IRIS download from the page: line, type, reason, no address.
    const href = await page.getByRole("link", { name: /Lignes sans IRIS de ce dépôt/ }).getAttribute("href");
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    const lines = csv.trim().split(/\r?\n/);
    expect(lines).toHaveLength(21);
    expect(lines[1]).toBe("101;municipality;commune;voie_inconnue;voie inconnue dans la commune");
    for (const w of [...demo.words, "Valsocle", "VALSOCLE"]) expect(csv).not.toContain(w);
    expect(errors).toEqual([]);
  }, 180_000);
});
