/**
 * Dijon's IRIS-level tables both ways through the API, on the demo replay of
 * the Dijon convention (demo territory): the CCAS deposits its table in long
 * form (`code_iris;indicateur;valeur`) for the Grand Dijon, the Grand Dijon
 * its table in wide form (one column per indicator) for the CCAS; each is
 * checked (unknown IRIS, an IRIS twice, a value that is not a number: French
 * messages naming file, line and column), stored as a table, released by
 * COMPAS through the secrecy engine, and downloaded by the other party. The
 * provider states the actual observation date of its data at deposit: the
 * release's source mention says it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIJON } from "../../src/core/convention/reference.js";
import { replayId } from "../../src/core/convention/replay.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

const ID = replayId(DIJON.id);
let s: TestServer;
const iris = demoTerritory().iris.map((i) => i.code);

async function login(email: string): Promise<Client> {
  const c = new Client(s.url);
  expect((await c.login(email)).status).toBe(200);
  return c;
}

async function send(c: Client, path: string, body: string) {
  const res = await fetch(s.url + path, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", cookie: c.cookie! },
    body: new TextEncoder().encode(body),
  });
  return { status: res.status, json: await res.json() };
}

async function download(c: Client, path: string) {
  const res = await fetch(s.url + path, { headers: { cookie: c.cookie! } });
  return { status: res.status, text: await res.text() };
}

async function jeuOf(c: Client, annexe: string): Promise<string> {
  const jeux = (await c.req("GET", `/api/conventions/${ID}/jeux`)).json as { id: string; annexe: string }[];
  return jeux.find((j) => j.annexe === annexe)!.id;
}

beforeAll(async () => {
  s = await startServer("pglite", undefined, false, () => new Date("2026-11-24T10:00:00Z"));
}, 120_000);
afterAll(async () => s?.close());

describe("Dijon IRIS tables, both ways", () => {
  it("refuses a long table with an unknown IRIS, an IRIS given twice for an indicator, and a value that is not a number, naming file, line and column", async () => {
    const ccas = await login("ccas-dijon@demo.socle.example");
    const jeu = await jeuOf(ccas, "ville-vers-agglo");
    const file = [
      "code_iris;indicateur;valeur",
      `${iris[0]};allocataires_caf;120`,
      `219990101;allocataires_caf;80`,
      `${iris[0]};allocataires_caf;121`,
      `${iris[1]};revenu_median;dix-neuf mille`,
      "",
    ].join("\n");
    const r = await send(ccas, `/api/jeux/${jeu}/depots?nomFichier=ville-2025.csv`, file);
    expect(r.status).toBe(400);
    const details: string[] = r.json.erreur.details;
    expect(details).toEqual([
      "ville-2025.csv, ligne 3, colonne « code_iris » : IRIS inconnu du référentiel (contours IRIS importés) : vérifiez le code ou importez les IRIS de la commune",
      "ville-2025.csv, ligne 4, colonne « indicateur » : cet IRIS a déjà une valeur pour cet indicateur sur une ligne précédente",
      "ville-2025.csv, ligne 5, colonne « valeur » : valeur illisible, attendu : un nombre (ex. 12,5), vide ou « s » si masqué",
    ]);
    // Nothing was stored: the same dataset has no deposit.
    const [n] = await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM depot WHERE jeu_id = $1", [
      jeu,
    ]);
    expect(n!.n).toBe(0);
  });

  it("refuses an observation date after the deposit, in French", async () => {
    const ccas = await login("ccas-dijon@demo.socle.example");
    const jeu = await jeuOf(ccas, "ville-vers-agglo");
    const r = await send(
      ccas,
      `/api/jeux/${jeu}/depots?nomFichier=ville-2025.csv&dateObservation=31/12/2026`,
      `code_iris;indicateur;valeur\n${iris[0]};allocataires_caf;120\n`,
    );
    expect(r.status).toBe(400);
    expect(r.json.erreur.message).toBe(
      "La date d'observation 31/12/2026 est postérieure au dépôt (24/11/2026) : donnez la date à laquelle les données ont été observées.",
    );
    const bad = await send(
      ccas,
      `/api/jeux/${jeu}/depots?nomFichier=ville-2025.csv&dateObservation=juin`,
      `code_iris;indicateur;valeur\n${iris[0]};allocataires_caf;120\n`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.erreur.message).toContain("Date d'observation : date JJ/MM/AAAA attendue.");
  });

  it("CCAS → Grand Dijon: a long table stated at 30/06/2025 is stored, released by COMPAS with that date, and downloaded by the agglomeration with its small counts secret", async () => {
    const ccas = await login("ccas-dijon@demo.socle.example");
    const jeu = await jeuOf(ccas, "ville-vers-agglo");
    const lines = ["code_iris;indicateur;valeur"];
    iris.forEach((code, k) => {
      // The third IRIS has 3 allocataires: a cell under the threshold of 5.
      lines.push(`${code};allocataires_caf;${k === 2 ? 3 : 40 + 7 * k}`);
      lines.push(`${code};revenu_median;${18_000 + 250 * k},5`);
    });
    const dep = await send(
      ccas,
      `/api/jeux/${jeu}/depots?nomFichier=ville-2025.csv&annee=2025&dateObservation=30/06/2025&dateMiseAJour=15/09/2025`,
      `${lines.join("\r\n")}\r\n`,
    );
    expect(dep.status).toBe(200);
    expect(dep.json).toMatchObject({
      lignes: iris.length,
      forme: "longue",
      indicateurs: ["allocataires_caf", "revenu_median"],
    });

    const compas = await login("compas@demo.socle.example");
    const rel = await compas.req("POST", `/api/jeux/${jeu}/diffusions`, { annee: 2025 });
    expect(rel.status).toBe(200);
    expect(rel.json.mentionSource).toBe(
      "Source : CCAS de Dijon – Grand Dijon, traitement COMPAS, données au 30/06/2025",
    );
    expect(rel.json).toMatchObject({
      dateObservation: "2025-06-30",
      miseAJour: "2025-09-15",
      champsAbsents: [],
    });

    // The Grand Dijon's account (Observatoire Prospective) gets the map layer.
    const agglo = await login("grand-dijon@demo.socle.example");
    const layer = await download(agglo, `/api/diffusions/${rel.json.id}/export/geojson`);
    expect(layer.status).toBe(200);
    const gj = JSON.parse(layer.text) as {
      source: string;
      dateObservation: string;
      features: { properties: Record<string, unknown> }[];
    };
    expect(gj.source).toContain("données au 30/06/2025");
    expect(gj.dateObservation).toBe("2025-06-30");
    const byCode = new Map(gj.features.map((f) => [f.properties.code as string, f.properties]));
    const count = Object.keys(gj.features[0]!.properties).find((k) => k.includes("allocataires"))!;
    expect(byCode.get(iris[0]!)![count]).toBe(40);
    expect(byCode.get(iris[2]!)![count]).toBeNull();
    expect(JSON.stringify(gj)).not.toContain('"3"');

    // The released median incomes, as given; nobody reads the release's raw statuses.
    const seen = await agglo.req("GET", `/api/diffusions/${rel.json.id}`);
    expect(seen.status).toBe(200);
    const median = (
      seen.json.tableaux as { nom: string; cellules: { codes: string[]; valeur: number | null }[] }[]
    ).find((t) => t.nom === "Revenu median")!;
    expect(median.cellules.find((c) => c.codes[0] === iris[1])!.valeur).toBe(18_250.5);
    for (const t of seen.json.tableaux as { cellules: { statut: string }[] }[])
      for (const c of t.cellules) expect(["V", "s", "F"]).toContain(c.statut);
  });

  it("Grand Dijon → CCAS: a wide table (one column per indicator) is checked, released by COMPAS and downloaded by the CCAS as CSV", async () => {
    const agglo = await login("grand-dijon@demo.socle.example");
    const jeu = await jeuOf(agglo, "agglo-vers-ville");
    const twice = await send(
      agglo,
      `/api/jeux/${jeu}/depots?nomFichier=agglo-2025.csv`,
      `code_iris;logements_sociaux;taux_chomage\n${iris[0]};310;12,5\n${iris[0]};300;12,1\n${iris[1]};abc;9\n`,
    );
    expect(twice.status).toBe(400);
    expect(twice.json.erreur.details).toEqual([
      `agglo-2025.csv, ligne 3, colonne « code_iris » : IRIS déjà présent ligne 2`,
      "agglo-2025.csv, ligne 4, colonne « logements_sociaux » : valeur illisible, attendu : un nombre (ex. 12,5), vide ou « s » si masqué",
    ]);

    const rows = iris.map(
      (code, k) => `${code};${k === 1 ? 2 : 150 + 11 * k};${(8 + k / 4).toFixed(2).replace(".", ",")} %`,
    );
    const dep = await send(
      agglo,
      `/api/jeux/${jeu}/depots?nomFichier=agglo-2025.csv&annee=2025`,
      `code_iris;logements_sociaux;taux_chomage\n${rows.join("\n")}\n`,
    );
    expect(dep.status).toBe(200);
    expect(dep.json).toMatchObject({ forme: "large", indicateurs: ["logements_sociaux", "taux_chomage"] });

    const compas = await login("compas@demo.socle.example");
    const rel = await compas.req("POST", `/api/jeux/${jeu}/diffusions`, { annee: 2025 });
    expect(rel.status).toBe(200);
    // No date stated: 31/12 of the vintage.
    expect(rel.json.mentionSource).toBe(
      "Source : CCAS de Dijon – Grand Dijon, traitement COMPAS, données au 31/12/2025",
    );

    const ccas = await login("ccas-dijon@demo.socle.example");
    const csv = await download(ccas, `/api/diffusions/${rel.json.id}/export/csv`);
    expect(csv.status).toBe(200);
    const lines = csv.text
      .replace(/^\ufeff/, "")
      .trim()
      .split("\r\n");
    const cell = (code: string, table: string) =>
      lines.find((l) => l.split(";")[2] === code && l.split(";")[0] === table)?.split(";")[8];
    expect(cell(iris[0]!, "Logements sociaux")).toBe("150");
    expect(cell(iris[1]!, "Logements sociaux")).toBe("s");
    expect(cell(iris[0]!, "Taux chomage")).toBe("8");
    expect(cell(iris[3]!, "Taux chomage")).toBe("8,75");
    for (const l of lines.slice(1)) expect(l).toContain("données au 31/12/2025");
  });
});
