/**
 * Destroying a dataset: its microdata, derived tables, deposits, protocol-1
 * results not yet downloaded and stored files go; a scan of every column of every table finds none of its
 * pseudonyms or rows; the attestation verifies, and tampering is caught.
 * Microdata keep their links to dataset and deposit. Runs on PGlite and on
 * PostgreSQL.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attestationHash } from "../../src/core/convention/destruction.js";
import { AIX } from "../../src/core/convention/reference.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { createAnomaly, getAnomaly } from "../../src/store/anomalies.js";
import { createConvention } from "../../src/store/conventions.js";
import {
  createJeu,
  destroyJeu,
  ERASED_MESSAGE,
  getJeu,
  insertMicrodonnees,
  insertTableauDerive,
  type MicroRow,
  storeDeposit,
  verifyDestruction,
} from "../../src/store/datasets.js";
import type { Db } from "../../src/store/db.js";
import type { FileArea } from "../../src/store/files.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";

/** Every row of every table of the public schema, as text, with the table it is in. */
async function scanAllTables(db: Db): Promise<{ table: string; text: string }[]> {
  const tables = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const out: { table: string; text: string }[] = [];
  for (const { table_name } of tables) {
    const rows = await db.query<{ t: string }>(`SELECT t::text AS t FROM "${table_name}" t`);
    for (const r of rows) out.push({ table: table_name, text: r.t });
  }
  return out;
}

const micro = (prefix: string, n: number): MicroRow[] =>
  Array.from({ length: n }, (_, i) => ({
    ligne: i + 1,
    pseudonyme: `${prefix}-${String(i).padStart(6, "0")}-pseudo`,
    codeIris: `00001${String(1 + (i % 9)).padStart(4, "0")}`,
    annee: 2015,
    valeurs: { sexe: i % 2 ? "F" : "M", gir: 1 + (i % 6) },
  }));

for (const engine of ENGINES)
  describe(`destruction of a dataset (${engine})`, () => {
    let t: TestDb;
    let files: FileArea;
    const actor = {
      id: "00000000-0000-4000-8000-000000000001",
      nom: "Chargé d'études",
      organisation: "COMPAS",
    };

    beforeAll(async () => {
      t = await freshDb(engine);
      files = { root: mkdtempSync(path.join(tmpdir(), "socle-destruction-")) };
      const orgs: Record<string, string> = {};
      for (const p of AIX.parties) orgs[p.id] = await createOrganisation(t.db, { nom: p.nom, kind: "AUTRE" });
      await createConvention(t.db, AIX, orgs);
    }, 60_000);

    afterAll(async () => {
      await t?.drop();
      rmSync(files.root, { recursive: true, force: true });
    });

    it("leaves no row, pseudonym, protocol-1 identifier or file of the dataset, keeps the other dataset, and the attestation verifies", async () => {
      const doomed = await createJeu(t.db, AIX.id, "apa", "APA à domicile");
      const kept = await createJeu(t.db, AIX.id, "assmat", "Assistantes maternelles");
      const d1 = await storeDeposit(
        t.db,
        files,
        doomed,
        "apa.csv",
        new TextEncoder().encode("index;gir\n1;2\n"),
        null,
      );
      const d2 = await storeDeposit(
        t.db,
        files,
        doomed,
        "apa-2.csv",
        new TextEncoder().encode("index;gir\n9;4\n"),
        null,
      );
      const dk = await storeDeposit(
        t.db,
        files,
        kept,
        "am.csv",
        new TextEncoder().encode("index\n7\n"),
        null,
      );
      const doomedRows = micro("apa", 2500);
      await t.db.transaction(async (tx) => {
        await insertMicrodonnees(tx, doomed, d1.id, doomedRows.slice(0, 1200));
        await insertMicrodonnees(tx, doomed, d2.id, doomedRows.slice(1200));
        await insertMicrodonnees(tx, kept, dk.id, micro("am", 300));
        await insertTableauDerive(tx, doomed, "APA par IRIS et GIR", { "000010001": { 1: 4, 2: 7 } });
        await insertTableauDerive(tx, kept, "Assistantes maternelles par IRIS", { "000010001": 12 });
      });

      // Protocol 1: a result (identifier, IRIS) the provider has not downloaded yet.
      await t.db.query(
        `INSERT INTO geocodage_fournisseur (id, jeu_id, cree_par, cree_le, lignes, avec_iris, resultat, sans_iris)
         VALUES ($1, $2, NULL, now(), 2, 1, $3, $4)`,
        [
          "00000000-0000-4000-8000-00000000a001",
          doomed,
          "identifiant;code_iris;type;score\r\nAPA-SECRET-1;000010001;housenumber;1\r\nAPA-SECRET-2;;not_found;0\r\n",
          JSON.stringify([{ ligne: 3, type: "not_found", raison: "voie_inconnue" }]),
        ],
      );

      const r = await destroyJeu(t.db, files, doomed, actor, new Date("2016-12-31T10:00:00Z"));
      expect(r.attestation.comptes).toEqual({
        microdonnee: 2500,
        tableau: 1,
        depot: 2,
        fichier: 2,
        geocodage: 1,
        diffusion: 0,
        message_anomalie: 0,
      });
      expect(r.manifeste.split("\n")).toHaveLength(2506);
      expect(r.manifeste).not.toContain("APA-SECRET");
      expect(r.manifeste).not.toContain("pseudo");
      expect(r.empreinte).toBe(attestationHash(r.attestation));

      const all = await scanAllTables(t.db);
      const pseudonyms = doomedRows.map((m) => m.pseudonyme);
      const leaks = all.filter((row) => pseudonyms.some((p) => row.text.includes(p)));
      expect(leaks).toEqual([]);
      expect(all.filter((row) => row.text.includes("APA-SECRET"))).toEqual([]);
      // The dataset's id remains only where it must: its tombstone, the attestation and the logs.
      const mentions = new Set(all.filter((row) => row.text.includes(doomed)).map((row) => row.table));
      expect([...mentions].sort()).toEqual(
        ["attestation_destruction", "audit_log", "convention_evenement", "jeu_donnees"].sort(),
      );
      for (const id of [d1.id, d2.id]) expect(all.filter((row) => row.text.includes(id))).toEqual([]);
      expect(readdirSync(path.join(files.root, "jeux"))).toEqual([kept]);

      // The other dataset is untouched.
      expect((await getJeu(t.db, kept)).lignes).toBe(300);
      expect(all.filter((row) => row.text.includes("am-000299-pseudo"))).toHaveLength(1);

      const check = await verifyDestruction(t.db, files, doomed);
      expect(check).toMatchObject({ valide: true, problemes: [], empreinte: r.empreinte });
      expect((await getJeu(t.db, doomed)).statut).toBe("detruit");
      await expect(destroyJeu(t.db, files, doomed, actor)).rejects.toThrow("déjà détruit");
    });

    it("with releases not kept, removes the releases leaving a tombstone each, and erases the words of anomaly threads about the deposits while keeping the threads", async () => {
      const jeu = await createJeu(t.db, AIX.id, "apa", "APA à domicile 2017");
      const dep = await storeDeposit(
        t.db,
        files,
        jeu,
        "apa.csv",
        new TextEncoder().encode("index\n1\n"),
        null,
      );
      const [release] = await t.db.query<{ id: string }>(
        `INSERT INTO diffusion (convention_id, jeu_id, annee, zonage, mention_source, tableaux, audit)
         VALUES ($1, $2, 2016, 'iris', 'Source : CD13', $3, '{}') RETURNING id`,
        [
          AIX.id,
          jeu,
          JSON.stringify([{ nom: "APA par IRIS", cellules: [{ codes: ["000010001"], valeur: 12 }] }]),
        ],
      );
      const said = "Ligne 4 : Mme DUPONT-SECRET née le 02/03/1931 apparaît deux fois.";
      const anomalie = await createAnomaly(t.db, {
        conventionId: AIX.id,
        jeuId: jeu,
        cible: { type: "depot", id: dep.id },
        signalePar: "compas",
        fournisseur: "cd13",
        texte: said,
        lignes: [4],
        auteurId: null,
        at: new Date("2017-01-10T09:00:00Z"),
      });
      const r = await destroyJeu(t.db, files, jeu, actor, new Date("2017-02-01T10:00:00Z"), {
        diffusionsConservees: false,
      });
      expect(r.attestation.diffusions).toEqual([
        { id: release!.id, annee: 2016, diffuseLe: expect.any(String), sort: "detruite" },
      ]);
      expect(r.attestation.comptes).toMatchObject({ diffusion: 1, message_anomalie: 1, depot: 1 });
      expect(r.manifeste).toContain(`diffusion\t${release!.id}\t`);
      expect(await t.db.query("SELECT 1 FROM diffusion WHERE id = $1", [release!.id])).toEqual([]);
      const [tomb] = await t.db.query<{ annee: number; zonage: string; tableaux: number; empreinte: string }>(
        "SELECT annee, zonage, tableaux, empreinte FROM diffusion_detruite WHERE id = $1",
        [release!.id],
      );
      expect(tomb).toMatchObject({ annee: 2016, zonage: "iris", tableaux: 1 });
      expect(tomb!.empreinte).toMatch(/^[0-9a-f]{64}$/);
      // The thread survives, closed, without a word of what it said.
      const thread = await getAnomaly(t.db, anomalie);
      expect(thread).toMatchObject({ statut: "close", signalePar: "compas", fournisseur: "cd13" });
      expect(thread.contenuEffaceLe).toBe("2017-02-01T10:00:00.000Z");
      expect(thread.messages.map((m) => [m.texte, m.lignes])).toEqual([[ERASED_MESSAGE, []]]);
      const all = await scanAllTables(t.db);
      expect(all.filter((row) => row.text.includes("DUPONT-SECRET"))).toEqual([]);
      expect(await verifyDestruction(t.db, files, jeu)).toMatchObject({ valide: true, problemes: [] });
      // A message slipped back into the thread is caught.
      await t.db.query("UPDATE anomalie_message SET texte = $2 WHERE anomalie_id = $1", [anomalie, said]);
      expect((await verifyDestruction(t.db, files, jeu)).problemes).toEqual([
        "Il reste 1 messages d'anomalie sur les dépôts détruits.",
      ]);
    });

    it("detects an altered attestation and rows slipped back in", async () => {
      const jeu = await createJeu(t.db, AIX.id, "assmat", "Assistantes maternelles 2016");
      await t.db.transaction((tx) => insertMicrodonnees(tx, jeu, null, micro("x", 10)));
      await destroyJeu(t.db, files, jeu, actor);
      await t.db.query(
        "UPDATE attestation_destruction SET attestation = jsonb_set(attestation, '{comptes,microdonnee}', '3') WHERE jeu_id = $1",
        [jeu],
      );
      await t.db.transaction((tx) => insertMicrodonnees(tx, jeu, null, micro("y", 2)));
      const check = await verifyDestruction(t.db, files, jeu);
      expect(check.valide).toBe(false);
      expect(check.problemes).toEqual([
        "L'attestation ne correspond plus à son empreinte.",
        "Il reste 2 lignes de microdonnées.",
      ]);
    });

    it("destroys nothing when the destruction fails midway", async () => {
      const jeu = await createJeu(t.db, AIX.id, "assmat", "Assistantes maternelles 2017");
      await storeDeposit(t.db, files, jeu, "am.csv", new TextEncoder().encode("index\n1\n"), null);
      await t.db.transaction((tx) => insertMicrodonnees(tx, jeu, null, micro("z", 5)));
      // An actor id that is not a uuid makes the audit insert fail after the deletes.
      await expect(destroyJeu(t.db, files, jeu, { ...actor, id: "pas-un-uuid" })).rejects.toThrow();
      const after = await getJeu(t.db, jeu);
      expect(after).toMatchObject({ statut: "collecte", lignes: 5, depots: 1 });
      expect(readdirSync(path.join(files.root, "jeux"))).toContain(jeu);
    });

    it("refuses microdata of an unknown dataset or deposit, and a deposit or dataset deleted under its rows", async () => {
      const jeu = await createJeu(t.db, AIX.id, "apa", "APA 2018");
      const other = await createJeu(t.db, AIX.id, "apa", "APA 2019");
      const d = await storeDeposit(t.db, files, jeu, "apa.csv", new TextEncoder().encode("index\n3\n"), null);
      const unknown = "00000000-0000-4000-8000-00000000dead";
      await expect(
        t.db.transaction((tx) => insertMicrodonnees(tx, unknown, null, micro("u", 3))),
      ).rejects.toThrow("jeu de données ou dépôt inconnu");
      await expect(
        t.db.transaction((tx) => insertMicrodonnees(tx, jeu, unknown, micro("u", 3))),
      ).rejects.toThrow("jeu de données ou dépôt inconnu");
      // A deposit belongs to one dataset: rows of another dataset cannot point at it.
      await expect(
        t.db.transaction((tx) => insertMicrodonnees(tx, other, d.id, micro("u", 3))),
      ).rejects.toThrow("jeu de données ou dépôt inconnu");
      // One bad row among good ones refuses the whole statement.
      await expect(
        t.db.query(
          `INSERT INTO microdonnee (jeu_id, depot_id, ligne, pseudonyme)
           VALUES ($1, $2, 1, 'bon'), ($1, $2, 2, 'bon'), ($3, NULL, 3, 'mauvais')`,
          [jeu, d.id, unknown],
        ),
      ).rejects.toThrow("jeu de données ou dépôt inconnu");
      expect((await getJeu(t.db, jeu)).lignes).toBe(0);
      await t.db.transaction((tx) => insertMicrodonnees(tx, jeu, d.id, micro("ok", 1500)));
      await expect(t.db.query("DELETE FROM depot WHERE id = $1", [d.id])).rejects.toThrow(
        "s'y rattachent encore",
      );
      const sansDepot = await createJeu(t.db, AIX.id, "apa", "APA 2020");
      await t.db.transaction((tx) => insertMicrodonnees(tx, sansDepot, null, micro("n", 4)));
      await expect(t.db.query("DELETE FROM jeu_donnees WHERE id = $1", [sansDepot])).rejects.toThrow(
        "s'y rattachent encore",
      );
      await expect(
        t.db.query("UPDATE microdonnee SET jeu_id = $2 WHERE jeu_id = $1", [jeu, other]),
      ).rejects.toThrow("ne change pas");
      await expect(
        t.db.query("UPDATE jeu_donnees SET id = gen_random_uuid() WHERE id = $1", [jeu]),
      ).rejects.toThrow("ne change pas");
      expect((await getJeu(t.db, jeu)).lignes).toBe(1500);
      // A dataset without rows can go (the convention's own deletion cascades to it).
      await t.db.query("DELETE FROM jeu_donnees WHERE id = $1", [other]);
    });
  });
