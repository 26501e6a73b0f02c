/**
 * Releases for the observatory's browser tests and benchmark, made through
 * the real chain (deposit of the partner's file → release under the
 * convention's secrecy), never written by hand:
 * - Rouen's CAF socle by IRIS on the real IRIS contours and base-ic 2013,
 *   2014 (every IRIS under 100 allocataires: every IRIS secret) and 2015
 *   (a few IRIS secret);
 * - Béthune's CAF file on assistants maternels, 100 communes, the CA and
 *   blanks under 5, vintages 2017 to 2021.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { BETHUNE, ROUEN } from "../../src/core/convention/reference.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { depositAggregatedFile } from "../../src/ingest/aggregated-deposit.js";
import { importPopulationFile } from "../../src/ingest/population.js";
import { publishRelease } from "../../src/release/publish.js";
import { addMembership, createUser } from "../../src/store/accounts.js";
import { createJeu } from "../../src/store/datasets.js";
import type { Db } from "../../src/store/db.js";
import { fixture } from "./fixtures.js";

export const SOCLE_HEADER = [
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

/** A socle row for a territory of `alloc` allocataires; `k` varies the shares. */
function socleRow(territoire: string, alloc: number, k: number): (string | number)[] {
  const part = (p: number) => Math.round(alloc * p);
  const bas = 0.15 + ((k * 37) % 40) / 100;
  return [
    territoire,
    alloc,
    part(2.2),
    "",
    part(0.12 + (k % 5) / 50),
    part(0.06),
    part(0.5),
    part(0.35),
    part(0.25),
    part(0.18),
    part(0.08),
    part(0.22),
    part(0.11),
    "",
    part(bas),
  ];
}

export interface Seeded {
  rouenIris: string[];
  bethuneCommunes: string[];
}

async function user(db: Db, email: string, passwordHash: string, orgNames: string[]) {
  const u = await createUser(db, { email, nom: "Observatoire", passwordHash });
  for (const nom of orgNames) {
    const [o] = await db.query<{ id: string }>("SELECT id FROM organisation WHERE nom = $1", [nom]);
    await addMembership(db, u, o!.id, "analyste");
  }
}

export async function seedObservatoire(
  db: Db,
  dir: string,
  account: { email: string; passwordHash: string },
): Promise<Seeded> {
  const highs = await loadSolver();
  await importIrisFile(db, fixture("geo/rouen-iris/Rouen_iris.shp"));
  await importPopulationFile(db, fixture("insee/base-ic-evol-struct-pop-2013-dep76.csv"));
  await user(db, account.email, account.passwordHash, [
    ROUEN.parties.find((p) => p.id === "ville-rouen")!.nom,
    BETHUNE.parties.find((p) => p.id === "cabbalr")!.nom,
  ]);
  const rouenIris = (
    await db.query<{ code: string }>("SELECT code FROM iris WHERE commune_code = '76540' ORDER BY code")
  ).map((r) => r.code);

  // Rouen 2015: IRIS of 150 to 1,500 allocataires, three under 100 (secret by the zone rule); 2014: all under 100.
  const jeu = await createJeu(db, ROUEN.id, "socle-caf", "Socle CAF");
  for (const annee of [2015, 2016]) {
    const rows = rouenIris.map((c, i) =>
      socleRow(c, annee === 2016 ? 40 + (i % 50) : i % 14 === 3 ? 60 : 150 + ((i * 271) % 1350), i),
    );
    // The commune row is the sum of its IRIS (the engine checks that a complete set adds up).
    const commune = SOCLE_HEADER.map((h, j) =>
      j === 0 ? "76540" : h.startsWith("taux") ? "" : rows.reduce((sum, r) => sum + (r[j] as number), 0),
    );
    const total = commune[1] as number;
    rows.unshift(commune, socleRow("Métropole Rouen Normandie", total * 4, 7));
    const file = path.join(dir, `socle-${annee}.csv`);
    writeFileSync(file, [SOCLE_HEADER, ...rows].map((r) => r.join(";")).join("\n"));
    await depositAggregatedFile({
      db,
      convention: ROUEN,
      jeuId: jeu,
      file,
      annee,
      actorId: null,
    });
    await publishRelease({ db, highs, convention: ROUEN, jeuId: jeu, annee, actorId: null });
  }

  // Béthune 2017–2021, as in test/release/aggregated-sources.test.ts.
  const communes = (
    await db.query<{ code: string }>(
      "SELECT code FROM commune WHERE epci_code = '200072460' AND kind = 'commune' ORDER BY code",
    )
  ).map((c) => c.code);
  let seed = 11;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4294967296;
  };
  const header = [
    "territoire",
    "annee",
    "am_actifs_annee",
    "am_actifs_decembre",
    "taux_activite",
    "am_plus_55_ans",
  ];
  const rows: (string | number)[][] = [];
  for (let y = 2017; y <= 2021; y++) {
    const values = communes.map((c) =>
      c === "62119"
        ? 120 + (y - 2017) * 9
        : rnd() < 0.2
          ? 1 + Math.floor(rnd() * 4)
          : 8 + Math.floor(rnd() * 70),
    );
    const dec = values.map((v, i) => Math.max(0, v - 1 - ((i + y) % Math.max(1, Math.floor(v / 4)))));
    const old = values.map((v, i) => Math.floor(v / (3 + ((i + y) % 3))));
    const blank = (v: number, ref: number) => (ref < 5 ? "" : v);
    communes.forEach((c, i) => {
      const v = values[i]!;
      rows.push([c, y, blank(v, v), blank(dec[i]!, v), "", blank(old[i]!, v)]);
    });
    const sum = (list: number[]) => list.reduce((s, v) => s + v, 0);
    rows.push(["200072460", y, sum(values), sum(dec), "", sum(old)]);
  }
  const jb = await createJeu(db, BETHUNE.id, "assmat-caf", "Assistants maternels");
  const file = path.join(dir, "bethune.csv");
  writeFileSync(file, [header, ...rows].map((r) => r.join(";")).join("\n"));
  await depositAggregatedFile({
    db,
    convention: BETHUNE,
    jeuId: jb,
    file,
    absents: [
      "enfants_moins_3_ans",
      "enfants_moins_3_ans_cmg",
      "enfants_moins_6_ans_aeeh",
      "taux_activite_femmes_enfant_moins_3_ans",
    ],
    annee: 2021,
    actorId: null,
  });
  for (let annee = 2017; annee <= 2021; annee++)
    await publishRelease({ db, highs, convention: BETHUNE, jeuId: jb, annee, actorId: null });
  return { rouenIris, bethuneCommunes: communes };
}
