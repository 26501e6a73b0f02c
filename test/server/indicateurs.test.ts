/**
 * Acceptance of the indicator API on Rouen: the CAF's socle deposited as the
 * CAF sends it (the commune, the Métropole's own row, three IRIS of Rouen,
 * one of them under 100 allocataires, one with 3 allocataires at low
 * income), released under the convention's secrecy, on the real COG, the
 * real IRIS contours of Rouen and the real base-ic 2013 of Seine-Maritime.
 * Taux de couverture, part des bas revenus and taux de dépendance equal the
 * hand computations from the deposited counts and base-ic; secret cells give
 * secret indicators; only parties of the convention see anything.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUEN } from "../../src/core/convention/reference.js";
import type { ValeursReponse, ValeurTerritoire } from "../../src/core/indicator/api.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { depositAggregatedFile } from "../../src/ingest/aggregated-deposit.js";
import { importPopulationFile } from "../../src/ingest/population.js";
import { publishRelease } from "../../src/release/publish.js";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { createJeu } from "../../src/store/datasets.js";
import { createZone } from "../../src/store/zones.js";
import { fixture } from "../helpers/fixtures.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

const PASSWORD = "Indicateurs-Rouen-2026";
const BASE_IC = fixture("insee/base-ic-evol-struct-pop-2013-dep76.csv");
const METROPOLE = "200023414";

let s: TestServer;
const ville = () => new Client(s.url);
let analyste: Client;
let dehors: Client;

/** P13_POP of the base-ic rows, by IRIS, read straight from the file. */
const basePop = new Map<string, { com: string; pop: number }>();
function readBaseIc() {
  const [head, ...lines] = readFileSync(BASE_IC, "utf8").trim().split(/\r?\n/);
  const cols = (head as string).split(",");
  const [iris, com, pop] = ["iris", "COM", "P13_POP"].map((c) => cols.indexOf(c)) as [number, number, number];
  for (const l of lines) {
    const v = l.split(",");
    basePop.set(v[iris] as string, { com: v[com] as string, pop: Number(v[pop]) });
  }
}
const popOfCommunes = (communes: ReadonlySet<string>) =>
  [...basePop.values()].filter((r) => communes.has(r.com)).reduce((a, r) => a + r.pop, 0);

// The socle as the CAF sends it: territory, then every annex column.
const HEADER = [
  "territoire",
  "allocataires",
  "population_couverte",
  "taux_couverture",
  "familles_monoparentales",
  "familles_nombreuses",
  "aides_logement",
  "allocations_familiales",
  "minima_sociaux",
  "rsa",
  "aah",
  "dependance_50",
  "dependance_100",
  "taux_dependance",
  "bas_revenus",
];
const ROWS: (string | number)[][] = [
  ["76540", 27688, 61200, "55,3", 4100, 2100, 15400, 9800, 7900, 5200, 2300, 6400, 3100, "23,1", 9100],
  [
    "Métropole Rouen Normandie",
    97600,
    231000,
    "47,1",
    12000,
    8800,
    44100,
    37800,
    21900,
    15000,
    7100,
    19800,
    9400,
    "20,3",
    25600,
  ],
  ["765400101", 940, 1900, "85,0", 160, 60, 610, 300, 270, 190, 70, 230, 110, "24,5", 310],
  ["765400102", 1210, 2650, "97,6", 205, 90, 700, 410, 300, 210, 95, 260, 120, "21,5", 3],
  ["765400103", 80, 170, "5,4", 12, 6, 40, 25, 20, 15, 6, 18, 9, "22,5", 30],
];

const ROW_2016 = [
  "76540",
  27900,
  61500,
  "55,5",
  4150,
  2120,
  15500,
  9850,
  8000,
  5300,
  2350,
  6500,
  3150,
  "23,3",
  9300,
];

beforeAll(async () => {
  readBaseIc();
  s = await startServer("pglite", undefined, false, () => new Date("2026-06-15T10:00:00Z"));
  const db = s.db;
  await importIrisFile(db, fixture("geo/rouen-iris/Rouen_iris.shp"));
  await importPopulationFile(db, BASE_IC);
  // The demo seeds the reference conventions, Rouen's among them, with an organisation per party.
  const [villeOrg] = await db.query<{ id: string }>("SELECT id FROM organisation WHERE nom = $1", [
    ROUEN.parties.find((p) => p.id === "ville-rouen")?.nom,
  ]);
  const outsider = await createOrganisation(db, { nom: "CCAS d'ailleurs", kind: "CCAS" });
  const hash = await hashPassword(PASSWORD);
  const u = await createUser(db, {
    email: "observatoire@rouen.test",
    nom: "Observatoire",
    passwordHash: hash,
  });
  await addMembership(db, u, villeOrg?.id as string, "analyste");
  const o = await createUser(db, { email: "ccas@ailleurs.test", nom: "Ailleurs", passwordHash: hash });
  await addMembership(db, o, outsider, "analyste");
  const jeu = await createJeu(db, ROUEN.id, "socle-caf", "Socle CAF 2015");
  const file = path.join(s.dataDir, "socle-caf-2015.csv");
  writeFileSync(file, [HEADER, ...ROWS].map((r) => r.join(";")).join("\n"));
  await depositAggregatedFile({ db, convention: ROUEN, jeuId: jeu, file, annee: 2015, actorId: null });
  const highs = await loadSolver();
  await publishRelease({ db, highs, convention: ROUEN, jeuId: jeu, annee: 2015, actorId: null });
  // The next vintage: Rouen's row only.
  const file16 = path.join(s.dataDir, "socle-caf-2016.csv");
  writeFileSync(file16, [HEADER, ROW_2016].map((r) => r.join(";")).join("\n"));
  await depositAggregatedFile({
    db,
    convention: ROUEN,
    jeuId: jeu,
    file: file16,
    annee: 2016,
    actorId: null,
  });
  await publishRelease({ db, highs, convention: ROUEN, jeuId: jeu, annee: 2016, actorId: null });
  // 2014: a zoning of the Ville (two IRIS of Rouen as one quartier), released at the zone level only.
  await createZone(db, {
    organisationId: villeOrg?.id as string,
    nom: "Rouen Ouest",
    kind: "iris",
    membres: ["765400101", "765400102"],
  });
  const zoneRow = HEADER.map((h, j) =>
    j === 0 ? "Rouen Ouest" : h.startsWith("taux") ? "" : (ROWS[2]![j] as number) + (ROWS[3]![j] as number),
  );
  const file14 = path.join(s.dataDir, "socle-caf-2014.csv");
  writeFileSync(file14, [HEADER, zoneRow].map((r) => r.join(";")).join("\n"));
  await depositAggregatedFile({
    db,
    convention: ROUEN,
    jeuId: jeu,
    file: file14,
    annee: 2014,
    actorId: null,
  });
  await publishRelease({ db, highs, convention: ROUEN, jeuId: jeu, annee: 2014, actorId: null });
  analyste = ville();
  expect((await analyste.login("observatoire@rouen.test", PASSWORD)).status).toBe(200);
  dehors = ville();
  expect((await dehors.login("ccas@ailleurs.test", PASSWORD)).status).toBe(200);
}, 300_000);

afterAll(async () => {
  await s?.close();
});

const valeurs = async (
  c: Client,
  id: string,
  niveau: string,
  extra = "&millesime=2015",
): Promise<ValeursReponse> => {
  const r = await c.req("GET", `/api/indicateurs/${id}/valeurs?niveau=${niveau}${extra}`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json;
};
const of = (body: ValeursReponse, code: string) =>
  body.valeurs.find((v) => v.code === code) as ValeurTerritoire;

describe("the indicators of Rouen's CAF socle", () => {
  it("the catalogue lists the socle's indicators with formula, unit, source and levels", async () => {
    const r = await analyste.req("GET", "/api/indicateurs");
    expect(r.status).toBe(200);
    const taux = r.json.indicateurs.find((i: { id: string }) => i.id === "taux_couverture");
    expect(taux).toMatchObject({ unite: "%", jeux: ["socle-caf"], denominateursInsee: ["total"] });
    expect(taux.formule).toMatch(/population couverte/);
    expect(r.json.themes).toContain("Revenus et dépendance");
  });

  it("taux de couverture of Rouen = population couverte / base-ic 2013 population, and the Métropole's beside it", async () => {
    const body = await valeurs(analyste, "taux_couverture", "commune");
    expect(body.millesime).toBe(2015);
    // 2014 holds only the Ville's zoning (see the zone level below).
    expect(body.millesimes).toEqual([2016, 2015, 2014]);
    // Without a vintage, the latest.
    expect((await valeurs(analyste, "taux_couverture", "commune", "")).millesime).toBe(2016);
    expect(body.sources[0]).toMatch(/^Source : CAF de Rouen/);
    const rouen = of(body, "76540");
    const pop = popOfCommunes(new Set(["76540"]));
    expect(pop).toBe(110_754);
    expect(rouen.statut).toBe("publie");
    expect(rouen.valeur).toBeCloseTo((61200 / pop) * 100, 10);
    expect(rouen).toMatchObject({ numerateur: 61200, denominateur: pop, millesimePopulation: 2013 });
    // The Métropole's own row, over the 2013 population of its communes (former communes included).
    const members = await s.db.query<{ code: string }>(
      `SELECT code FROM commune WHERE epci_code = $1
       UNION SELECT d.code FROM commune_deleguee d JOIN commune c ON c.code = d.commune_code WHERE c.epci_code = $1`,
      [METROPOLE],
    );
    const popMetropole = popOfCommunes(new Set(members.map((m) => m.code)));
    const ref = rouen.references.find((x) => x.niveau === "epci")!;
    expect(ref.code).toBe(METROPOLE);
    expect(ref.valeur).toBeCloseTo((231000 / popMetropole) * 100, 10);
    const epci = of(await valeurs(analyste, "taux_couverture", "epci"), METROPOLE);
    expect(epci.valeur).toBeCloseTo((231000 / popMetropole) * 100, 10);
  });

  it("part des bas revenus and taux de dépendance equal the deposited counts' ratios", async () => {
    const bas = of(await valeurs(analyste, "part_bas_revenus", "commune"), "76540");
    expect(bas.valeur).toBeCloseTo((9100 / 27688) * 100, 10);
    expect(bas.references.find((x) => x.niveau === "epci")?.valeur).toBeCloseTo((25600 / 97600) * 100, 10);
    const d50 = of(await valeurs(analyste, "taux_dependance_50", "commune"), "76540");
    expect(d50.valeur).toBeCloseTo((6400 / 27688) * 100, 10);
    const d100 = of(await valeurs(analyste, "taux_dependance_100", "commune"), "76540");
    expect(d100.valeur).toBeCloseTo((3100 / 27688) * 100, 10);
  });

  it("by IRIS: a published IRIS gets its rate over its own base-ic population; secret cells give secret indicators, never a value", async () => {
    const body = await valeurs(analyste, "taux_couverture", "iris");
    const carmes = of(body, "765400101");
    expect(carmes.valeur).toBeCloseTo((1900 / (basePop.get("765400101")?.pop as number)) * 100, 10);
    expect(carmes.references.map((r) => r.niveau)).toEqual(["commune", "epci", "france"]);
    // No release publishes a national count: France is listed « non disponible », never invented.
    expect(carmes.references.at(-1)).toEqual({
      niveau: "france",
      code: "FR",
      nom: "France",
      valeur: null,
      statut: "manquant",
    });
    // Under 100 allocataires: the zone rule hides the IRIS, so its indicators are secret.
    expect(of(body, "765400103")).toMatchObject({ valeur: null, statut: "secret", numerateur: null });
    // 3 allocataires at low income: secret, and its share with it.
    const bas = of(await valeurs(analyste, "part_bas_revenus", "iris"), "765400102");
    expect(bas).toMatchObject({ valeur: null, statut: "secret", numerateur: null });
    for (const v of body.valeurs) if (v.statut === "secret") expect(v.valeur).toBeNull();
  });

  it("a series gives every vintage, oldest first, with its references; the search finds Rouen however it is typed", async () => {
    const r = await analyste.req(
      "GET",
      "/api/indicateurs/part_bas_revenus/series?territoire=76540&niveau=commune",
    );
    expect(r.status).toBe(200);
    expect(r.json.territoire).toMatchObject({ code: "76540", nom: "Rouen" });
    expect(r.json.points.map((p: { millesime: number }) => p.millesime)).toEqual([2015, 2016]);
    expect(r.json.points[0].valeur).toBeCloseTo((9100 / 27688) * 100, 10);
    expect(r.json.points[1].valeur).toBeCloseTo((9300 / 27900) * 100, 10);
    // 2015 has the Métropole's row beside Rouen's, 2016 has not.
    expect(r.json.points[0].references.map((x: { code: string }) => x.code)).toEqual([METROPOLE, "FR"]);
    expect(r.json.points[1].references).toEqual([
      { niveau: "france", code: "FR", nom: "France", valeur: null, statut: "manquant" },
    ]);
    expect(r.json.ruptures).toEqual([]);
    for (const q of ["rouen", "ROUEN", "76540"]) {
      const res = await analyste.req("GET", `/api/territoires/recherche?q=${q}`);
      expect(res.json.resultats[0], q).toMatchObject({ niveau: "commune", code: "76540", nom: "Rouen" });
    }
    // 76100 is one of Rouen's postcodes and the INSEE code of Blainville-Crevon: both are found.
    const cp = await analyste.req("GET", "/api/territoires/recherche?q=76100");
    expect(cp.json.resultats.map((x: { nom: string }) => x.nom)).toEqual(["Blainville-Crevon", "Rouen"]);
    const dep = await analyste.req("GET", "/api/territoires/recherche?q=seine%20maritime");
    expect(dep.json.resultats[0]).toMatchObject({ niveau: "departement", code: "76" });
    const none = await analyste.req("GET", "/api/territoires/recherche?q=zzzzqx");
    expect(none.json.resultats).toEqual([]);
  });

  it("an organisation outside the convention sees no value, and naming the convention is answered as for a missing one", async () => {
    const body = await valeurs(dehors, "taux_couverture", "commune");
    expect(body.valeurs).toEqual([]);
    expect(body.millesime).toBeNull();
    const named = await dehors.req("GET", `/api/indicateurs/taux_couverture/valeurs?convention=${ROUEN.id}`);
    const missing = await dehors.req(
      "GET",
      "/api/indicateurs/taux_couverture/valeurs?convention=inexistante",
    );
    expect(named.status).toBe(404);
    expect(named.json).toEqual(missing.json);
  });

  it("bad parameters are refused in French, an unknown indicator is not found", async () => {
    const bad = await analyste.req("GET", "/api/indicateurs/taux_couverture/valeurs?niveau=canton");
    expect(bad.status).toBe(400);
    expect(bad.json.erreur.message).toMatch(/Niveau attendu/);
    const year = await analyste.req("GET", "/api/indicateurs/taux_couverture/valeurs?millesime=deux");
    expect(year.status).toBe(400);
    const unknown = await analyste.req("GET", "/api/indicateurs/inconnu/valeurs");
    expect(unknown.status).toBe(404);
    expect(unknown.json.erreur.message).toBe("Indicateur introuvable.");
  });

  it("a portrait comes in one request: each indicator holding Rouen with its series, the IRIS map, the conventions read", async () => {
    const r = await analyste.req("GET", "/api/indicateurs/portrait?territoire=76540&niveau=commune");
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const body = r.json as import("../../src/core/indicator/api.js").PortraitReponse;
    expect(body.territoire).toEqual({ niveau: "commune", code: "76540", nom: "Rouen" });
    expect(body.conventions).toEqual([ROUEN.id]);
    const bas = body.lignes.find((l) => l.indicateur.id === "part_bas_revenus")!;
    // The latest vintage, and the same figures as the per-indicator routes.
    expect(bas.millesime).toBe(2016);
    expect(bas.valeur.valeur).toBeCloseTo((9300 / 27900) * 100, 10);
    const serie = await analyste.req(
      "GET",
      "/api/indicateurs/part_bas_revenus/series?territoire=76540&niveau=commune",
    );
    expect(bas.serie).toEqual(serie.json);
    // The map: IRIS of Rouen only, from the first indicator (catalogue order) that has some.
    expect(body.carte?.niveau).toBe("iris");
    expect(body.carte!.valeurs.length).toBeGreaterThan(0);
    for (const v of body.carte!.valeurs) expect(v.code.slice(0, 5)).toBe("76540");
    // An outsider's portrait holds nothing.
    const out = await dehors.req("GET", "/api/indicateurs/portrait?territoire=76540&niveau=commune");
    expect(out.json).toMatchObject({ lignes: [], carte: null, conventions: [] });
  });

  it("keeps the analyst's commentary on the server in versions with author and date, for the parties only", async () => {
    const key = {
      niveau: "commune",
      territoire: "76540",
      reference: `epci:${METROPOLE}`,
      themes: ["Revenus et dépendance", "Population couverte"],
    };
    const url = `/api/portraits/commentaire?niveau=commune&territoire=76540&reference=epci:${METROPOLE}&themes=${encodeURIComponent("Population couverte,Revenus et dépendance")}`;
    expect((await analyste.req("GET", url)).json).toEqual({ versions: [] });
    const first = await analyste.req("POST", "/api/portraits/commentaire", {
      ...key,
      texte: "Rouen compte une part d'allocataires à bas revenus supérieure à celle de la Métropole.",
      versionModifiee: null,
    });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toMatchObject({ version: 1, conventions: [ROUEN.id] });
    expect(first.json.auteur).toBeTruthy();
    // Another save over version 1 is version 2; a save over a stale version is refused in French.
    const second = await analyste.req("POST", "/api/portraits/commentaire", {
      ...key,
      texte: "Deuxième lecture.",
      versionModifiee: 1,
    });
    expect(second.json.version).toBe(2);
    const stale = await analyste.req("POST", "/api/portraits/commentaire", {
      ...key,
      texte: "Trop tard.",
      versionModifiee: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.json.erreur.message).toMatch(/modifié entre-temps/);
    // Newest first, themes in any order, every version with its author and date.
    const back = (await analyste.req("GET", url)).json.versions;
    expect(back.map((v: { version: number; texte: string }) => [v.version, v.texte])).toEqual([
      [2, "Deuxième lecture."],
      [1, "Rouen compte une part d'allocataires à bas revenus supérieure à celle de la Métropole."],
    ]);
    for (const v of back) expect(Number.isNaN(Date.parse(v.creeLe))).toBe(false);
    // Another reference or other themes: another portrait, another commentary.
    expect((await analyste.req("GET", url.replace(`epci:${METROPOLE}`, ""))).json.versions).toEqual([]);
    // Someone who may not read Rouen's releases reads nothing and has nothing to comment on.
    expect((await dehors.req("GET", url)).json).toEqual({ versions: [] });
    const intrus = await dehors.req("POST", "/api/portraits/commentaire", {
      ...key,
      texte: "Intrus.",
      versionModifiee: 2,
    });
    expect(intrus.status).toBe(400);
    expect(intrus.json.erreur.message).toMatch(/rien à commenter/);
    const bad = await analyste.req("POST", "/api/portraits/commentaire", {
      ...key,
      themes: ["Inconnu"],
      texte: "x",
      versionModifiee: null,
    });
    expect(bad.status).toBe(400);
  });

  it("maps the zone level: a zoning's value with its members, so that the map draws it as its IRIS", async () => {
    const body = await valeurs(analyste, "part_bas_revenus", "zone", "&millesime=2014");
    expect(body.valeurs).toHaveLength(1);
    const z = body.valeurs[0]!;
    expect(z).toMatchObject({ niveau: "zone", nom: "Rouen Ouest", statut: "publie" });
    expect(z.valeur).toBeCloseTo(((310 + 3) / (940 + 1210)) * 100, 10);
    expect(z.membres).toEqual(["765400101", "765400102"]);
    expect(z.references.map((r) => r.niveau)).toEqual(["france"]);
    // Other levels carry no members.
    expect(of(await valeurs(analyste, "part_bas_revenus", "commune"), "76540").membres).toBeUndefined();
  });
});
