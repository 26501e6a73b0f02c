/**
 * One Chromium journey per reference convention, on its demo replay (the
 * same parties and annexes, this year, fictitious data on the fictional Val
 * de Socle), each party signing in with its own demo account: the provider
 * deposits, the recipient reports an anomaly the provider answers, the
 * study is restituted and downloaded by the provider, a session recorded;
 * the processor (Aix), else the recipient (Béthune, Rouen) releases;
 * Béthune's recipient destroys the data at the end (and, in a variant whose
 * releases are not kept, the release goes with the data).
 * Screenshots of every step are kept in test-artifacts/.
 */
import path from "node:path";
import iconv from "iconv-lite";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { AIX, BETHUNE, DIJON, ROUEN } from "../../src/core/convention/reference.js";
import { replayId, replayOn } from "../../src/core/convention/replay.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { DEMO_STREETS, seedDemoAddresses } from "../../src/release/demo.js";
import { findOrganisationByNom } from "../../src/store/accounts.js";
import { createConvention, openAnnexDatasets } from "../../src/store/conventions.js";
import { DEMO_PASSWORD } from "../../src/store/demo.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  s = await startServer("pglite", await buildWeb(), false, () => new Date("2026-11-24T10:00:00Z"));
  await seedDemoAddresses(s.db);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/** A journey: one page, screenshots numbered in order, no script error allowed. */
async function journey(name: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  let n = 0;
  return {
    page,
    errors,
    shot: (step: string) =>
      page.screenshot({
        path: path.join(ARTIFACTS, `parcours-${name}-${String(++n).padStart(2, "0")}-${step}.png`),
        fullPage: true,
      }),
  };
}

async function signIn(page: Page, email: string, conventionId: string) {
  if (await page.getByRole("button", { name: "Se déconnecter" }).isVisible())
    await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.getByLabel("Adresse électronique").waitFor();
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("button", { name: "Se déconnecter" }).waitFor();
  await page.goto(`${s.url}/conventions/${conventionId}`);
  await page.locator("h1").waitFor();
}

/** Waits for the page's status message; an error shown instead is in the failure's message. */
async function status(page: Page, text: string | RegExp, timeout = 30_000) {
  await expect
    .poll(
      async () =>
        [
          ...(await page.getByRole("status").allTextContents()),
          ...(await page.getByRole("alert").allTextContents()),
        ].join(" | "),
      { timeout },
    )
    .toMatch(text);
}

/** Deposits a file for the dataset titled `jeu`, declaring absent every annex field it lacks. */
async function deposit(page: Page, jeu: string, file: { name: string; text: string }, mode?: "correction") {
  await page
    .getByRole("row")
    .filter({ hasText: jeu })
    .getByRole("button", { name: "Déposer un fichier…" })
    .click();
  const panel = page.getByRole("region", { name: "Dépôt d'un fichier" });
  await panel.getByLabel("Fichier du partenaire (CSV ou XLSX)").setInputFiles({
    name: file.name,
    mimeType: "text/csv",
    buffer: iconv.encode(file.text, "win1252"),
  });
  await panel.getByLabel("Millésime des données").waitFor({ timeout: 15_000 });
  await panel.getByLabel("Millésime des données").fill("2025");
  if (mode) await panel.getByLabel("Si ce millésime a déjà des données").selectOption(mode);
  await expect
    .poll(() => panel.getByRole("button", { name: "Déposer" }).isEnabled(), { timeout: 15_000 })
    .toBe(true);
  await panel.getByRole("button", { name: "Déposer" }).click();
  await status(page, /Dépôt enregistré|Tableau enregistré/, 120_000);
}

async function reportAnomaly(page: Page, target: RegExp, texte: string, lignes?: string) {
  const form = page.getByRole("form", { name: "Signaler une anomalie" });
  const option = form.locator("option").filter({ hasText: target }).first();
  await form.getByLabel("Données concernées").selectOption({ value: (await option.getAttribute("value"))! });
  await form.getByLabel("Description de l'anomalie").fill(texte);
  if (lignes) await form.getByLabel("Lignes du fichier (facultatif)").fill(lignes);
  await form.getByRole("button", { name: "Signaler l'anomalie" }).click();
  await status(page, "Anomalie signalée au fournisseur.");
}

async function answerAnomaly(page: Page, texte: string) {
  const form = page.getByRole("form", { name: "Répondre à l'anomalie" }).first();
  await form.getByLabel("Votre réponse").fill(texte);
  await form.getByRole("button", { name: "Répondre" }).click();
  await status(page, "Réponse envoyée.");
}

async function restitute(page: Page, titre: string) {
  const form = page.getByRole("form", { name: "Restituer l'étude" });
  await form.getByLabel("Titre de l'étude").fill(titre);
  await form.getByLabel("Document").setInputFiles({
    name: "etude.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from(`%PDF-1.4 ${titre}`),
  });
  await form.getByRole("button", { name: "Envoyer l'étude aux fournisseurs" }).click();
  await status(page, "Étude restituée aux fournisseurs.");
}

async function recordSession(page: Page, participants: string[], compteRendu: string) {
  const form = page.getByRole("form", { name: "Enregistrer une séance de restitution" });
  await form.getByLabel("Tenue le").fill("2026-11-20");
  await form.getByLabel("Participants (un par ligne)").fill(participants.join("\n"));
  await form.getByLabel("Compte rendu").fill(compteRendu);
  await form.getByRole("button", { name: "Enregistrer la séance" }).click();
  await status(page, "Séance de restitution enregistrée.");
}

/** The provider downloads the study from its convention page. */
async function downloadStudy(page: Page, titre: string) {
  const href = await page.getByRole("link", { name: "Télécharger l'étude" }).first().getAttribute("href");
  const text = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
  expect(text).toBe(`%PDF-1.4 ${titre}`);
}

const thread = (page: Page) => page.getByRole("region", { name: "Anomalies signalées" });

/** An aggregated table of the fictional communes for an annex: every field, plausible values. */
function aggregatedFile(c: Convention, annexe: string, broken = false): { name: string; text: string } {
  const j = c.jeux.find((x) => x.id === annexe)!;
  const t = demoTerritory();
  const rows = t.communes.map((com, k) =>
    j.champs.map((f) => {
      if (f.type === "code_commune") return com.code;
      if (f.nom === "annee") return "2025";
      if (f.type === "code_iris") return t.iris.find((i) => i.communeCode === com.code)!.code;
      if (f.type === "texte") return "indicateur";
      if (f.type === "taux" || f.type === "decimal") return broken && k === 2 ? "-3,5" : `${10 + k},5`;
      return String(broken && k === 2 ? 5 : 40 + 13 * k);
    }),
  );
  return {
    name: `${annexe}-2025.csv`,
    text: `${[j.champs.map((f) => f.nom), ...rows].map((r) => r.join(";")).join("\r\n")}\r\n`,
  };
}

/** The APA à domicile file of the Conseil départemental, on the fictional territory. */
function apaFile(rows: number): { name: string; text: string } {
  const t = demoTerritory();
  const communes = new Map(t.communes.map((c) => [c.code, c]));
  const lines = ["index_dossier;adresse;code_postal;commune;sexe;date_naissance;situation_familiale;gir"];
  for (let k = 0; k < rows; k++) {
    const i = t.iris[(k * 7) % t.iris.length]!;
    const c = communes.get(i.communeCode)!;
    lines.push(
      [
        `APA${k}`,
        `${1 + (k % 80)} ${DEMO_STREETS[k % 4]} ${i.nom}`,
        c.codesPostaux[0]!,
        c.nom,
        k % 3 ? "F" : "M",
        `0${1 + (k % 9)}/03/19${30 + (k % 20)}`,
        k % 2 ? "couple" : "personne isolée",
        String(1 + (k % 6)),
      ].join(";"),
    );
  }
  return { name: "apa-2025.csv", text: `${lines.join("\r\n")}\r\n` };
}

describe("the four reference conventions driven in a browser by their parties", () => {
  it("Aix: the CD13 deposits the APA file, COMPAS releases it, the CCAS reports an anomaly the CD13 answers, the study is restituted and downloaded by the CD13", async () => {
    const { page, errors, shot } = await journey("aix");
    const id = replayId(AIX.id);
    await page.goto(`${s.url}/conventions/${id}`);
    await signIn(page, "cd13@demo.socle.example", id);
    expect(await page.locator("h1").textContent()).toContain("rejouée sur le Val de Socle");
    await shot("cd13-convention");
    await deposit(page, "APA à domicile", apaFile(600));
    await shot("cd13-depot-apa");

    await signIn(page, "compas@demo.socle.example", id);
    await page
      .getByRole("row")
      .filter({ hasText: "APA à domicile" })
      .getByRole("button", { name: /^Diffuser/ })
      .click();
    await status(page, "Diffusion produite : secret statistique posé et audit réussi.", 180_000);
    await shot("compas-diffusion");

    await signIn(page, "ccas-aix@demo.socle.example", id);
    await expect.poll(() => page.locator("ul.diffusions li").count()).toBe(1);
    await reportAnomaly(
      page,
      /^Diffusion du .* APA à domicile/,
      "Le nombre de bénéficiaires GIR 1 paraît faible.",
    );
    await shot("ccas-anomalie");
    await restitute(page, "ABS 2026 du CCAS d'Aix-en-Provence");
    await recordSession(
      page,
      ["Conseil Départemental 13", "CCAS d'Aix-en-Provence", "COMPAS-TIS"],
      "Présentation annuelle des résultats.",
    );
    await shot("ccas-restitution");

    await signIn(page, "cd13@demo.socle.example", id);
    // The thread loads after the page: wait for it.
    await expect
      .poll(() => thread(page).textContent())
      .toContain("Le nombre de bénéficiaires GIR 1 paraît faible.");
    await answerAnomaly(page, "Effectif confirmé : la PCH a remplacé l'ACTP pour ces personnes.");
    await expect.poll(() => thread(page).textContent()).toContain("répondue");
    await downloadStudy(page, "ABS 2026 du CCAS d'Aix-en-Provence");
    await expect
      .poll(() => page.getByRole("region", { name: "Séances de restitution" }).textContent())
      .toContain("Séance du 20/11/2026 — Conseil Départemental 13, CCAS d'Aix-en-Provence, COMPAS-TIS");
    await shot("cd13-reponse-et-etude");
    expect(errors).toEqual([]);
  }, 600_000);

  it("Dijon: the CCAS deposits its IRIS table, the Grand Dijon reports an error on two lines, the CCAS answers and corrects, the Grand Dijon closes; the study is restituted", async () => {
    const { page, errors, shot } = await journey("dijon");
    const id = replayId(DIJON.id);
    await page.goto(`${s.url}/conventions/${id}`);
    await signIn(page, "ccas-dijon@demo.socle.example", id);
    const jeu = DIJON.jeux.find((j) => j.id === "ville-vers-agglo")!.titre;
    await deposit(page, jeu.slice(0, 30), aggregatedFile(DIJON, "ville-vers-agglo", true));
    await shot("ccas-depot");

    await signIn(page, "grand-dijon@demo.socle.example", id);
    await reportAnomaly(
      page,
      /^Dépôt du .*Données de la Ville/,
      "Valeurs incohérentes pour deux IRIS.",
      "3-4",
    );
    await shot("agglo-anomalie");

    await signIn(page, "ccas-dijon@demo.socle.example", id);
    await page.getByRole("link", { name: /Mes tâches/ }).waitFor();
    await expect.poll(() => page.locator(".compteur").textContent()).toMatch(/^\d+/);
    await page.getByRole("link", { name: /Mes tâches/ }).click();
    await expect
      .poll(() => page.getByRole("region", { name: "Anomalies ouvertes" }).textContent())
      .toContain("Anomalie signalée sur vos données");
    await shot("ccas-mes-taches");
    await page.goto(`${s.url}/conventions/${id}`);
    await answerAnomaly(page, "Erreur d'extraction : fichier corrigé déposé.");
    await deposit(page, jeu.slice(0, 30), aggregatedFile(DIJON, "ville-vers-agglo"), "correction");
    await restitute(page, "Observatoire du développement social local 2026");
    await shot("ccas-reponse-correction-restitution");

    await signIn(page, "grand-dijon@demo.socle.example", id);
    await downloadStudy(page, "Observatoire du développement social local 2026");
    await thread(page).getByRole("button", { name: "Clore l'anomalie" }).click();
    await status(page, "Anomalie close.");
    await expect.poll(() => thread(page).textContent()).toContain("close");
    await recordSession(
      page,
      ["Observatoire Prospective", "Politique de la Ville", "CCAS de Dijon"],
      "Atelier d'analyse partagée.",
    );
    await shot("agglo-cloture-seance");
    expect(errors).toEqual([]);
  }, 600_000);

  it("Béthune: the CAF deposits the assistants maternels table, the agglomeration releases it (its page stamped « Usage interne » with the double sigle), reports an anomaly the CAF answers, restitutes the study and destroys the data", async () => {
    const { page, errors, shot } = await journey("bethune");
    const id = replayId(BETHUNE.id);
    const annexe = BETHUNE.jeux[0]!;
    const row = () => page.getByRole("row").filter({ hasText: annexe.titre.slice(0, 25) });
    await page.goto(`${s.url}/conventions/${id}`);
    await signIn(page, "caf62@demo.socle.example", id);
    await deposit(page, annexe.titre.slice(0, 25), aggregatedFile(BETHUNE, annexe.id));
    await shot("caf-depot");

    // No processor: the recipient releases.
    await signIn(page, "cabbalr@demo.socle.example", id);
    await row()
      .getByRole("button", { name: /^Diffuser/ })
      .click();
    await status(page, "Diffusion produite : secret statistique posé et audit réussi.", 180_000);
    await shot("agglo-diffusion");
    // The release page carries the double sigle and the « Usage interne » stamp, as every export does.
    await page.locator(".diffusions").getByRole("link").first().click();
    await page.getByRole("note", { name: "Usage interne" }).waitFor();
    expect(await page.getByRole("note", { name: "Usage interne" }).textContent()).toBe(
      "Usage interne – diffusion interdite sans accord de CAF du Pas-de-Calais",
    );
    expect(await page.locator(".double-sigle").textContent()).toMatch(/^Étude CAF du Pas-de-Calais × /);
    await shot("agglo-page-diffusion-tampons");
    await page.goto(`${s.url}/conventions/${id}`);
    await page.locator("h1").waitFor();
    await reportAnomaly(page, /^Diffusion du /, "Le taux d'activité dépasse 100 % pour une commune.");
    await restitute(page, "Diagnostic de la profession d'assistant maternel");
    await shot("agglo-anomalie-restitution");

    await signIn(page, "caf62@demo.socle.example", id);
    await answerAnomaly(page, "Taux recalculé dans le fichier du prochain dépôt.");
    await downloadStudy(page, "Diagnostic de la profession d'assistant maternel");
    await shot("caf-reponse-etude");

    // The recipient signed the duty to destroy at the end of the study.
    await signIn(page, "cabbalr@demo.socle.example", id);
    await row().getByRole("button", { name: "Détruire…" }).click();
    await page.getByLabel("Confirmation").fill("DÉTRUIRE");
    await page.getByRole("button", { name: "Détruire définitivement" }).click();
    await status(page, "Jeu de données détruit ; l'attestation est disponible.");
    await shot("agglo-destruction");
    expect(errors).toEqual([]);
  }, 600_000);

  it("Béthune with releases not kept at destruction: the agglomeration destroys from the UI, the attestation lists the release destroyed with the data, and the release is gone from every page", async () => {
    const { page, errors, shot } = await journey("bethune-diffusions-detruites");
    // The same convention replayed, but saying its protected outputs go with the data.
    const replay = replayOn(BETHUNE, "2026-11-24");
    const c: Convention = {
      ...replay,
      id: "demo-bethune-sans-conservation",
      titre: `${replay.titre} — diffusions non conservées`,
      obligations: { ...replay.obligations, diffusionsConservees: false },
    };
    const organisations: Record<string, string> = {};
    for (const p of c.parties) organisations[p.id] = (await findOrganisationByNom(s.db, p.nom))!.id;
    await createConvention(s.db, c, organisations);
    await openAnnexDatasets(s.db, c, "2026-11-24");
    const annexe = c.jeux[0]!;
    const row = () => page.getByRole("row").filter({ hasText: annexe.titre.slice(0, 25) });
    await page.goto(`${s.url}/conventions/${c.id}`);
    await signIn(page, "caf62@demo.socle.example", c.id);
    await deposit(page, annexe.titre.slice(0, 25), aggregatedFile(c, annexe.id));

    await signIn(page, "cabbalr@demo.socle.example", c.id);
    await row()
      .getByRole("button", { name: /^Diffuser/ })
      .click();
    await status(page, "Diffusion produite : secret statistique posé et audit réussi.", 180_000);
    const link = page.locator(".diffusions").getByRole("link").first();
    await link.waitFor();
    const releaseHref = (await link.getAttribute("href"))!;
    const releaseId = releaseHref.split("/").pop()!;
    await shot("agglo-diffusion");

    await row().getByRole("button", { name: "Détruire…" }).click();
    await page.getByLabel("Confirmation").fill("DÉTRUIRE");
    await page.getByRole("button", { name: "Détruire définitivement" }).click();
    await status(page, "Jeu de données détruit ; l'attestation est disponible.");
    await shot("agglo-destruction");
    // The attestation shown on the convention page says what became of the release.
    await row().getByRole("button", { name: "Attestation" }).click();
    await expect
      .poll(() => page.locator("pre.attestation").textContent(), { timeout: 15_000 })
      .toContain("Diffusions protégées (1) :");
    const text = (await page.locator("pre.attestation").textContent())!;
    expect(text).toMatch(/– millésime 2025, diffusée le .+ : détruite avec les données/);
    expect(text).toContain("Vérification : attestation valide, aucune donnée ne subsiste.");
    await shot("agglo-attestation");
    // The printable attestation lists it too.
    const printable = (await row()
      .getByRole("link", { name: "Attestation imprimable" })
      .getAttribute("href"))!;
    await page.goto(`${s.url}${printable}`);
    expect(await page.locator("body").textContent()).toContain("détruite avec les données");
    await shot("attestation-imprimable");
    // A tombstone remains (what it was, its hash), no value; the release itself is gone.
    const tombstones = await s.db.query<{ id: string }>(
      "SELECT id FROM diffusion_detruite WHERE convention_id = $1",
      [c.id],
    );
    expect(tombstones.map((t) => t.id)).toEqual([releaseId]);
    await page.goto(`${s.url}/conventions/${c.id}`);
    await page.locator("h1").waitFor();
    await expect.poll(() => page.locator(".diffusions").count()).toBe(0);
    expect(await page.getByText("Aucune diffusion.").count()).toBe(1);
    await page.goto(`${s.url}${releaseHref}`);
    await expect
      .poll(() => page.getByRole("alert").textContent(), { timeout: 15_000 })
      .toMatch(/introuvable/i);
    await shot("diffusion-disparue");
    expect(errors).toEqual([]);
  }, 600_000);

  it("Rouen: the CAF deposits the yearly socle, the city releases it, asks the CAF's approval of an external diffusion and reports an anomaly; the CAF answers, approves from « Mes tâches »; the city sends the study back", async () => {
    const { page, errors, shot } = await journey("rouen");
    const id = replayId(ROUEN.id);
    const annexe = ROUEN.jeux[0]!;
    await page.goto(`${s.url}/conventions/${id}`);
    await signIn(page, "caf76@demo.socle.example", id);
    await deposit(page, annexe.titre.slice(0, 25), aggregatedFile(ROUEN, annexe.id));
    await shot("caf-depot-socle");

    await signIn(page, "ville-rouen@demo.socle.example", id);
    await page
      .getByRole("row")
      .filter({ hasText: annexe.titre.slice(0, 25) })
      .getByRole("button", { name: /^Diffuser/ })
      .click();
    await status(page, "Diffusion produite : secret statistique posé et audit réussi.", 180_000);
    // External diffusion needs the CAF's approval: the city asks it from the release page.
    await page.locator(".diffusions").getByRole("link").first().click();
    const ask = page.getByRole("form", { name: "Demander l'accord du fournisseur" });
    await ask.getByLabel("Portée de la diffusion externe").fill("Diagnostic présenté au conseil municipal");
    await ask.getByLabel("Destinataire de la diffusion").fill("Conseil municipal");
    await ask.getByRole("button", { name: "Demander l'accord du fournisseur" }).click();
    await status(page, "Demande d'accord envoyée au fournisseur.");
    expect(await page.getByRole("region", { name: "Demandes d'accord" }).textContent()).toContain(
      "en attente de la réponse du fournisseur",
    );
    await shot("ville-demande-accord");
    const releasePage = page.url();
    await page.goto(`${s.url}/conventions/${id}`);
    await page.locator("h1").waitFor();
    await reportAnomaly(page, /^Diffusion du /, "La population couverte de la commune 00003 paraît doublée.");
    await restitute(page, "Analyse des besoins sociaux de Rouen 2026");
    await shot("ville-diffusion-anomalie-restitution");

    await signIn(page, "caf76@demo.socle.example", id);
    await answerAnomaly(page, "Double compte corrigé dans le socle de l'an prochain.");
    await downloadStudy(page, "Analyse des besoins sociaux de Rouen 2026");
    await shot("caf-reponse-etude");

    // The approval asked is among the CAF's tasks (menu counter); it is given from the release page.
    await page.getByRole("link", { name: /^Mes tâches/ }).click();
    const asked = page.getByRole("region", { name: "Accords de diffusion demandés" });
    await asked.waitFor();
    expect(await asked.locator("h2").textContent()).toBe("Accords de diffusion demandés (1)");
    expect(await page.locator(".compteur").textContent()).toMatch(/^\d+/);
    await asked
      .getByRole("link", { name: "Accord de diffusion externe demandé (destinataire : Conseil municipal)." })
      .click();
    expect(page.url()).toBe(releasePage);
    await page
      .getByRole("region", { name: "Demandes d'accord" })
      .getByRole("button", { name: "Accorder" })
      .click();
    await status(page, "Accord de diffusion externe enregistré.");
    await page.getByRole("link", { name: "Export pour la diffusion externe (XLSX)" }).waitFor();
    await shot("caf-accord-donne");
    await page.getByRole("link", { name: /^Mes tâches/ }).click();
    await page.locator("h1").filter({ hasText: "Mes tâches" }).waitFor();
    await expect
      .poll(() => page.getByRole("region", { name: "Accords de diffusion demandés" }).count())
      .toBe(0);
    expect(errors).toEqual([]);
  }, 600_000);
});
