/**
 * Deposits as partners make them: Windows-1252 with €, œ, ’ and accented
 * street names round-trip; XLSX gives the same rows as CSV; a bad file is
 * refused whole with line, column and expected form and no value echoed; and
 * a deposit of 500,000 rows killed with SIGKILL while writing leaves the
 * embedded database as it was.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { BETHUNE } from "../../src/core/convention/reference.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { buildAddressIndex } from "../../src/geo/address-index.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { depositAggregatedFile } from "../../src/ingest/aggregated-deposit.js";
import { depositIndividualFile } from "../../src/ingest/deposit.js";
import { publishRelease } from "../../src/release/publish.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import type { Db } from "../../src/store/db.js";
import { seedDemoTerritory } from "../../src/store/demo.js";
import { openStore } from "../../src/store/open.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { PROJECT_ROOT } from "../helpers/fixtures.js";

const convention = (protocole: 1 | 2): Convention => ({
  id: `depots-p${protocole}`,
  titre: "Convention de test des dépôts",
  objet: "Tests",
  parties: [
    { id: "caf", nom: "CAF", kind: "CAF", parts: ["fournisseur"], referents: [] },
    { id: "ccas", nom: "CCAS", kind: "CCAS", parts: ["destinataire", "prestataire"], referents: [] },
  ],
  jeux: [
    {
      id: "aides",
      titre: "Aides facultatives",
      fournisseur: "caf",
      kind: "individuel",
      champs:
        protocole === 2
          ? [
              { nom: "matricule", type: "identifiant" },
              { nom: "adresse", type: "adresse" },
              { nom: "commune", type: "texte" },
              { nom: "libelle_aide", type: "texte" },
              { nom: "montant", type: "montant" },
              { nom: "date_naissance", type: "date" },
            ]
          : [
              { nom: "code_iris", type: "code_iris" },
              { nom: "sexe", type: "sexe" },
              { nom: "gir", type: "gir" },
            ],
      niveaux: ["iris", "commune"],
      dateObservation: "31/12/N-1",
      periodicite: "annuelle",
      protocole,
    },
  ],
  secret: { seuil: 5, zerosSensibles: false },
  mentionSource: "Source : CAF, données au {date_observation}",
  diffusion: { interneSeulement: false, accordPrealable: true, doubleLogo: false },
  obligations: { destructionFinEtude: true, copieEtude: false, analyseConjointe: false },
  signeeLe: "2020-01-01",
  effetLe: "2020-01-01",
  duree: { kind: "tacite", periodeMois: 12 },
  resiliation: { mode: "a_tout_moment", preavisMois: 2 },
  avenants: [],
});

const secret = new TextEncoder().encode("secret de test");
const ROWS = [
  ["M-001", "12 Rue de l'Église", "Valsocle", "Aide au cœur de l’hiver – 50 €", "1 234,50 €", "05/03/1942"],
  ["M-002", "3 Allée des Œillets", "Valsocle", "Secours d’urgence « énergie »", "75,00", "29/02/1944"],
  ["M-003", "7 Avenue Émile Zola", "Valsocle", "Bon alimentaire", "30", "31/12/1950"],
];
const HEADER = ["Matricule", "Adresse", "Commune", "Libellé aide", "Montant", "Date de naissance"];

let t: TestDb;
let dir: string;
let geocoder: Geocoder;

async function setup(db: Db, protocole: 1 | 2): Promise<string> {
  const c = convention(protocole);
  const a = await createOrganisation(db, { nom: `CAF ${protocole}`, kind: "CAF" });
  const b = await createOrganisation(db, { nom: `CCAS ${protocole}`, kind: "CCAS" });
  await createConvention(db, c, { caf: a, ccas: b });
  return createJeu(db, c.id, "aides", "Aides facultatives");
}

beforeAll(async () => {
  t = await freshDb("pglite");
  dir = mkdtempSync(path.join(tmpdir(), "socle-depots-"));
  await seedDemoTerritory(t.db);
  const streets = ["Rue de l'Église", "Allée des Œillets", "Avenue Émile Zola"];
  geocoder = new Geocoder(
    buildAddressIndex(
      ["00"],
      streets.flatMap((nomVoie, k) =>
        [3, 7, 12].map((numero) => ({
          communeCode: "00001",
          communeNom: "Valsocle",
          codePostal: "00100",
          ancienneCode: "",
          ancienneNom: "",
          libelleAcheminement: "VALSOCLE",
          nomVoie,
          numero,
          rep: "",
          iris: `00001000${k + 1}`,
        })),
      ),
    ),
  );
}, 60_000);

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("deposits", () => {
  it("reads Windows-1252 with €, œ, ’ and accented street names exactly, and XLSX gives the same rows", async () => {
    const jeu = await setup(t.db, 2);
    const csv = path.join(dir, "aides.csv");
    writeFileSync(csv, iconv.encode([HEADER, ...ROWS].map((r) => r.join(";")).join("\r\n"), "win1252"));
    const r = await depositIndividualFile({
      db: t.db,
      convention: convention(2),
      jeuId: jeu,
      file: csv,
      annee: 2025,
      secret,
      geocoder,
      actorId: null,
    });
    expect(r).toMatchObject({ lignes: 3, sansIris: 0, doublons: 0 });
    const stored = await t.db.query<{
      code_iris: string;
      valeurs: Record<string, unknown>;
      pseudonyme: string;
    }>("SELECT code_iris, valeurs, pseudonyme FROM microdonnee WHERE jeu_id = $1 ORDER BY ligne", [jeu]);
    expect(stored.map((s) => s.code_iris)).toEqual(["000010001", "000010002", "000010003"]);
    expect(stored.map((s) => s.valeurs)).toEqual([
      { libelle_aide: "Aide au cœur de l’hiver – 50 €", montant: 1234.5, date_naissance: "1942-03-05" },
      { libelle_aide: "Secours d’urgence « énergie »", montant: 75, date_naissance: "1944-02-29" },
      { libelle_aide: "Bon alimentaire", montant: 30, date_naissance: "1950-12-31" },
    ]);

    // The same rows as XLSX, into another dataset: same pseudonyms, same IRIS, same values.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Feuille1");
    ws.addRow(HEADER);
    for (const row of ROWS) ws.addRow(row);
    const xlsx = path.join(dir, "aides.xlsx");
    await wb.xlsx.writeFile(xlsx);
    const jeu2 = await createJeu(t.db, convention(2).id, "aides", "Aides facultatives (XLSX)");
    await depositIndividualFile({
      db: t.db,
      convention: convention(2),
      jeuId: jeu2,
      file: xlsx,
      annee: 2025,
      secret,
      geocoder,
      actorId: null,
    });
    const again = await t.db.query<{
      code_iris: string;
      valeurs: Record<string, unknown>;
      pseudonyme: string;
    }>("SELECT code_iris, valeurs, pseudonyme FROM microdonnee WHERE jeu_id = $1 ORDER BY ligne", [jeu2]);
    expect(again).toEqual(stored);
  });

  it("refuses a bad file whole, naming line, column and expected form, never the value", async () => {
    const c = { ...convention(2), id: "depots-refus" };
    const a = await createOrganisation(t.db, { nom: "CAF refus", kind: "CAF" });
    const b = await createOrganisation(t.db, { nom: "CCAS refus", kind: "CCAS" });
    await createConvention(t.db, c, { caf: a, ccas: b });
    const jeu = await createJeu(t.db, c.id, "aides", "Aides");
    const bad = [
      HEADER,
      ROWS[0]!,
      ["", "3 Allée des Œillets", "Valsocle", "x", "75", "29/02/1943"],
      ROWS[2]!,
    ];
    const csv = path.join(dir, "mauvais.csv");
    writeFileSync(csv, iconv.encode(bad.map((r) => r.join(";")).join("\r\n"), "win1252"));
    const err = await depositIndividualFile({
      db: t.db,
      convention: c,
      jeuId: jeu,
      file: csv,
      annee: 2025,
      secret,
      geocoder,
      actorId: null,
    }).catch((e) => e);
    expect(err.message).toContain("mauvais.csv : 2 problème(s)");
    expect(err.details).toEqual([
      "mauvais.csv, ligne 3, colonne « Matricule » : valeur manquante (champ obligatoire)",
      "mauvais.csv, ligne 3, colonne « Date de naissance » : valeur illisible, attendu : une date JJ/MM/AAAA",
    ]);
    expect(`${err.message}${err.details}`).not.toMatch(/Œillets|29\/02\/1943|M-00/);
    const left = await t.db.query<{ n: string | number }>(
      "SELECT (SELECT count(*) FROM microdonnee WHERE jeu_id = $1) + (SELECT count(*) FROM depot WHERE jeu_id = $1) AS n",
      [jeu],
    );
    expect(Number(left[0]!.n)).toBe(0);
  });

  it("deposits a multi-year series (Béthune 2017–2021) as one table per year, each released on its own", async () => {
    const orgs: Record<string, string> = {};
    for (const p of BETHUNE.parties)
      orgs[p.id] = await createOrganisation(t.db, { nom: `${p.nom} (série)`, kind: "AUTRE" });
    await createConvention(t.db, BETHUNE, orgs);
    const jeu = await createJeu(t.db, BETHUNE.id, "naissances-scolarisation", "Naissances");
    const lines = ["Territoire;Année;Naissances;Scolarisés moins de 3 ans"];
    for (let y = 2017; y <= 2021; y++)
      for (const c of ["00001", "00002", "00003", "00004", "00005"])
        lines.push(
          `${c};${y};${40 + ((y * 7 + Number(c)) % 30)};${c === "00005" ? "s" : String(3 + (y % 4))}`,
        );
    const file = path.join(dir, "series.csv");
    writeFileSync(file, iconv.encode(lines.join("\r\n"), "win1252"));
    const r = await depositAggregatedFile({
      db: t.db,
      convention: BETHUNE,
      jeuId: jeu,
      file,
      annee: 2021,
      mapping: { territoire: 0, annee: 1, naissances: 2, scolarises_moins_3_ans: 3 },
      actorId: null,
    });
    expect(r).toMatchObject({ lignes: 25, annees: [2017, 2018, 2019, 2020, 2021], masquees: 5 });
    const stored = await t.db.query<{ nom: string }>(
      "SELECT nom FROM tableau_derive WHERE jeu_id = $1 ORDER BY nom",
      [jeu],
    );
    expect(stored.map((x) => x.nom)).toEqual([
      "depot 2017",
      "depot 2018",
      "depot 2019",
      "depot 2020",
      "depot 2021",
    ]);
    const release = await publishRelease({
      db: t.db,
      highs: await loadSolver(),
      convention: BETHUNE,
      jeuId: jeu,
      annee: 2019,
      actorId: null,
    });
    expect(release.tableaux.map((x) => x.nom)).toEqual(["Naissances", "Scolarises moins 3 ans"]);
    const scol = release.tableaux[1]!;
    // Counts of 3 to 6 children: the small ones and the provider's blank are secret.
    expect(scol.cellules.find((c) => c.codes[0] === "00005")?.valeur).toBeNull();
    for (const c of scol.cellules) if (c.valeur !== null) expect(c.valeur === 0 || c.valeur >= 5).toBe(true);
  });

  it("leaves the embedded database as before when a 500,000-row deposit is killed with SIGKILL while writing", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "socle-kill-"));
    const c = convention(1);
    {
      const db = await openStore({ dataDir, databaseUrl: undefined });
      await seedDemoTerritory(db);
      await setup(db, 1);
      await db.close();
    }
    const file = path.join(dir, "gros.csv");
    const out = createWriteStream(file);
    out.write("code_iris;sexe;gir\r\n");
    for (let k = 0; k < 500_000; k++)
      out.write(`0000100${String(1 + (k % 16)).padStart(2, "0")};${k % 2 ? "F" : "M"};${1 + (k % 6)}\r\n`);
    await new Promise((r) => out.end(r));
    const env = { ...process.env, SOCLE_DATA_DIR: dataDir, SOCLE_LOG_LEVEL: "warn" } as Record<
      string,
      string | undefined
    >;
    delete env.SOCLE_DATABASE_URL;
    const p = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(PROJECT_ROOT, "src/cli/main.ts"),
        "deposit",
        "--convention",
        c.id,
        "--dataset",
        "aides",
        "--annee",
        "2025",
        file,
      ],
      { cwd: PROJECT_ROOT, env: env as NodeJS.ProcessEnv },
    );
    let output = "";
    const killed = await new Promise<boolean>((resolve) => {
      p.stdout.on("data", (d) => {
        output += d;
        // Killed once the write has begun.
        if (output.includes("Écriture")) setTimeout(() => p.kill("SIGKILL"), 3000);
      });
      p.on("close", (_code, signal) => resolve(signal === "SIGKILL"));
    });
    expect(killed, output).toBe(true);
    const db = await openStore({ dataDir, databaseUrl: undefined });
    try {
      const counts = await db.query<{ micro: string | number; depots: string | number; statut: string }>(
        `SELECT (SELECT count(*) FROM microdonnee) AS micro, (SELECT count(*) FROM depot) AS depots,
                (SELECT statut FROM jeu_donnees LIMIT 1) AS statut`,
      );
      expect(counts[0]).toMatchObject({ statut: "a_collecter" });
      expect(Number(counts[0]!.micro)).toBe(0);
      expect(Number(counts[0]!.depots)).toBe(0);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
