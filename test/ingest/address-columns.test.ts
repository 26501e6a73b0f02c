/**
 * Addresses as partner software exports them: address, postcode and commune
 * in separate columns, on the demo territory. Every column mapped to an
 * address part feeds the geocoder, so every row whose address exists gets
 * its IRIS; the preview counts, before upload, how many of the first 1,000
 * rows would be found (never a value); the rows without IRIS are reported by
 * line, type and reason, never by address; an annex field the file lacks
 * stops the deposit with a French question until it is declared absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAddressIndex } from "../../src/geo/address-index.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import {
  departementsOfFile,
  depositIndividualFile,
  previewDeposit,
  referenceLoader,
} from "../../src/ingest/deposit.js";
import { noIrisCsv, noIrisRows } from "../../src/ingest/no-iris-report.js";
import { seedDemoAddresses } from "../../src/release/demo.js";
import { createOrganisation } from "../../src/store/accounts.js";
import {
  listAddressReferences,
  loadAddressIndex,
  replaceAddressReference,
} from "../../src/store/addresses.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import { DEMO_CONVENTION, seedDemoTerritory } from "../../src/store/demo.js";
import { freshDb, type TestDb } from "../helpers/db.js";
import { demoSplitAddressFile } from "../helpers/demo-file.js";

let t: TestDb;
let dir: string;
let geocoder: Geocoder;
let jeuId: string;
const secret = new TextEncoder().encode("secret de test des adresses");
const demo = demoSplitAddressFile(2000);
const dataset = DEMO_CONVENTION.jeux[0]!;

beforeAll(async () => {
  t = await freshDb("pglite");
  dir = mkdtempSync(path.join(tmpdir(), "socle-adresses-"));
  await seedDemoTerritory(t.db);
  await seedDemoAddresses(t.db);
  const ids: Record<string, string> = {};
  for (const p of DEMO_CONVENTION.parties)
    ids[p.id] = await createOrganisation(t.db, { nom: p.nom, kind: p.kind === "COMMUNE" ? "AUTRE" : p.kind });
  await createConvention(t.db, DEMO_CONVENTION, ids);
  jeuId = await createJeu(t.db, DEMO_CONVENTION.id, dataset.id, dataset.titre);
  geocoder = new Geocoder((await loadAddressIndex(t.db))!);
  writeFileSync(path.join(dir, "allocataires.csv"), demo.text);
}, 120_000);

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ({
  db: t.db,
  convention: DEMO_CONVENTION,
  jeuId,
  file: path.join(dir, "allocataires.csv"),
  annee: 2025,
  secret,
  geocoder,
  actorId: null,
});

describe("addresses from several columns", () => {
  it("counts before upload how many of the first 1,000 rows the composed address finds, never showing a value", async () => {
    const p = await previewDeposit(t.db, DEMO_CONVENTION, dataset, path.join(dir, "allocataires.csv"), {
      geocoder,
    });
    // Postcode and commune columns are proposed as address parts beside the annex's « adresse ».
    expect(p.colonnes[p.proposition["adresse.code_postal"]!]).toBe("Code postal");
    expect(p.colonnes[p.proposition["adresse.commune"]!]).toBe("Ville");
    expect(p.adresses).toMatchObject({ lues: 1000, avecIris: 990, parRaison: { voie_inconnue: 10 } });
    expect(p.questions).toHaveLength(1);
    expect(p.questions[0]).toContain("« code commune »");
    // Without the commune and postcode columns, street names shared by several communes stay unknown.
    const alone = await previewDeposit(t.db, DEMO_CONVENTION, dataset, path.join(dir, "allocataires.csv"), {
      geocoder,
      mappingByName: { matricule: "Matricule", adresse: "Adresse" },
    });
    expect(alone.adresses!.avecIris).toBeLessThan(900);
    const json = JSON.stringify([p, alone]);
    for (const w of demo.words) expect(json).not.toContain(w);
    expect(json).not.toContain("D17");
  });

  it("stops with a French question naming an annex field that is neither mapped nor declared absent", async () => {
    await expect(depositIndividualFile(base())).rejects.toThrow(
      /Quelle colonne du fichier contient « code commune » \(champ code_commune de l'annexe « Allocataires CAF par IRIS \(démo\) »\) \? S'il manque dans ce dépôt, déclarez-le absent/,
    );
    const rows = await t.db.query("SELECT 1 FROM depot WHERE jeu_id = $1", [jeuId]);
    expect(rows).toHaveLength(0);
  });

  it("gives its IRIS to every row whose address exists, and reports the others by line, type and reason only", async () => {
    const r = await depositIndividualFile({ ...base(), absents: ["code_commune"] });
    expect(r.lignes).toBe(2000);
    expect(r.absents).toEqual(["code_commune"]);
    expect(r.sansIris).toBe(20);
    expect(r.sansIrisParRaison).toEqual({ voie_inconnue: 20 });
    const got = await t.db.query<{ ligne: number; code_iris: string | null }>(
      "SELECT ligne, code_iris FROM microdonnee WHERE depot_id = $1",
      [r.depotId],
    );
    expect(got).toHaveLength(2000);
    let wrong = 0;
    for (const g of got) if (g.code_iris !== demo.truth.get(g.ligne)) wrong++;
    expect(wrong).toBe(0);
    // The declared absence is recorded with the deposit and the mapping remembered.
    const [d] = await t.db.query<{ bilan: { champsAbsents: string[] } }>(
      "SELECT bilan FROM depot WHERE id = $1",
      [r.depotId],
    );
    expect(d!.bilan.champsAbsents).toEqual(["code_commune"]);
    const [m] = await t.db.query<{ mapping: Record<string, string>; absents: string[] }>(
      "SELECT mapping, absents FROM correspondance_colonnes WHERE convention_id = $1",
      [DEMO_CONVENTION.id],
    );
    expect(m!.mapping).toMatchObject({ "adresse.code_postal": "Code postal", "adresse.commune": "Ville" });
    expect(m!.absents).toEqual(["code_commune"]);
    // No address part is stored: neither as a field nor in the values.
    const values = await t.db.query<{ valeurs: Record<string, unknown> }>(
      "SELECT valeurs FROM microdonnee WHERE depot_id = $1 LIMIT 5",
      [r.depotId],
    );
    for (const v of values)
      expect(Object.keys(v.valeurs).sort()).toEqual(
        ["date_naissance", "nombre_enfants", "sexe", "situation_familiale"].sort(),
      );

    const report = await noIrisRows(t.db, jeuId, r.depotId);
    const expected = [...demo.truth].filter(([, iris]) => iris === null).map(([l]) => l);
    expect(report.map((x) => x.ligne)).toEqual(expected);
    const csv = noIrisCsv(report);
    expect(csv.split("\r\n")[0]).toBe(
      "\ufeffligne;type_resultat;type_resultat_libelle;raison;raison_libelle",
    );
    expect(csv.split("\r\n")[1]).toBe("101;municipality;commune;voie_inconnue;voie inconnue dans la commune");
    for (const w of [...demo.words, "Valsocle", "VALSOCLE", "00010"]) expect(csv).not.toContain(w);
  });

  it("loads only the départements of the reference that the file's postcodes point to", async () => {
    // A second département in the reference, which this file does not need.
    const other = buildAddressIndex(
      ["13"],
      [1, 2].map((numero) => ({
        communeCode: "13001",
        communeNom: "Aix-en-Provence",
        codePostal: "13100",
        ancienneCode: "",
        ancienneNom: "",
        libelleAcheminement: "AIX EN PROVENCE",
        nomVoie: "Rue de la Mairie Centre",
        numero,
        rep: "",
        iris: "130010101",
      })),
    );
    await replaceAddressReference(t.db, [{ departement: "13", index: other }], "test");
    expect((await listAddressReferences(t.db)).map((r) => r.departement)).toEqual(["00", "13"]);
    const asked: (string[] | null)[] = [];
    const loader = referenceLoader(t.db);
    const small = demoSplitAddressFile(300, 10_000);
    // (The demo's postcodes have six digits: here five, as real ones.)
    writeFileSync(path.join(dir, "petit.csv"), small.text.replace(/;0000\d0;/g, ";00100;"));
    const r = await depositIndividualFile({
      ...base(),
      file: path.join(dir, "petit.csv"),
      // A second file for the same vintage: it replaces the first.
      mode: "correction",
      absents: ["code_commune"],
      geocoder: {
        pourDepartements: (d) => {
          asked.push(d);
          return loader.pourDepartements(d);
        },
      },
    });
    expect(asked).toEqual([["00"]]);
    expect(r.lignes).toBe(300);
    expect(r.sansIris).toBe(3);
    // Commune codes decide; Corsican and overseas postcodes point to their départements.
    const f = path.join(dir, "codes.csv");
    writeFileSync(f, "adresse;cp;insee\n1 rue A;20000;\n2 rue B;97110;\n3 rue C;13100;\n4 rue D;;59350\n");
    expect(
      await departementsOfFile(f, [
        { role: "ligne", column: 0 },
        { role: "code_postal", column: 1 },
        { role: "code_commune", column: 2 },
      ]),
    ).toEqual(["13", "2A", "2B", "59", "971"]);
  });
});
