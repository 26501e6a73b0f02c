/**
 * Browser test (Chromium) of the observation date a provider states at
 * deposit: the demo CAF's extraction is of 30 September, not of 31
 * December; the deposit form takes that date and the date of the data's
 * update, the deposit records them, and the release made on it says
 * « données au 30/09/2025 » in its source.
 */
import iconv from "iconv-lite";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { seedDemoAddresses } from "../../src/release/demo.js";
import { publishRelease } from "../../src/release/publish.js";
import { getConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import { DEMO_CONVENTION, DEMO_PASSWORD } from "../../src/store/demo.js";
import { buildWeb, launchChromium } from "../helpers/browser.js";
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

describe("the observation date of a deposit, in a browser", () => {
  it("takes the actual date of the data and of its update, which the release's source then says", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/conventions/demo-abs-valsocle`);
    await page.getByLabel("Adresse électronique").fill("caf@demo.socle.example");
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("button", { name: "Déposer un fichier…" }).click();
    const panel = page.getByRole("region", { name: "Dépôt d'un fichier" });
    await panel.getByLabel("Fichier du partenaire (CSV ou XLSX)").setInputFiles({
      name: "allocataires-septembre.csv",
      mimeType: "text/csv",
      buffer: iconv.encode(demoSplitAddressFile(300).text, "win1252"),
    });
    await panel.getByLabel("Absent de ce dépôt : code commune").check({ timeout: 30_000 });
    await panel.getByLabel("Millésime des données").fill("2025");
    await panel.getByLabel("Date d'observation réelle").fill("2025-09-30");
    await panel.getByLabel("Mise à jour des données le").fill("2025-10-15");
    await expect
      .poll(() => panel.getByRole("button", { name: "Déposer" }).isEnabled(), { timeout: 30_000 })
      .toBe(true);
    await panel.getByRole("button", { name: "Déposer" }).click();
    await expect
      .poll(() => page.getByRole("status").first().textContent(), { timeout: 60_000 })
      .toMatch(/^Dépôt enregistré : 300 lignes/);

    const [depot] = await s.db.query<{ d: string | null; m: string | null }>(
      "SELECT date_observation::text AS d, date_mise_a_jour::text AS m FROM depot WHERE jeu_id = $1",
      [jeuId],
    );
    expect(depot).toEqual({ d: "2025-09-30", m: "2025-10-15" });
    const { convention } = await getConvention(s.db, DEMO_CONVENTION.id);
    const r = await publishRelease({
      db: s.db,
      highs: await loadSolver(),
      convention,
      jeuId,
      annee: 2025,
      actorId: null,
      now: new Date("2026-11-24T10:00:00Z"),
    });
    expect(r.mentionSource).toBe("Source : CAF fictive du Val de Socle (démo), données au 30/09/2025");
    expect(r).toMatchObject({
      dateObservation: "2025-09-30",
      miseAJour: "2025-10-15",
      champsAbsents: [{ nom: "code_commune", libelle: "code commune" }],
    });
    expect(errors).toEqual([]);
  }, 240_000);
});
