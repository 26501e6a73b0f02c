/**
 * Zonings: a custom zone attached to a dataset (a quartier made of IRIS) is
 * released beside the IRIS and the commune, protected jointly as a grouping
 * that is not nested in the communes; once published, it stays in the
 * equations of later releases, even after it is detached.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { AIX } from "../../src/core/convention/reference.js";
import { type Highs, loadSolver } from "../../src/core/secrecy/solver.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { buildAddressIndex, type ReferenceAddress } from "../../src/geo/address-index.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { depositIndividualFile } from "../../src/ingest/deposit.js";
import { publishRelease } from "../../src/release/publish.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import type { Db } from "../../src/store/db.js";
import { seedDemoTerritory } from "../../src/store/demo.js";
import { createZone, updateZone } from "../../src/store/zones.js";
import { freshDb, type TestDb } from "../helpers/db.js";

const HEADER = [
  "index_dossier",
  "adresse",
  "code_postal",
  "commune",
  "sexe",
  "date_naissance",
  "situation_familiale",
  "gir",
];
const secret = new TextEncoder().encode("secret des zonages");

let t: TestDb;
let db: Db;
let dir: string;
let highs: Highs;
let geocoder: Geocoder;
const iris = demoTerritory().iris.filter((i) => i.communeCode === "00001");
const streets = iris.map((i, k) => ({ nom: `Rue du Zonage ${k}`, iris: i.code }));
const withZone: Convention = {
  ...AIX,
  id: "aix-zonage",
  jeux: AIX.jeux.map((d) => (d.id === "apa" ? { ...d, zones: ["Quartier des Essais"] } : d)),
};

beforeAll(async () => {
  t = await freshDb("pglite");
  db = t.db;
  highs = await loadSolver();
  dir = mkdtempSync(path.join(tmpdir(), "socle-zonage-"));
  await seedDemoTerritory(db);
  const orgs: Record<string, string> = {};
  for (const p of withZone.parties) orgs[p.id] = await createOrganisation(db, { nom: p.nom, kind: "AUTRE" });
  await createConvention(db, withZone, orgs);
  await createZone(db, {
    organisationId: orgs["ccas-aix"]!,
    nom: "Quartier des Essais",
    kind: "iris",
    membres: [iris[0]!.code, iris[1]!.code, iris[2]!.code],
  });
  const refs: ReferenceAddress[] = streets.flatMap((s) =>
    Array.from({ length: 100 }, (_, n) => ({
      communeCode: "00001",
      communeNom: "Valsocle",
      codePostal: "00100",
      ancienneCode: "",
      ancienneNom: "",
      libelleAcheminement: "VALSOCLE",
      nomVoie: s.nom,
      numero: n + 1,
      rep: "",
      iris: s.iris,
    })),
  );
  geocoder = new Geocoder(buildAddressIndex(["00"], refs));
}, 120_000);

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("zonings", () => {
  it("publishes an attached zone beside the IRIS, and keeps it in the equations once detached", async () => {
    const jeu = await createJeu(db, withZone.id, "apa", "APA à domicile");
    const rows: string[] = [];
    for (let k = 0; k < 900; k++) {
      const s = streets[k % streets.length]!;
      rows.push(
        [
          `Z${k}`,
          `${1 + (k % 100)} ${s.nom}`,
          "00100",
          "Valsocle",
          k % 3 ? "F" : "M",
          `01/06/${1925 + (k % 35)}`,
          "couple",
          String(1 + (k % 4)),
        ].join(";"),
      );
    }
    const file = path.join(dir, "apa.csv");
    writeFileSync(file, [HEADER.join(";"), ...rows].join("\n"));
    await depositIndividualFile({
      db,
      convention: withZone,
      jeuId: jeu,
      file,
      annee: 2015,
      secret,
      geocoder,
      actorId: null,
    });
    const first = await publishRelease({
      db,
      highs,
      convention: withZone,
      jeuId: jeu,
      annee: 2015,
      actorId: null,
    });
    const table = first.tableaux[0]!;
    const zoneCode = Object.keys(table.libelles.territoire ?? {}).find((c) => c.startsWith("Z"));
    expect(zoneCode).toBeDefined();
    expect(table.libelles.territoire?.[zoneCode!]).toBe("Quartier des Essais");
    const total = (code: string) =>
      table.cellules.find((c) => c.codes[0] === code && c.codes[1] === "Total")?.valeur;
    const members = [iris[0]!.code, iris[1]!.code, iris[2]!.code];
    // When the zone and its IRIS are all published, they add up.
    if (total(zoneCode!) != null && members.every((m) => total(m) != null))
      expect(total(zoneCode!)).toBe(members.reduce((s, m) => s + (total(m) as number), 0));
    // Detached by an avenant: the next release still reads the zone it published.
    const detached: Convention = {
      ...withZone,
      jeux: withZone.jeux.map((d) => (d.id === "apa" ? { ...d, zones: [] } : d)),
    };
    const second = await publishRelease({
      db,
      highs,
      convention: detached,
      jeuId: jeu,
      annee: 2015,
      actorId: null,
    });
    expect(second.audit.ok).toBe(true);
    expect(Object.keys(second.tableaux[0]!.libelles.territoire ?? {})).toContain(zoneCode);
  }, 240_000);

  it("recomputes a release whose zone was edited after its members were read, so that what is published counts the zone as it is", async () => {
    const edited: Convention = {
      ...AIX,
      id: "aix-zonage-edite",
      jeux: AIX.jeux.map((d) => (d.id === "apa" ? { ...d, zones: ["Quartier édité"] } : d)),
    };
    const orgs: Record<string, string> = {};
    for (const p of edited.parties)
      orgs[p.id] = await createOrganisation(db, { nom: `${p.nom} (édité)`, kind: "AUTRE" });
    await createConvention(db, edited, orgs);
    const before = [iris[0]!.code, iris[1]!.code];
    const after = [iris[0]!.code, iris[1]!.code, iris[2]!.code];
    const zoneId = await createZone(db, {
      organisationId: orgs["ccas-aix"]!,
      nom: "Quartier édité",
      kind: "iris",
      membres: before,
    });
    const jeu = await createJeu(db, edited.id, "apa", "APA à domicile");
    const rows: string[] = [];
    for (let k = 0; k < 900; k++) {
      const s = streets[k % streets.length]!;
      rows.push(
        [
          `E${k}`,
          `${1 + (k % 100)} ${s.nom}`,
          "00100",
          "Valsocle",
          k % 3 ? "F" : "M",
          `01/06/${1925 + (k % 35)}`,
          "couple",
          String(1 + (k % 4)),
        ].join(";"),
      );
    }
    const file = path.join(dir, "apa-edite.csv");
    writeFileSync(file, [HEADER.join(";"), ...rows].join("\n"));
    await depositIndividualFile({
      db,
      convention: edited,
      jeuId: jeu,
      file,
      annee: 2015,
      secret,
      geocoder,
      actorId: null,
    });
    // The zone gains an IRIS after the release read its members, just before it is frozen.
    let edits = 0;
    const racing: Db = Object.create(db);
    racing.transaction = async (fn) => {
      if (edits++ === 0)
        await updateZone(db, zoneId, {
          nom: "Quartier édité",
          kind: "iris",
          categorie: "quartier",
          description: null,
          membres: after,
          at: new Date(),
        });
      return db.transaction(fn);
    };
    const release = await publishRelease({
      db: racing,
      highs,
      convention: edited,
      jeuId: jeu,
      annee: 2015,
      actorId: null,
    });
    expect(edits).toBeGreaterThan(1);
    const table = release.tableaux[0]!;
    const total = (code: string) =>
      table.cellules.find((c) => c.codes[0] === code && c.codes[1] === "Total")?.valeur;
    const inZone = (members: string[]) =>
      rows.filter((_, k) => members.includes(streets[k % streets.length]!.iris)).length;
    expect(total(`Z${zoneId}`)).toBe(inZone(after));
    expect(inZone(after)).not.toBe(inZone(before));
  }, 240_000);
});
