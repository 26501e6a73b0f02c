/**
 * Browser acceptance of a zoning on the observatory (Chromium, real
 * server): two quartiers of the CCAS (custom zones of IRIS) attached to the
 * APA dataset of a convention, whose release publishes them beside the
 * IRIS and the commune (deposit → geocoding → release, individual rows).
 * The zone level is chosen on the indicator map (drawn as the zones' IRIS,
 * values in the legend and the values table) and in the comparison table;
 * the quartier of three beneficiaries is secret and shown « s », never a
 * value. Screenshots go to test-artifacts/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { AIX } from "../../src/core/convention/reference.js";
import { replayOn } from "../../src/core/convention/replay.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { buildAddressIndex, type ReferenceAddress } from "../../src/geo/address-index.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { depositIndividualFile } from "../../src/ingest/deposit.js";
import { publishRelease } from "../../src/release/publish.js";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import { createZone } from "../../src/store/zones.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { startServer, type TestServer } from "../helpers/server.js";

const EMAIL = "quartiers@socle.test";
const PASSWORD = "Quartiers-Navigateur-2026";
let s: TestServer;
let browser: Browser;
let work: string;

const iris = demoTerritory().iris.filter((i) => i.communeCode === "00001");
const ESSAIS = iris.slice(0, 3).map((i) => i.code);
const LAVOIR = [iris[3]!.code];
const convention: Convention = {
  ...replayOn(AIX, "2026-06-15"),
  id: "aix-quartiers",
  titre: "Convention ABS d'Aix — quartiers (test)",
  jeux: AIX.jeux.map((d) =>
    d.id === "apa" ? { ...d, zones: ["Quartier des Essais", "Quartier du Lavoir"] } : d,
  ),
};
/** Beneficiaries in GIR 1 among the 600 of the Quartier des Essais (every 5th), and three in the Lavoir. */
const GIR1_ESSAIS = 120;
const ESSAIS_ROWS = 600;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "socle-zonage-"));
  const web = await buildWeb();
  s = await startServer("pglite", web, false, () => new Date("2026-06-15T10:00:00Z"));
  const db = s.db;
  const orgs: Record<string, string> = {};
  for (const p of convention.parties)
    orgs[p.id] = await createOrganisation(db, { nom: `${p.nom} (quartiers)`, kind: "AUTRE" });
  await createConvention(db, convention, orgs);
  const u = await createUser(db, {
    email: EMAIL,
    nom: "Quartiers",
    passwordHash: await hashPassword(PASSWORD),
  });
  await addMembership(db, u, orgs["ccas-aix"]!, "analyste");
  await createZone(db, {
    organisationId: orgs["ccas-aix"]!,
    nom: "Quartier des Essais",
    kind: "iris",
    membres: ESSAIS,
  });
  await createZone(db, {
    organisationId: orgs["ccas-aix"]!,
    nom: "Quartier du Lavoir",
    kind: "iris",
    membres: LAVOIR,
  });
  // One street per IRIS of the commune; the file's addresses are geocoded to them, then dropped.
  const streets = iris.map((i, k) => ({ nom: `Rue du Quartier ${k}`, iris: i.code }));
  const refs: ReferenceAddress[] = streets.flatMap((st) =>
    Array.from({ length: 100 }, (_, n) => ({
      communeCode: "00001",
      communeNom: "Valsocle",
      codePostal: "00100",
      ancienneCode: "",
      ancienneNom: "",
      libelleAcheminement: "VALSOCLE",
      nomVoie: st.nom,
      numero: n + 1,
      rep: "",
      iris: st.iris,
    })),
  );
  const row = (k: number, street: number, gir: number) =>
    [`Q${k}`, `${1 + (k % 100)} ${streets[street]!.nom}`, "00100", "Valsocle", k % 3 ? "F" : "M"]
      .concat([`01/06/${1925 + (k % 35)}`, "couple", String(gir)])
      .join(";");
  const rows: string[] = [];
  for (let k = 0; k < ESSAIS_ROWS; k++) rows.push(row(k, k % 3, k % 5 === 0 ? 1 : 2 + (k % 3)));
  for (let k = 0; k < 3; k++) rows.push(row(ESSAIS_ROWS + k, 3, 1));
  // The other IRIS of the commune, so that the commune is published around the quartiers.
  for (let k = 0; k < 400; k++) rows.push(row(ESSAIS_ROWS + 3 + k, 4 + (k % (iris.length - 4)), 1 + (k % 4)));
  const header = ["index_dossier", "adresse", "code_postal", "commune", "sexe", "date_naissance"]
    .concat(["situation_familiale", "gir"])
    .join(";");
  const file = path.join(work, "apa-quartiers.csv");
  writeFileSync(file, [header, ...rows].join("\n"));
  const jeu = await createJeu(db, convention.id, "apa", "APA à domicile");
  await depositIndividualFile({
    db,
    convention,
    jeuId: jeu,
    file,
    annee: 2025,
    secret: new TextEncoder().encode("secret des quartiers"),
    geocoder: new Geocoder(buildAddressIndex(["00"], refs)),
    actorId: null,
  });
  await publishRelease({ db, highs: await loadSolver(), convention, jeuId: jeu, annee: 2025, actorId: null });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function connecte(to: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await page.goto(s.url + to);
  await page.getByLabel("Adresse électronique").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  return page;
}

/** The share as the page prints it (« 20 % », « 20,0 % »), read back as a number. */
const lu = (t: string | null) => Number((t ?? "").replace(/[\s\u202f%]/g, "").replace(",", "."));
const PART_ESSAIS = (GIR1_ESSAIS / ESSAIS_ROWS) * 100;

describe("a zoning on the observatory", () => {
  it("maps the quartiers at the zone level: the value in the legend and the table, the small one secret « s »", async () => {
    const page = await connecte("/indicateurs?indicateur=apa_part_gir1");
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const niveau = page.getByLabel("Niveau");
    await expect
      .poll(() => niveau.locator("option").allTextContents(), { timeout: 20_000 })
      .toContain("Zonage particulier");
    await niveau.selectOption("zone");
    const statut = page.locator(".statut-carte");
    await expect
      .poll(() => statut.textContent(), { timeout: 20_000 })
      .toBe("2 territoires : 1 avec une valeur, 1 sous secret statistique, 0 non disponibles.");
    const carte = page.locator(".carte");
    await expect.poll(() => carte.getAttribute("data-pret"), { timeout: 30_000 }).toBe("1");
    // Each quartier is drawn as its IRIS: two territories, four areas, both in view. Under load
    // « prêt » may still be the IRIS map's while the zone map is being drawn: wait for its areas.
    await expect.poll(() => carte.getAttribute("data-zones-total"), { timeout: 30_000 }).toBe("2");
    await expect.poll(() => carte.getAttribute("data-zones-rendues"), { timeout: 30_000 }).toBe("2");
    expect(page.url()).toContain("niveau=zone");
    const legende = await page.locator(".legende li").allTextContents();
    expect(legende).toContainEqual(" secret statistique (1)");
    expect(legende.filter((l) => /%/.test(l))).toHaveLength(1);
    await page.screenshot({ path: path.join(ARTIFACTS, "zonage-carte.png") });

    // The map is an image with a text alternative, moved with the keyboard: arrows pan it, 0 frames it whole.
    const image = page.getByRole("img", {
      name: /^Carte : Part des bénéficiaires de l'APA à domicile en GIR 1/,
    });
    expect(await image.count()).toBe(1);
    await image.focus();
    for (let k = 0; k < 12; k++) await page.keyboard.press("ArrowLeft");
    await expect.poll(() => carte.getAttribute("data-zones-rendues")).toBe("0");
    await page.keyboard.press("0");
    await expect.poll(() => carte.getAttribute("data-zones-rendues")).toBe("2");
    await page.getByRole("button", { name: "Zoomer", exact: true }).click();
    await expect.poll(() => carte.getAttribute("data-pret")).toBe("1");
    await page.getByRole("button", { name: "Voir la carte entière" }).click();
    await expect.poll(() => carte.getAttribute("data-zones-rendues")).toBe("2");

    await page.getByText("Tableau des valeurs").click();
    const ligne = (nom: string) => page.locator(".carte-indicateur table tbody tr", { hasText: nom });
    expect(lu(await ligne("Quartier des Essais").locator("td").nth(2).textContent())).toBeCloseTo(
      PART_ESSAIS,
      1,
    );
    expect(await ligne("Quartier du Lavoir").locator("td").nth(2).textContent()).toBe("s");
    expect(await ligne("Quartier du Lavoir").locator("td").nth(3).textContent()).toBe("secret statistique");

    // The SVG export draws every IRIS of the quartiers, the secret one hatched.
    const [svg] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Exporter en SVG" }).click(),
    ]);
    const text = readFileSync((await svg.path())!, "utf8");
    expect(text.match(/<path /g)?.length).toBe(ESSAIS.length + LAVOIR.length);
    expect(text).toContain("Zonage particulier");
    expect(text).toContain("secret statistique (1)");
    writeFileSync(path.join(ARTIFACTS, "zonage-carte.svg"), text);
    expect(errors).toEqual([]);
  });

  it("compares the quartiers in the comparison table: the value first, the secret one « s » and last", async () => {
    const page = await connecte("/comparaison?indicateur=apa_part_gir1");
    const niveau = page.getByLabel("Niveau");
    await expect
      .poll(() => niveau.locator("option").allTextContents(), { timeout: 20_000 })
      .toContain("Zonage particulier");
    await niveau.selectOption("zone");
    const lignes = page.locator(".table-comparaison tbody tr");
    await expect.poll(() => lignes.count(), { timeout: 20_000 }).toBe(2);
    const colonne = (n: number) =>
      page.locator(`.table-comparaison tbody tr td:nth-child(${n})`).allTextContents();
    await expect.poll(() => colonne(2)).toEqual(["Quartier des Essais", "Quartier du Lavoir"]);
    const valeurs = await colonne(3);
    expect(lu(valeurs[0]!)).toBeCloseTo(PART_ESSAIS, 1);
    expect(valeurs[1]).toBe("s");
    expect(await colonne(5)).toEqual(["publiée", "secret statistique"]);
    // Sorted the other way, the secret quartier stays last.
    await page.getByRole("button", { name: /^Valeur/ }).click();
    await expect.poll(() => colonne(2)).toEqual(["Quartier des Essais", "Quartier du Lavoir"]);
    await page.screenshot({ path: path.join(ARTIFACTS, "zonage-comparaison.png"), fullPage: true });
  });
});
