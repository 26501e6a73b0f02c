/**
 * Browser acceptance of the observatory (Chromium, real server, releases
 * made through deposit → release): the map of an indicator with a change of
 * classes, a map where every IRIS is secret, SVG and PNG exports, the
 * comparison table sorted, Béthune's 2017–2021 time series, and the
 * territory portrait printed to PDF and checked page by page with poppler
 * (pdftoppm, pdftotext). Screenshots and the PDF go to test-artifacts/.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/server/passwords.js";
import { ARTIFACTS, buildWeb, launchChromium } from "../helpers/browser.js";
import { type Seeded, seedObservatoire } from "../helpers/observatoire-seed.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

const EMAIL = "observatoire@socle.test";
const PASSWORD = "Observatoire-Navigateur-2026";
let s: TestServer;
let browser: Browser;
let seeded: Seeded;
let work: string;
/** Rouen's vintages as the API labels them: the one with values, the one where every IRIS is secret. */
let annees: { publiee: number; secrete: number };

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "socle-observatoire-"));
  const [web] = await Promise.all([buildWeb(), Promise.resolve()]);
  s = await startServer("pglite", web, false, () => new Date("2026-06-15T10:00:00Z"));
  seeded = await seedObservatoire(s.db, work, { email: EMAIL, passwordHash: await hashPassword(PASSWORD) });
  browser = await launchChromium();
  const api = new Client(s.url);
  await api.login(EMAIL, PASSWORD);
  const all = (await api.req("GET", "/api/indicateurs/part_bas_revenus/valeurs?niveau=iris")).json
    .millesimes as number[];
  const statuts = await Promise.all(
    all.map(async (m) => ({
      m,
      secret: (
        await api.req("GET", `/api/indicateurs/part_bas_revenus/valeurs?niveau=iris&millesime=${m}`)
      ).json.valeurs.every((v: { statut: string }) => v.statut === "secret"),
    })),
  );
  annees = { publiee: statuts.find((x) => !x.secret)!.m, secrete: statuts.find((x) => x.secret)!.m };
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
  rmSync(work, { recursive: true, force: true });
});

async function connecte(to: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  await page.goto(s.url + to);
  await page.getByLabel("Adresse électronique").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  return page;
}

/** Waits for the map to be drawn after the last change; returns how many territories it drew. */
async function carteDessinee(page: Page): Promise<number> {
  const map = page.locator(".carte");
  await expect.poll(() => map.getAttribute("data-pret"), { timeout: 30_000 }).toBe("1");
  return Number(await map.getAttribute("data-zones-rendues"));
}

const pixels = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.querySelector(".carte canvas") as HTMLCanvasElement;
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext("2d")!;
    ctx.drawImage(canvas, 0, 0);
    const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
    let h = 0;
    for (let i = 0; i < px.length; i += 4 * 31) h = (h * 31 + px[i]! + px[i + 1]! * 3 + px[i + 2]! * 7) >>> 0;
    return h;
  });

describe("observatory in a browser", () => {
  it("maps an indicator by IRIS, changes its classes, exports it, and survives a vintage where every IRIS is secret", async () => {
    const page = await connecte("/indicateurs?indicateur=part_bas_revenus&niveau=iris");
    await page.getByLabel("Millésime").selectOption(String(annees.publiee));
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await expect.poll(() => page.title(), { timeout: 20_000 }).toBe("Carte d'un indicateur — Socle");
    // The vintage chosen above may redraw after a first map: wait for its areas.
    await expect.poll(() => carteDessinee(page), { timeout: 30_000 }).toBe(seeded.rouenIris.length);
    const legende = page.locator(".legende li");
    await expect
      .poll(() => legende.allTextContents())
      .toContainEqual(expect.stringMatching(/^ ?secret statistique \(\d+\)$/));
    const quantiles = await legende.allTextContents();
    const avant = await pixels(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "carte-indicateur-quantiles.png") });

    await page.getByLabel("Méthode de classes").selectOption("jenks");
    await page.getByLabel("Nombre de classes").selectOption("3");
    await expect.poll(() => legende.count()).toBeLessThan(quantiles.length);
    const jenks = await legende.allTextContents();
    expect(jenks).not.toEqual(quantiles);
    expect(jenks.filter((l) => /%/.test(l))).toHaveLength(3);
    await carteDessinee(page);
    expect(await pixels(page)).not.toBe(avant);
    await page.screenshot({ path: path.join(ARTIFACTS, "carte-indicateur-jenks.png") });

    // Manual breaks: a wrong one is refused at its field.
    await page.getByLabel("Méthode de classes").selectOption("manuelles");
    const seuils = page.getByLabel("Seuils");
    await seuils.fill("20 ; abc");
    expect(await seuils.getAttribute("aria-invalid")).toBe("true");
    await seuils.fill("25 ; 35");
    await expect.poll(() => legende.first().textContent()).toMatch(/moins de 25 %/);
    expect(await seuils.getAttribute("aria-invalid")).toBeNull();

    // The search on the map outlines a territory; hovering tells its value.
    await page.getByLabel("Chercher sur la carte").fill(seeded.rouenIris[0]!);
    await page.getByRole("button", { name: new RegExp(seeded.rouenIris[0]!) }).click();
    await carteDessinee(page);

    const [svg] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Exporter en SVG" }).click(),
    ]);
    const svgText = readFileSync((await svg.path())!, "utf8");
    expect(svgText).toContain("Part des allocataires à bas revenus");
    expect(svgText).toContain("Légende");
    expect(svgText).toContain("secret statistique");
    expect(svgText).toMatch(/Source : CAF de Rouen/);
    expect(svgText.match(/<path /g)?.length).toBe(seeded.rouenIris.length);
    writeFileSync(path.join(ARTIFACTS, "carte-export.svg"), svgText);
    const [png] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Exporter en PNG" }).click(),
    ]);
    const pngBytes = readFileSync((await png.path())!);
    expect(pngBytes.subarray(1, 4).toString()).toBe("PNG");
    expect(pngBytes.readUInt32BE(16)).toBe(2000);
    writeFileSync(path.join(ARTIFACTS, "carte-export.png"), pngBytes);

    await page.getByRole("button", { name: "Voir toute la carte" }).click();
    expect(await carteDessinee(page)).toBe(seeded.rouenIris.length);

    // The vintage where every IRIS is under 100 allocataires, so secret: the map still draws them all.
    await page.getByLabel("Millésime").selectOption(String(annees.secrete));
    await expect
      .poll(() => legende.allTextContents(), { timeout: 20_000 })
      .toEqual([` secret statistique (${seeded.rouenIris.length})`]);
    expect(await carteDessinee(page)).toBe(seeded.rouenIris.length);
    await page.screenshot({ path: path.join(ARTIFACTS, "carte-tout-secret.png") });

    // Counts as proportional symbols; a click on an IRIS opens its commune's sheet.
    await page.getByLabel("Millésime").selectOption(String(annees.publiee));
    await page.getByLabel("Indicateur").selectOption("allocataires");
    await page.getByLabel("Symboles proportionnels").check();
    await carteDessinee(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "carte-symboles.png") });
    expect(await page.locator(".legende .cercle").count()).toBe(2);
    const box = (await page.locator(".carte canvas").boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.url(), { timeout: 10_000 }).toContain("/territoires/commune/76540");
    expect(errors).toEqual([]);
  });

  it("sorts the comparison table of Rouen's IRIS by value, with the gap to Rouen, secret IRIS last", async () => {
    const page = await connecte(
      `/comparaison?indicateur=part_bas_revenus&niveau=iris&millesime=${annees.publiee}`,
    );
    const lignes = page.locator(".table-comparaison tbody tr");
    await expect.poll(() => lignes.count(), { timeout: 20_000 }).toBe(seeded.rouenIris.length);
    expect(await page.getByLabel("Référence").locator("option:checked").textContent()).toBe(
      "Rouen (Commune)",
    );
    const colonne = async (n: number) =>
      (await page.locator(`.table-comparaison tbody tr td:nth-child(${n})`).allTextContents()).map((t) =>
        t === "—" || t === "s"
          ? null
          : Number(
              t
                .replace(/[\s%a-z]/g, "")
                .replace("−", "-")
                .replace(",", "."),
            ),
      );
    const desc = await colonne(3);
    const publies = desc.filter((v): v is number => v !== null);
    expect(publies.length).toBeGreaterThan(10);
    expect(publies.length).toBeLessThan(desc.length);
    expect(publies).toEqual([...publies].sort((a, b) => b - a));
    expect(desc.slice(publies.length).every((v) => v === null)).toBe(true);
    expect(await page.getByRole("columnheader", { name: /Valeur/ }).getAttribute("aria-sort")).toBe(
      "descending",
    );
    // The gap is the value minus Rouen's, in points.
    const rouen = Number(
      /Rouen : ([\d,]+)/.exec((await page.getByRole("status").textContent()) ?? "")![1]!.replace(",", "."),
    );
    const ecarts = await colonne(4);
    expect(ecarts[0]!).toBeCloseTo(publies[0]! - rouen, 0);
    expect(await page.locator(".table-comparaison tbody tr td:nth-child(4)").first().textContent()).toMatch(
      /^\+[\d,]+ pts?$/,
    );

    await page.getByRole("button", { name: /^Valeur/ }).click();
    expect(await page.getByRole("columnheader", { name: /Valeur/ }).getAttribute("aria-sort")).toBe(
      "ascending",
    );
    const asc = await colonne(3);
    expect(asc.filter((v) => v !== null)).toEqual([...publies].sort((a, b) => a - b));
    expect(asc.at(-1)).toBeNull();
    await page.screenshot({ path: path.join(ARTIFACTS, "comparaison-triee.png"), fullPage: true });

    await page.getByLabel("Filtrer").fill("carmes saint maclou");
    await expect.poll(() => lignes.count()).toBe(1);
    expect(await page.locator(".table-comparaison tbody tr td:nth-child(2)").textContent()).toBe(
      "Carmes Saint-Maclou",
    );
  });

  it("draws Béthune's 2017–2021 series beside the CA's on the commune's sheet", async () => {
    const page = await connecte("/territoires/commune/62119?indicateur=taux_activite_am");
    const serie = page.locator(".serie").first();
    await serie.waitFor({ timeout: 30_000 });
    expect(await serie.locator("svg.graphique-serie text").allTextContents()).toEqual(
      expect.arrayContaining(["2017", "2018", "2019", "2020", "2021"]),
    );
    // Béthune's line and the CA's, each with a dot per vintage.
    expect(await serie.locator(".ligne-serie").count()).toBe(2);
    expect(await serie.locator(".ligne-serie").first().locator("circle").count()).toBe(5);
    expect(await serie.locator(".legende-serie li").allTextContents()).toEqual([
      expect.stringContaining("Béthune"),
      expect.stringContaining("Béthune-Bruay"),
    ]);
    const cells = await serie.locator(".table-serie tbody tr").first().locator("td").allTextContents();
    expect(cells).toHaveLength(5);
    expect(cells.every((c) => /\d/.test(c))).toBe(true);
    await serie.screenshot({ path: path.join(ARTIFACTS, "serie-bethune.png") });
  });

  it("prints Béthune's portrait to PDF: every page carries the double sigle and the source mention", async () => {
    const page = await connecte("/territoires/commune/62119/portrait");
    await expect
      .poll(() => page.locator(".table-portrait tbody tr").count(), { timeout: 30_000 })
      .toBeGreaterThan(1);
    // The commentary is saved on the server, in versions: another page (another session) reads it back.
    const versions = page.getByText(/Versions du commentaire/);
    await expect.poll(() => page.getByRole("button", { name: "Enregistrer le commentaire" }).count()).toBe(1);
    await page
      .getByLabel("Commentaire")
      .fill(
        "L'activité des assistants maternels de Béthune progresse chaque année depuis 2017.\n\nÀ suivre avec le RPE.",
      );
    await page.getByRole("button", { name: "Enregistrer le commentaire" }).click();
    await expect.poll(() => page.getByRole("status").allTextContents()).toContain("Version 1 enregistrée.");
    await expect.poll(() => versions.count()).toBe(1);
    const relu = await connecte("/territoires/commune/62119/portrait");
    await expect
      .poll(() => relu.getByLabel("Commentaire").inputValue(), { timeout: 30_000 })
      .toContain("progresse chaque année depuis 2017");
    expect(await relu.locator(".signature-commentaire").textContent()).toMatch(/version 1 du/);
    await relu.close();
    await expect
      .poll(() => page.locator(".sigle").allTextContents())
      .toEqual(["CAF du Pas-de-Calais", "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane"]);
    await page.emulateMedia({ media: "print" });
    const t0 = performance.now();
    const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
    const ms = performance.now() - t0;
    const file = path.join(ARTIFACTS, "portrait-bethune.pdf");
    writeFileSync(file, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [file], { encoding: "utf8" }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    const out = path.join(work, "page");
    execFileSync("pdftoppm", ["-r", "50", "-png", file, out]);
    const images = readdirSync(work).filter((f) => /^page-\d+\.png$/.test(f));
    expect(images).toHaveLength(pages);
    for (let p = 1; p <= pages; p++) {
      const text = execFileSync("pdftotext", ["-f", String(p), "-l", String(p), "-layout", file, "-"], {
        encoding: "utf8",
      }).replace(/\s+/g, " ");
      expect(text, `page ${p}`).toContain("CAF du Pas-de-Calais");
      expect(text, `page ${p}`).toContain("Béthune-Bruay");
      expect(text, `page ${p}`).toMatch(/Source : CAF du Pas-de-Calais/);
      if (p === 1) {
        expect(text).toContain("Portrait de territoire : Béthune");
        expect(text).not.toContain("Se déconnecter");
      }
      // No page is blank: pdftoppm's rendering has ink on it.
      const png = readFileSync(
        path.join(work, images.find((f) => Number(/-(\d+)\.png$/.exec(f)![1]) === p)!),
      );
      expect(png.length).toBeGreaterThan(2000);
    }
    const all = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(all).toContain("progresse chaque année depuis 2017");
    expect(all).toMatch(/Commentaire de .+, version 1 du/);
    expect(all).toContain("Taux d'activité des assistants maternels");
    for (const f of images)
      writeFileSync(path.join(ARTIFACTS, `portrait-${f}`), readFileSync(path.join(work, f)));
    console.log(`portrait PDF: ${pages} pages in ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(5000);
  });
});
