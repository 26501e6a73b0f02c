/**
 * Browser test of the convention workflow (Chromium): a CCAS referent
 * records a convention with one annex (a draft until the CAF's referent
 * accepts it), then files a FED request; the CAF referent answers
 * défavorable without a reason (refused), then favorable; the annex's
 * dataset to collect appears and the upcoming renewal is announced.
 */
import path from "node:path";
import iconv from "iconv-lite";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { DEMO_STREETS, seedDemoAddresses, seedDemoRelease } from "../../src/release/demo.js";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { DEMO_PASSWORD } from "../../src/store/demo.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { startServer, type TestServer } from "../helpers/server.js";

const PASSWORD = "Navigateur-Conv-2026";
let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  s = await startServer("pglite", await buildWeb(), false, () => new Date("2026-11-24T10:00:00Z"));
  const hash = await hashPassword(PASSWORD);
  for (const [email, org, kind] of [
    ["ccas@nav.test", "CCAS de Testville", "CCAS"],
    ["caf@nav.test", "CAF de Testville", "CAF"],
  ] as const) {
    const o = await createOrganisation(s.db, { nom: org, kind });
    const u = await createUser(s.db, { email, nom: `Référent ${org}`, passwordHash: hash });
    await addMembership(s.db, u, o, "referent");
  }
  await seedDemoAddresses(s.db);
  await seedDemoRelease(s.db);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function login(page: Page, email: string) {
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("button", { name: "Se déconnecter" }).waitFor();
}

describe("conventions in a browser", () => {
  it("creates a convention, files a FED, refuses a défavorable without reason, accepts a favorable, shows the renewal alert", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // The CCAS referent records the convention.
    await page.goto(`${s.url}/conventions`);
    await login(page, "ccas@nav.test");
    await page.getByRole("link", { name: "Nouvelle convention" }).click();
    await page.getByLabel("Titre", { exact: true }).fill("Convention ABS Testville 2026");
    await page.getByLabel("Objet", { exact: true }).fill("Analyse des besoins sociaux du CCAS de Testville");
    await expect
      .poll(() => page.getByLabel("Organisation (partie 1)").locator("option").count())
      .toBeGreaterThan(2);
    await page.getByLabel("Organisation (partie 1)").selectOption({ label: "CCAS de Testville" });
    await page.getByLabel("Organisation (partie 2)").selectOption({ label: "CAF de Testville" });
    await page.getByLabel("Titre du jeu de données").fill("Allocataires par IRIS");
    await page.getByLabel("Mention de la source").fill("Source : CAF de Testville");
    await page.getByLabel("Signée le").fill("2025-12-15");
    await page.getByLabel("Prend effet le").fill("2026-01-01");
    await page.getByRole("button", { name: "Enregistrer la convention" }).click();

    await expect
      .poll(() => page.locator("h1").textContent(), { timeout: 10_000 })
      .toContain("Convention ABS Testville 2026");
    expect(page.url()).toBe(`${s.url}/conventions/convention-abs-testville-2026`);
    // Registered by the CCAS, it binds the CAF only once the CAF's référent accepts it.
    expect(await page.locator("h1 .badge").textContent()).toBe("brouillon");
    expect(await page.getByRole("region", { name: "Signatures" }).textContent()).toContain(
      "Brouillon : acceptation attendue",
    );
    expect(await page.getByRole("link", { name: "Nouvelle demande FED" }).count()).toBe(0);
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await login(page, "caf@nav.test");
    await page.goto(`${s.url}/conventions/convention-abs-testville-2026`);
    await page.getByRole("button", { name: "Accepter la convention au nom de mon organisation" }).click();
    await expect.poll(() => page.locator("h1 .badge").textContent()).toBe("active");
    expect(await page.locator("table").filter({ hasText: "Acceptation" }).textContent()).toContain(
      "acceptée le",
    );
    await expect
      .poll(() => page.getByRole("region", { name: "Alertes" }).textContent())
      .toContain("Reconduction tacite le 01/01/2027 pour 12 mois.");
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await login(page, "ccas@nav.test");
    await page.goto(`${s.url}/conventions/convention-abs-testville-2026`);

    // A FED request from the recipient.
    await page.getByRole("link", { name: "Nouvelle demande FED" }).click();
    await page.getByLabel("Nom du référent").fill("Chargée d'observation");
    await page.getByLabel("Service demandeur").fill("Observatoire social");
    await page.getByLabel("Chef de service").fill("Direction du CCAS");
    await page.getByLabel("Étude envisagée").fill("Familles monoparentales par IRIS");
    await page.getByLabel("Indicateurs demandés (un par ligne)").fill("Familles monoparentales\nBas revenus");
    await page.getByLabel("Délai souhaité").fill("2027-02-15");
    await page.getByRole("button", { name: "Envoyer la demande" }).click();
    await expect
      .poll(() => page.locator("h1").textContent())
      .toContain("FED : Familles monoparentales par IRIS");
    expect(await page.locator("h1 .badge").textContent()).toBe("en attente de réponse");
    // The recipient cannot answer its own request.
    expect(await page.getByRole("form", { name: "Réponse à la demande" }).count()).toBe(0);
    const fedUrl = page.url();

    // The CAF referent answers.
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await login(page, "caf@nav.test");
    await page.getByRole("link", { name: "Demandes FED" }).click();
    const inbox = page.getByRole("region", { name: "Demandes reçues" });
    await inbox.getByRole("link", { name: "Familles monoparentales par IRIS" }).click();
    expect(page.url()).toBe(fedUrl);
    const form = page.getByRole("form", { name: "Réponse à la demande" });
    await form.getByLabel("Défavorable").check();
    await form.getByRole("button", { name: "Enregistrer la réponse" }).click();
    await expect
      .poll(() => form.getByRole("alert").textContent())
      .toBe("Réponse refusée : Un avis défavorable doit être motivé : motif requis.");
    expect(await page.locator("h1 .badge").textContent()).toBe("en attente de réponse");

    await form.getByLabel("Favorable", { exact: true }).check();
    await form.getByLabel("Délai de livraison").fill("2027-01-31");
    await form.getByRole("button", { name: "Enregistrer la réponse" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toBe("Avis favorable enregistré : les annexes livrées sont déjà ouvertes par la convention.");
    // The page's title badge follows once the request is read again.
    await expect.poll(() => page.locator("h1 .badge").textContent()).toBe("avis favorable");

    // The convention's annex opened its dataset at acceptance; the history keeps both FED steps.
    await page.getByRole("link", { name: "Convention ABS Testville 2026" }).click();
    await expect
      .poll(() => page.locator("table").filter({ hasText: "Dépôts" }).textContent())
      .toContain("à collecter");
    expect(await page.locator(".chronologie").textContent()).toContain(
      "Réponse à une demande FED : avis favorable",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "convention.png"), fullPage: true });
    await page.getByRole("link", { name: "Conventions", exact: true }).click();
    await expect
      .poll(() => page.getByRole("region", { name: "Alertes" }).textContent())
      .toContain("Convention ABS Testville 2026 — Reconduction tacite le 01/01/2027 pour 12 mois.");
    await page.screenshot({ path: path.join(ARTIFACTS, "conventions.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);

  it("shows the demo release on a map of the IRIS, with secret IRIS greyed, and downloads it with its source", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/conventions/demo-abs-valsocle`);
    await page.getByLabel("Adresse électronique").fill("ccas@demo.socle.example");
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("link", { name: "Allocataires CAF par IRIS (démo) — 2025" }).click();
    await expect
      .poll(() => page.locator("h1").textContent(), { timeout: 20_000 })
      .toContain("Diffusion 2025");
    const map = page.locator(".carte");
    await expect
      .poll(async () => Number((await map.getAttribute("data-iris-total")) ?? 0), { timeout: 20_000 })
      .toBeGreaterThan(30);
    const total = Number(await map.getAttribute("data-iris-total"));
    await expect
      .poll(async () => Number((await map.getAttribute("data-iris-rendus")) ?? 0), { timeout: 30_000 })
      .toBe(total);
    expect(await page.locator(".legende").textContent()).toMatch(/secret statistique \(\d+ IRIS\)/);
    expect(await page.locator(".tableau-diffusion").textContent()).toContain("s");
    await page.screenshot({ path: path.join(ARTIFACTS, "diffusion-demo.png"), fullPage: true });
    // The CSV link downloads the release with its source on every line.
    const href = await page.getByRole("link", { name: "CSV", exact: true }).getAttribute("href");
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    expect(csv.split("\n")[1]).toContain(
      "Source : CAF fictive du Val de Socle (démo), données au 31/12/2025",
    );
    expect(errors).toEqual([]);
  }, 120_000);

  it("deposits a partner's file from the browser: proposed mapping shown, year set, upload progress, result", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/conventions/demo-abs-valsocle`);
    await page.getByLabel("Adresse électronique").fill("caf@demo.socle.example");
    await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("button", { name: "Déposer un fichier…" }).click();
    const iris = demoTerritory().iris.filter((i) => i.communeCode === "00001");
    const lines = [
      "Matricule;Adresse;Code commune;Sexe;Date de naissance;Situation familiale;Nombre d'enfants",
    ];
    for (let k = 0; k < 60; k++) {
      const i = iris[k % iris.length]!;
      lines.push(
        `A${1000 + k};${1 + (k % 80)} ${DEMO_STREETS[k % 4]} ${i.nom} 00010 Valsocle;00001;${k % 2 ? "F" : "M"};0${1 + (k % 9)}/05/19${50 + (k % 40)};couple;${k % 3}`,
      );
    }
    const panel = page.getByRole("region", { name: "Dépôt d'un fichier" });
    await panel.getByLabel("Fichier du partenaire (CSV ou XLSX)").setInputFiles({
      name: "allocataires-2026.csv",
      mimeType: "text/csv",
      buffer: iconv.encode(lines.join("\r\n"), "win1252"),
    });
    await expect
      .poll(() => panel.getByLabel("Colonne pour matricule").inputValue(), { timeout: 10_000 })
      .toBe("Matricule");
    expect(await panel.getByLabel("Colonne pour adresse").inputValue()).toBe("Adresse");
    expect(await panel.textContent()).toContain("100 %");
    await panel.getByLabel("Millésime des données").fill("2026");
    await panel.getByRole("button", { name: "Déposer" }).click();
    await expect
      .poll(() => page.getByRole("status").first().textContent(), { timeout: 20_000 })
      .toBe("Dépôt enregistré : 60 lignes, 0 doublon(s) écarté(s), 0 ligne(s) sans IRIS.");
    await page.screenshot({ path: path.join(ARTIFACTS, "depot.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
