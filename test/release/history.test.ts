/**
 * A vintage released, then changed, then released again: the attacker holds
 * every release side by side. One more person deposited (a complement), or a
 * correction removing people, must not show as a difference of 1..k−1 in any
 * cell of any table at any level; the same person deposited twice is counted
 * once; concurrent releases are serialised.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AIX } from "../../src/core/convention/reference.js";
import type { Highs } from "../../src/core/secrecy/solver.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { buildAddressIndex, type ReferenceAddress } from "../../src/geo/address-index.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { depositIndividualFile } from "../../src/ingest/deposit.js";
import { publishRelease, type Release } from "../../src/release/publish.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import type { Db } from "../../src/store/db.js";
import { seedDemoTerritory } from "../../src/store/demo.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
const secret = new TextEncoder().encode("secret de test de l'historique");

/** Every cell published by both releases whose values differ by 1..k−1. */
function smallDifferences(a: Release, b: Release, k: number): string[] {
  const out: string[] = [];
  for (const ta of a.tableaux) {
    const tb = b.tableaux.find((t) => t.nom === ta.nom);
    if (!tb) continue;
    const vb = new Map(tb.cellules.map((c) => [c.codes.join("|"), c.valeur]));
    for (const c of ta.cellules) {
      const other = vb.get(c.codes.join("|"));
      if (c.valeur === null || other === null || other === undefined) continue;
      const d = Math.abs(c.valeur - other);
      if (d >= 1 && d < k) out.push(`${ta.nom} ${c.codes.join("×")}: ${c.valeur} / ${other}`);
    }
  }
  return out;
}

describe.each(ENGINES)("releases of a changing vintage on %s", (engine) => {
  let t: TestDb;
  let db: Db;
  let dir: string;
  let geocoder: Geocoder;
  let highs: Highs;
  let jeu: string;
  const iris = demoTerritory().iris.filter((i) => i.communeCode === "00001");
  const streets = iris.map((i, k) => ({ nom: `Rue des Essais ${k}`, iris: i.code }));
  const people: string[][] = [];
  const releases: Release[] = [];

  const write = (name: string, rows: string[][]) => {
    const file = path.join(dir, name);
    writeFileSync(file, [HEADER, ...rows].map((r) => r.join(";")).join("\n"));
    return file;
  };
  const deposit = (name: string, rows: string[][], mode?: "complement" | "correction") =>
    depositIndividualFile({
      db,
      convention: AIX,
      jeuId: jeu,
      file: write(name, rows),
      annee: 2015,
      secret,
      geocoder,
      actorId: null,
      ...(mode ? { mode } : {}),
    });
  const release = () =>
    publishRelease({ db, highs, convention: AIX, jeuId: jeu, annee: 2015, actorId: null });

  beforeAll(async () => {
    t = await freshDb(engine);
    db = t.db;
    highs = await loadSolver();
    dir = mkdtempSync(path.join(tmpdir(), "socle-histoire-"));
    await seedDemoTerritory(db);
    const orgs: Record<string, string> = {};
    for (const p of AIX.parties) orgs[p.id] = await createOrganisation(db, { nom: p.nom, kind: "AUTRE" });
    await createConvention(db, AIX, orgs);
    const refs: ReferenceAddress[] = streets.flatMap((s) =>
      Array.from({ length: 200 }, (_, n) => ({
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
    jeu = await createJeu(db, AIX.id, "apa", "APA à domicile");
    const rnd = prng(7);
    for (let k = 0; k < 1500; k++) {
      const s = streets[Math.floor(rnd() ** 2 * streets.length)]!;
      const year = 1920 + Math.floor(rnd() * 40);
      people.push([
        `D${k}`,
        `${1 + (k % 200)} ${s.nom}`,
        "00100",
        "Valsocle",
        rnd() < 0.6 ? "F" : "M",
        `01/06/${year}`,
        "couple",
        String(1 + Math.floor(rnd() * 4)),
      ]);
    }
  }, 120_000);

  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a second deposit of the vintage must say whether it corrects or complements", async () => {
    const first = await deposit("v1.csv", people);
    expect(first).toMatchObject({ lignes: 1500, mode: "initial" });
    releases.push(await release());
    await expect(deposit("v2.csv", [people[0]!])).rejects.toThrow(/correction .* ou un complément/);
  }, 240_000);

  it("one more person deposited as a complement: no cell of the two releases differs by 1 to 4, both published", async () => {
    const woman = ["NEW-1", `3 ${streets[5]!.nom}`, "00100", "Valsocle", "F", "12/03/1925", "couple", "2"];
    const r = await deposit("complement.csv", [woman, people[3]!], "complement");
    // people[3] was already deposited: reported, never counted twice.
    expect(r).toMatchObject({ mode: "complement", doublonsAnterieurs: 1, lignes: 1 });
    const second = await release();
    releases.push(second);
    expect(second.audit.ok).toBe(true);
    const ensemble = (rel: Release) =>
      rel.tableaux[0]!.cellules.find((c) => c.codes.every((x) => x === "Ensemble" || x === "Total"))?.valeur;
    // The grand total of the first release was 1,500; the new one cannot show 1,501 beside it.
    expect(ensemble(releases[0]!)).toBe(1500);
    expect(ensemble(second)).not.toBe(1501);
    expect(smallDifferences(releases[0]!, second, 5)).toEqual([]);
  }, 240_000);

  it("a correction removing three people, released after both: no small difference with either earlier release", async () => {
    const corrected = [...people.slice(0, 100), ...people.slice(103)];
    const r = await deposit("correction.csv", corrected, "correction");
    expect(r).toMatchObject({ mode: "correction", lignes: 1497 });
    const third = await release();
    releases.push(third);
    expect(third.audit.ok).toBe(true);
    for (const earlier of releases.slice(0, 2)) expect(smallDifferences(earlier, third, 5)).toEqual([]);
    const facts = third.audit as unknown as { versions?: number; retirees?: number };
    expect(facts.versions).toBe(3);
  }, 240_000);

  it("two concurrent releases: the one frozen second is protected with the first", async () => {
    const [a, b] = await Promise.all([release(), release()]);
    for (const earlier of [...releases, a])
      for (const later of [b]) expect(smallDifferences(earlier, later, 5)).toEqual([]);
    const [n] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM diffusion WHERE jeu_id = $1 AND annee = 2015",
      [jeu],
    );
    expect(Number(n?.n)).toBe(5);
  }, 240_000);
});
