/**
 * Browser test (Chromium) of the new-convention and avenant forms: an annex
 * described with its fields (required flags) and how its columns add up, a
 * sum refused by the server with its French message at the form, who
 * processes and who destroys, releases not kept at destruction, services
 * per output kind and financing with its review date; an avenant adds an
 * annex with its sums and changes the governance from its effective date.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { startServer, type TestServer } from "../helpers/server.js";

const PASSWORD = "Navigateur-Formulaires-2026";
let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  s = await startServer("pglite", await buildWeb(), false, () => new Date("2026-11-24T10:00:00Z"));
  const hash = await hashPassword(PASSWORD);
  for (const [email, org, kind] of [
    ["ccas@form.test", "CCAS de Formville", "CCAS"],
    ["cd@form.test", "Département de Formville", "CD"],
  ] as const) {
    const o = await createOrganisation(s.db, { nom: org, kind });
    const u = await createUser(s.db, { email, nom: `Référent ${org}`, passwordHash: hash });
    await addMembership(s.db, u, o, "referent");
  }
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

const documentOf = (page: Page, id: string) =>
  page.evaluate(
    async (u) => (await (await fetch(u)).json()) as { document: Convention; versionEnVigueur: Convention },
    `/api/conventions/${id}`,
  );

describe("the new-convention and avenant forms in a browser", () => {
  it("registers an annex with required fields and sums, who processes and destroys, services and financing; an avenant changes them", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.url}/conventions/nouvelle`);
    await login(page, "ccas@form.test");
    await page.getByLabel("Titre", { exact: true }).fill("Aides légales Formville");
    await page.getByLabel("Objet", { exact: true }).fill("Analyse des besoins sociaux de Formville");
    await expect
      .poll(() => page.getByLabel("Organisation (partie 1)").locator("option").count())
      .toBeGreaterThan(2);
    await page.getByLabel("Organisation (partie 1)").selectOption({ label: "CCAS de Formville" });
    await page.getByLabel("Organisation (partie 2)").selectOption({ label: "Département de Formville" });
    await page.getByLabel("Titre du jeu de données").fill("Aides légales ASH");
    await page.getByLabel("Date d'observation").fill("31/12/N-1");
    const champs = page.getByRole("group", { name: "Champs de Aides légales ASH" });
    for (const nom of ["ash_total", "ash_hommes", "ash_femmes"]) {
      await champs.getByRole("button", { name: "Ajouter un champ" }).click();
      await champs.getByLabel("Nom de colonne").last().fill(nom);
    }
    await champs.getByLabel("Requis (ligne refusée si vide)").nth(1).check();
    const sommes = page.getByRole("group", { name: "Sommes de Aides légales ASH" });
    await sommes.getByRole("button", { name: "Ajouter une somme" }).click();
    await sommes.getByRole("combobox", { name: /^Total/ }).selectOption("ash_total");
    await sommes.getByRole("checkbox", { name: "ash_hommes", exact: true }).check();

    const gouv = page.getByRole("group", { name: "Traitement, destruction, services et financement" });
    await gouv
      .getByLabel("Partie chargée du traitement (produit les diffusions)")
      .selectOption({ label: "CCAS de Formville" });
    await gouv
      .getByRole("group", { name: "Parties tenues de détruire les données" })
      .getByLabel("CCAS de Formville")
      .check();
    await gouv
      .getByLabel("Les diffusions (sorties protégées) sont conservées à la destruction des données")
      .uncheck();
    await gouv
      .getByLabel("CCAS de Formville — Couche cartographique (GeoJSON, GeoPackage)")
      .fill("Observatoire social, SIG");
    await gouv.getByLabel("Financement (objet, montants)").fill("Gratuit, sans contrepartie");
    await gouv.getByLabel("Révision du financement le").fill("2027-06-30");
    await page.getByLabel("Mention de la source").fill("Source : Département de Formville");
    await page.getByLabel("Signée le").fill("2025-12-15");
    await page.getByLabel("Prend effet le").fill("2026-01-01");

    // One column does not make a sum: the server's French message comes back at the form.
    await page.getByRole("button", { name: "Enregistrer la convention" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain(
        "« convention.jeux.0.sommes.0.parties » : Au moins deux colonnes s'additionnent en un total.",
      );
    await sommes.getByRole("checkbox", { name: "ash_femmes", exact: true }).check();
    await page.getByRole("button", { name: "Enregistrer la convention" }).click();
    await expect
      .poll(() => page.locator("h1").textContent(), { timeout: 10_000 })
      .toContain("Aides légales Formville");
    const id = "aides-legales-formville";
    const { document: d } = await documentOf(page, id);
    const ccas = d.parties[0]!.id;
    expect(d.jeux[0]).toMatchObject({
      titre: "Aides légales ASH",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune", requis: true },
        { nom: "ash_total", type: "entier", requis: true },
        { nom: "ash_hommes", type: "entier" },
        { nom: "ash_femmes", type: "entier" },
      ],
      sommes: [{ total: "ash_total", parties: ["ash_hommes", "ash_femmes"] }],
    });
    expect(d.jeux[0]!.champs[2]!.requis).toBeUndefined();
    expect(d.traitement).toBe(ccas);
    expect(d.obligations).toMatchObject({ destructionPar: [ccas], diffusionsConservees: false });
    expect(d.parties[0]!.servicesParSortie).toEqual({ carte: ["Observatoire social", "SIG"] });
    expect(d.financement).toEqual({ objet: "Gratuit, sans contrepartie", revueLe: "2027-06-30" });
    const regles = page.locator("dl").filter({ hasText: "Destruction des données par" });
    expect(await regles.textContent()).toContain(
      "CCAS de Formville ; les diffusions sont détruites avec les données",
    );
    expect(await regles.textContent()).toContain("Gratuit, sans contrepartie (révision le 30/06/2027)");
    expect(await page.locator("table").filter({ hasText: "Services autorisés" }).textContent()).toContain(
      "couche : Observatoire social, SIG",
    );

    // The Département accepts; the CCAS amends: a second annex with its sum, financing reviewed, releases kept.
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await login(page, "cd@form.test");
    await page.goto(`${s.url}/conventions/${id}`);
    await page.getByRole("button", { name: "Accepter la convention au nom de mon organisation" }).click();
    await expect.poll(() => page.locator("h1 .badge").textContent()).toBe("active");
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await login(page, "ccas@form.test");
    await page.goto(`${s.url}/conventions/${id}`);
    const av = page.getByRole("form", { name: "Enregistrer un avenant" });
    await av.getByLabel("Objet de l'avenant").fill("Ajout de la PCH ; financement revu");
    await av.getByLabel("Signé le").fill("2026-11-20");
    await av.getByLabel("Effet le").fill("2026-11-24");
    await av.getByLabel("L'avenant ajoute une annexe (jeu de données)").check();
    await av.getByLabel("Titre du jeu de données").fill("PCH par commune");
    await av.getByLabel("Fournisseur").selectOption({ label: "Département de Formville" });
    const champsAv = av.getByRole("group", { name: "Champs de PCH par commune" });
    for (const nom of ["pch_total", "pch_moins_40", "pch_40_et_plus"]) {
      await champsAv.getByRole("button", { name: "Ajouter un champ" }).click();
      await champsAv.getByLabel("Nom de colonne").last().fill(nom);
    }
    const sommesAv = av.getByRole("group", { name: "Sommes de PCH par commune" });
    await sommesAv.getByRole("button", { name: "Ajouter une somme" }).click();
    await sommesAv.getByRole("combobox", { name: /^Total/ }).selectOption("pch_total");
    await sommesAv.getByRole("checkbox", { name: "pch_moins_40", exact: true }).check();
    await sommesAv.getByRole("checkbox", { name: "pch_40_et_plus", exact: true }).check();
    await av
      .getByLabel("L'avenant modifie le traitement, la destruction, les services ou le financement")
      .check();
    await av
      .getByLabel("Les diffusions (sorties protégées) sont conservées à la destruction des données")
      .check();
    await av.getByLabel("Révision du financement le").fill("2027-12-31");
    await av.getByRole("button", { name: "Enregistrer l'avenant" }).click();
    await expect.poll(() => page.getByRole("status").first().textContent()).toBe("Avenant enregistré.");
    const after = await documentOf(page, id);
    expect(after.versionEnVigueur.jeux.map((j) => j.titre)).toEqual(["Aides légales ASH", "PCH par commune"]);
    expect(after.versionEnVigueur.jeux[1]!.sommes).toEqual([
      { total: "pch_total", parties: ["pch_moins_40", "pch_40_et_plus"] },
    ]);
    expect(after.versionEnVigueur.obligations.diffusionsConservees).toBe(true);
    expect(after.versionEnVigueur.financement?.revueLe).toBe("2027-12-31");
    // As signed, the document keeps its first terms.
    expect(after.document.obligations.diffusionsConservees).toBe(false);
    await expect
      .poll(() => page.locator("dl").filter({ hasText: "Destruction des données par" }).textContent())
      .toContain("(révision le 31/12/2027)");
    await page.screenshot({ path: path.join(ARTIFACTS, "convention-formulaires.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);
});
