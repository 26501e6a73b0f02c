/**
 * No column lost, for each annex of the Aix convention: a file that lacks
 * one field of the annex (mother's age of the certificats du 8e jour, PCH
 * under 40…) is refused with a French question naming that field, nothing
 * written; declared absent, the deposit goes through and records the
 * absence with the deposit.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, DatasetField } from "../../src/core/convention/model.js";
import { AIX } from "../../src/core/convention/reference.js";
import { isAddressField } from "../../src/core/deposit/address.js";
import { buildAddressIndex } from "../../src/geo/address-index.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { depositAggregatedFile } from "../../src/ingest/aggregated-deposit.js";
import { depositIndividualFile } from "../../src/ingest/deposit.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import { freshDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
let dir: string;
const geocoder = new Geocoder(
  buildAddressIndex(
    ["13"],
    [1, 2, 3].map((numero) => ({
      communeCode: "13001",
      communeNom: "Aix-en-Provence",
      codePostal: "13100",
      ancienneCode: "",
      ancienneNom: "",
      libelleAcheminement: "AIX EN PROVENCE",
      nomVoie: "Cours Mirabeau",
      numero,
      rep: "",
      iris: "130010101",
    })),
  ),
);

const VALUES: Record<string, (k: number) => string> = {
  identifiant: (k) => `X${k}`,
  adresse: (k) => `${1 + (k % 3)} Cours Mirabeau`,
  texte: () => "couple",
  sexe: (k) => (k % 2 ? "F" : "M"),
  date: () => "01/02/1940",
  gir: () => "3",
  entier: (k) => String(5 + k),
  decimal: () => "1,5",
  montant: () => "12,50",
  code_commune: () => "13001",
};
function value(f: DatasetField, k: number): string {
  if (f.nom === "code_postal") return "13100";
  if (f.nom === "commune") return "Aix-en-Provence";
  return (VALUES[f.type] ?? (() => "1"))(k);
}

/** The first field a partner's export may lack: data, neither identifier nor address nor territory. */
function droppable(d: Dataset): DatasetField {
  return d.champs.find((f) => f.type !== "identifiant" && !isAddressField(f) && f.type !== "code_commune")!;
}

function fileWithout(d: Dataset, dropped: string, name: string): string {
  const fields = d.champs.filter((f) => f.nom !== dropped);
  const rows = d.kind === "agrege" ? ["13001", "13002"] : ["a", "b", "c"];
  const lines = [fields.map((f) => f.nom).join(";")];
  for (const [k, code] of rows.entries())
    lines.push(
      fields.map((f) => (f.type === "code_commune" && d.kind === "agrege" ? code : value(f, k))).join(";"),
    );
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

beforeAll(async () => {
  t = await freshDb("pglite");
  dir = mkdtempSync(path.join(tmpdir(), "socle-colonnes-"));
  const ids: Record<string, string> = {};
  for (const p of AIX.parties)
    ids[p.id] = await createOrganisation(t.db, { nom: p.nom, kind: p.kind === "COMMUNE" ? "AUTRE" : p.kind });
  await createConvention(t.db, AIX, ids);
});

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("no column lost", () => {
  for (const d of AIX.jeux) {
    it(`${d.id}: a missing field stops the deposit with a question naming it, until declared absent`, async () => {
      const dropped = droppable(d);
      const jeuId = await createJeu(t.db, AIX.id, d.id, d.titre);
      const file = fileWithout(d, dropped.nom, `${d.id}.csv`);
      const o = { db: t.db, convention: AIX, jeuId, file, annee: 2014, actorId: null };
      const go = (absents?: string[]) =>
        d.kind === "agrege"
          ? depositAggregatedFile({ ...o, ...(absents ? { absents } : {}) })
          : depositIndividualFile({
              ...o,
              secret: new TextEncoder().encode("s"),
              geocoder,
              ...(absents ? { absents } : {}),
            });
      const label = dropped.libelle ?? dropped.nom.replace(/_/g, " ");
      await expect(go()).rejects.toThrow(
        `Quelle colonne du fichier contient « ${label} » (champ ${dropped.nom} de l'annexe « ${d.titre} ») ?`,
      );
      expect(await t.db.query("SELECT 1 FROM depot WHERE jeu_id = $1", [jeuId])).toHaveLength(0);
      const r = await go([dropped.nom]);
      expect(r.absents).toEqual([dropped.nom]);
      const [dep] = await t.db.query<{ bilan: { champsAbsents: string[] } }>(
        "SELECT bilan FROM depot WHERE jeu_id = $1",
        [jeuId],
      );
      expect(dep!.bilan.champsAbsents).toEqual([dropped.nom]);
    });
  }

  // The same rule on both deposit paths: one individual annex, one aggregated.
  for (const id of ["apa", AIX.jeux.find((d) => d.kind === "agrege")!.id])
    it(`${id}: a required field may not be declared absent, nor a field also mapped to a column (French message naming it)`, async () => {
      const d = AIX.jeux.find((x) => x.id === id)!;
      const field = droppable(d);
      const label = field.libelle ?? field.nom;
      const strict = {
        ...AIX,
        id: `aix-requis-${id}`,
        jeux: AIX.jeux.map((x) =>
          x.id === id ? { ...x, champs: x.champs.map((f) => (f === field ? { ...f, requis: true } : f)) } : x,
        ),
      };
      const ids: Record<string, string> = {};
      for (const p of AIX.parties)
        ids[p.id] = await createOrganisation(t.db, { nom: `${p.nom} ${id}`, kind: "AUTRE" });
      await createConvention(t.db, strict, ids);
      const go = (convention: typeof AIX, jeuId: string, file: string, more: object) => {
        const o = { db: t.db, convention, jeuId, file, annee: 2014, actorId: null, ...more };
        return d.kind === "agrege"
          ? depositAggregatedFile(o)
          : depositIndividualFile({ ...o, secret: new TextEncoder().encode("s"), geocoder });
      };
      const required = await createJeu(t.db, strict.id, id, d.titre);
      const without = fileWithout(d, field.nom, `${id}-sans.csv`);
      await expect(go(strict, required, without, { absents: [field.nom] })).rejects.toThrow(
        `« ${label} » (champ ${field.nom}) est requis par l'annexe « ${d.titre} » : il ne peut être déclaré absent.`,
      );
      // Mapped to a column and declared absent in the same deposit: which is true is not said.
      const both = await createJeu(t.db, AIX.id, id, d.titre);
      const full = fileWithout(d, "", `${id}-complet.csv`);
      const mappingByName = Object.fromEntries(d.champs.map((f) => [f.nom, f.nom]));
      await expect(go(AIX, both, full, { mappingByName, absents: [field.nom] })).rejects.toThrow(
        `« ${label} » (champ ${field.nom}) est à la fois lu dans la colonne « ${field.nom} » et déclaré absent : retirez la colonne ou la déclaration d'absence.`,
      );
      for (const jeu of [required, both])
        expect(await t.db.query("SELECT 1 FROM depot WHERE jeu_id = $1", [jeu])).toHaveLength(0);
      // Without the contradiction the same file goes through.
      expect((await go(AIX, both, full, { mappingByName })).absents).toEqual([]);
    });

  it("names the Aix fields the issue saw dropped: mother's age, birth rank, PCH under 40", () => {
    const names = AIX.jeux.flatMap((d) => d.champs.map((f) => f.nom));
    expect(names).toEqual(expect.arrayContaining(["age_mere", "rang_naissance", "pch_moins_40_ans"]));
  });
});
