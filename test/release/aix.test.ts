/**
 * The Aix-en-Provence convention end to end, on the IRIS of one commune (the
 * fictional Valsocle): generated partner files of realistic size (12,000 APA
 * à domicile, 3,000 certificats du 8e jour, 2,500 assistantes maternelles) in
 * Windows-1252 with accented street names, deposited, pseudonymised,
 * geocoded to their IRIS, released under the convention's secrecy rules and
 * exported as XLSX, CSV and GeoJSON. The exports are read back: no visible
 * cell of 1–4 individuals, no IRIS under 100 inhabitants shown, the source
 * mention everywhere, no identifier or address in the database or exports.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AIX } from "../../src/core/convention/reference.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { buildAddressIndex, type ReferenceAddress } from "../../src/geo/address-index.js";
import { inWorker } from "../../src/geo/batch-geocoder.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { readGeoPackageLayer } from "../../src/geo/geopackage.js";
import { depositAggregatedFile } from "../../src/ingest/aggregated-deposit.js";
import { depositIndividualFile } from "../../src/ingest/deposit.js";
import { releaseCsv, releaseGeoJson, releaseGeoPackage, releaseXlsx } from "../../src/release/exports.js";
import { publishRelease, type Release } from "../../src/release/publish.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { loadAddressIndexBlobs, replaceAddressReference } from "../../src/store/addresses.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import type { Db } from "../../src/store/db.js";
import { seedDemoTerritory } from "../../src/store/demo.js";
import { freshDb, type TestDb } from "../helpers/db.js";

const STREETS = [
  "Rue de l'Église",
  "Allée des Œillets",
  "Avenue Émile Zola",
  "Impasse du Moulin à Eau",
  "Chemin de la Croix d’Or",
  "Boulevard des Tilleuls",
];

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

let t: TestDb;
let db: Db;
let dir: string;
let geocoder: Geocoder;
const releases: Record<string, Release> = {};
const irisOfValsocle = demoTerritory().iris.filter((i) => i.communeCode === "00001");
/** One IRIS of the commune is given fewer than 100 inhabitants: the zone rule must hide it. */
const SMALL_IRIS = "000010016";
const smallIris = new Set([SMALL_IRIS]);
/** Every street of every IRIS, with the IRIS it lies in. */
const streets = irisOfValsocle.flatMap((i, k) =>
  STREETS.map((s, j) => ({ nom: `${s} ${k * 10 + j}`, iris: i.code })),
);
const secret = new TextEncoder().encode("secret de test de la convention d'Aix");
const identifiers: string[] = [];

function address(rnd: () => number, k: number): { adresse: string; iris: string } {
  // Skewed: a few IRIS get few people, so small cells exist.
  const s = streets[Math.floor(rnd() ** 3 * streets.length)]!;
  return { adresse: `${1 + (k % 150)} ${s.nom}`, iris: s.iris };
}

/** Writes rows as a Windows-1252 CSV with semicolons, the usual export of partner software. */
function writeCp1252(name: string, header: string[], rows: string[][]): string {
  const file = path.join(dir, name);
  const text = [header, ...rows].map((r) => r.join(";")).join("\r\n");
  writeFileSync(file, iconv.encode(text, "win1252"));
  return file;
}

beforeAll(async () => {
  t = await freshDb("pglite");
  db = t.db;
  dir = mkdtempSync(path.join(tmpdir(), "socle-aix-"));
  await seedDemoTerritory(db);
  await db.query("UPDATE iris_population SET population = 80 WHERE iris_code = $1", [SMALL_IRIS]);
  const orgs: Record<string, string> = {};
  for (const p of AIX.parties) orgs[p.id] = await createOrganisation(db, { nom: p.nom, kind: "AUTRE" });
  await createConvention(db, AIX, orgs);
  const refs: ReferenceAddress[] = [];
  for (const s of streets)
    for (let n = 1; n <= 150; n++)
      refs.push({
        communeCode: "00001",
        communeNom: "Valsocle",
        codePostal: "00100",
        ancienneCode: "",
        ancienneNom: "",
        libelleAcheminement: "VALSOCLE",
        nomVoie: s.nom,
        numero: n,
        rep: "",
        iris: s.iris,
      });
  const index = buildAddressIndex(["00"], refs);
  await replaceAddressReference(db, [{ departement: "00", index }], "référentiel de test");
  geocoder = new Geocoder(index);
}, 120_000);

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the Aix-en-Provence convention end to end", () => {
  it("deposits 12,000 APA à domicile: Windows-1252, duplicates reported, every located row in its IRIS, no address kept", async () => {
    const rnd = prng(1);
    const rows: string[][] = [];
    for (let k = 0; k < 12_000; k++) {
      const a = address(rnd, k);
      const id = `APA-${String(k).padStart(6, "0")}`;
      identifiers.push(id);
      const birth = new Date(
        Date.UTC(1915 + Math.floor(rnd() * 45), Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28)),
      );
      rows.push([
        id,
        a.adresse,
        "00100",
        "Valsocle",
        rnd() < 0.62 ? "F" : "M",
        birth.toISOString().slice(0, 10).split("-").reverse().join("/"),
        rnd() < 0.4 ? "couple" : "personne isolée",
        // APA GIR: 1 is rare, 4 the most frequent.
        String(((u) => (u < 0.02 ? 1 : u < 0.19 ? 2 : u < 0.39 ? 3 : 4))(rnd())),
      ]);
    }
    // The same person twice, written differently, and one address outside the reference.
    rows.push(["apa-000007", rows[7]![1]!, "00100", "Valsocle", "F", "01/01/1930", "couple", "2"]);
    rows.push(["APA-999999", "3 rue Inconnue", "00100", "Valsocle", "F", "01/01/1930", "couple", "2"]);
    identifiers.push("APA-999999");
    const file = writeCp1252(
      "apa.csv",
      [
        "N° dossier",
        "Adresse",
        "Code postal",
        "Commune",
        "Sexe",
        "Date de naissance",
        "Situation familiale",
        "GIR",
      ],
      rows,
    );
    const jeu = await createJeu(db, AIX.id, "apa", "APA à domicile");
    // The APA file is geocoded in a worker thread, as the server does.
    const worker = inWorker(await loadAddressIndexBlobs(db));
    const r = await depositIndividualFile({
      db,
      convention: AIX,
      jeuId: jeu,
      file,
      annee: 2015,
      secret,
      geocoder: worker,
      actorId: null,
    }).finally(() => worker.close());
    expect(r.lignes).toBe(12_001);
    expect(r.doublons).toBe(1);
    expect(r.sansIris).toBe(1);
    // Every generated address found its own IRIS.
    const placed = await db.query<{ n: string | number }>(
      "SELECT count(*) AS n FROM microdonnee WHERE jeu_id = $1 AND code_iris IS NOT NULL",
      [jeu],
    );
    expect(Number(placed[0]!.n)).toBe(12_000);
    // A second deposit of the same file is refused.
    await expect(
      depositIndividualFile({
        db,
        convention: AIX,
        jeuId: jeu,
        file,
        annee: 2015,
        secret,
        geocoder,
        actorId: null,
      }),
    ).rejects.toThrow("déjà été déposé");

    releases.apa = await publishRelease({
      db,
      highs: await loadSolver(),
      convention: AIX,
      jeuId: jeu,
      annee: 2015,
      actorId: null,
    });
    expect(releases.apa.audit.ok).toBe(true);
    expect(releases.apa.nonLocalises).toBe(1);
    expect(releases.apa.tableaux.map((x) => x.nom)).toEqual([
      "Effectifs par territoire et sexe",
      "Effectifs par territoire et âge au 31/12/2015",
      "Effectifs par territoire et gir",
    ]);
  }, 240_000);

  it("deposits 3,000 certificats du 8e jour and 2,500 assistantes maternelles, and releases them", async () => {
    const rnd = prng(2);
    const cs8: string[][] = [];
    for (let k = 0; k < 3000; k++) {
      const a = address(rnd, k);
      const id = `CS8-${k}`;
      identifiers.push(id);
      cs8.push([
        id,
        a.adresse,
        "Valsocle",
        String(17 + Math.floor(rnd() * 27)),
        String(1 + Math.floor(rnd() ** 2 * 5)),
      ]);
    }
    const jeuCs8 = await createJeu(db, AIX.id, "cs8", "Certificats de santé du 8e jour");
    const r1 = await depositIndividualFile({
      db,
      convention: AIX,
      jeuId: jeuCs8,
      file: writeCp1252("cs8.csv", ["index_enfant", "adresse", "commune", "age_mere", "rang_naissance"], cs8),
      annee: 2015,
      secret,
      geocoder,
      actorId: null,
    });
    expect(r1).toMatchObject({ lignes: 3000, doublons: 0, sansIris: 0 });
    releases.cs8 = await publishRelease({
      db,
      highs: await loadSolver(),
      convention: AIX,
      jeuId: jeuCs8,
      annee: 2015,
      actorId: null,
    });

    const am: string[][] = [];
    for (let k = 0; k < 2500; k++) {
      const a = address(rnd, k);
      const id = `AM${k}`;
      identifiers.push(id);
      am.push([id, a.adresse, "Valsocle", "4", "2", "2", "1", "3"]);
    }
    const jeuAm = await createJeu(db, AIX.id, "assmat", "Assistantes maternelles agréées PMI");
    const r2 = await depositIndividualFile({
      db,
      convention: AIX,
      jeuId: jeuAm,
      file: writeCp1252(
        "assmat.csv",
        [
          "index",
          "adresse",
          "commune",
          "places_accordees",
          "places_moins_3_ans",
          "places_3_ans_et_plus",
          "enfants_moins_3_ans",
          "enfants_3_ans_et_plus",
        ],
        am,
      ),
      annee: 2015,
      secret,
      geocoder,
      actorId: null,
    });
    expect(r2.lignes).toBe(2500);
    releases.assmat = await publishRelease({
      db,
      highs: await loadSolver(),
      convention: AIX,
      jeuId: jeuAm,
      annee: 2015,
      actorId: null,
    });
    for (const r of Object.values(releases)) expect(r.audit.ok).toBe(true);
  }, 240_000);

  it("deposits the three aggregated tables (FSL/FAJ, ASH/PCH, ASE) with the provider's blanks, abroad and unknown rows, and releases them", async () => {
    const communes = ["00001", "00002", "00003", "00004", "00005", "00006", "00007"];
    const rnd = prng(3);
    const files: [string, string, string[]][] = [
      [
        "aides-financieres",
        "Aides FSL FAJ.csv",
        ["beneficiaires_faj", "beneficiaires_fsl", "fsl_depot_garantie", "fsl_impayes"],
      ],
      ["aides-legales", "ASH PCH.csv", ["ash_total", "pch_total", "pch_moins_40_ans", "pch_40_ans_et_plus"]],
      [
        "ase",
        "ASE.csv",
        ["signalements", "aed_aemo", "enfants_confies", "placements_directs", "allocations_mensuelles"],
      ],
    ];
    for (const [annexe, name, cols] of files) {
      const rows: string[][] = [];
      const totals = cols.map(() => 0);
      for (const c of [...communes, "99999", "XXXXX"]) {
        const small = c === "00006" || c === "00007" || c === "99999" || c === "XXXXX";
        const values = cols.map(() => (small ? Math.floor(rnd() * 6) : 20 + Math.floor(rnd() * 300)));
        // Columns the annex declares additive add up (FSL = accès + maintien; PCH = < 40 + ≥ 40 ans).
        const at = (name: string) => cols.indexOf(name);
        for (const [total, a, b] of [
          ["beneficiaires_fsl", "fsl_depot_garantie", "fsl_impayes"],
          ["pch_total", "pch_moins_40_ans", "pch_40_ans_et_plus"],
        ] as const)
          if (at(total) >= 0) values[at(total)] = (values[at(a)] as number) + (values[at(b)] as number);
        rows.push([
          c,
          ...values.map((v, k) => {
            totals[k] = (totals[k] as number) + v;
            // The provider blanks its own small cells.
            return small && v > 0 && v < 5 && rnd() < 0.5 ? "s" : String(v);
          }),
        ]);
      }
      rows.push(["Total", ...totals.map(String)]);
      const jeu = await createJeu(db, AIX.id, annexe, annexe);
      const r = await depositAggregatedFile({
        db,
        convention: AIX,
        jeuId: jeu,
        file: writeCp1252(name, ["territoire", ...cols], rows),
        annee: 2015,
        // The annex's other columns are not in this file: declared absent, not dropped without a word.
        absents: AIX.jeux
          .find((d) => d.id === annexe)!
          .champs.filter((f) => f.type === "entier" && !cols.includes(f.nom))
          .map((f) => f.nom),
        actorId: null,
      });
      expect(r.speciales).toEqual({ etranger: true, inconnue: true, total: true });
      releases[annexe] = await publishRelease({
        db,
        highs: await loadSolver(),
        convention: AIX,
        jeuId: jeu,
        annee: 2015,
        actorId: null,
      });
      const rel = releases[annexe]!;
      // Every column is in one table; columns that add up share theirs.
      const tableOf = (col: string) => rel.tableaux.find((t) => t.cellules.some((c) => c.codes[1] === col));
      for (const col of cols) expect(tableOf(col), col).toBeDefined();
      if (annexe !== "ase") expect(rel.tableaux.length).toBeLessThan(cols.length);
      // Every cell the provider blanked stays secret.
      for (const [k, col] of cols.entries()) {
        const blanked = rows.filter((row) => row[k + 1] === "s").map((row) => row[0]!);
        const t = tableOf(col)!;
        for (const code of blanked)
          expect(
            t.cellules.find((c) => c.codes[0] === code && c.codes[1] === col)?.valeur,
            `${col} ${code}`,
          ).toBeNull();
        expect(t.libelles.territoire?.["99999"]).toBe("Étranger");
      }
    }
  }, 240_000);

  it("exports XLSX, CSV and GeoJSON in which no visible cell counts 1 to 4 people, small IRIS are hidden, and the source is everywhere", async () => {
    const mention =
      "Source : Le Conseil Départemental – Analyse des Besoins Sociaux du CCAS de la Ville d'Aix-en-Provence, données au 31/12/2015, mise à jour le";
    for (const [name, r] of Object.entries(releases)) {
      const aggregated = !["apa", "cs8", "assmat"].includes(name);
      expect(r.mentionSource.startsWith(mention), name).toBe(true);
      // XLSX read back.
      const wb = new ExcelJS.Workbook();
      const xlsx = await releaseXlsx(r, { convention: AIX.titre, jeu: name });
      await wb.xlsx.load(xlsx as unknown as Parameters<typeof wb.xlsx.load>[0]);
      expect(wb.worksheets.at(-1)!.name).toBe("Métadonnées");
      for (const ws of wb.worksheets.slice(0, -1)) {
        const texts: string[] = [];
        ws.eachRow((row, n) => {
          const values = (row.values as unknown[]).slice(1);
          texts.push(values.map(String).join(" "));
          if (n <= 4) return;
          const code = String(values[1] ?? "");
          values.slice(3).forEach((v) => {
            if (typeof v === "number") {
              expect(v === 0 || v >= 5, `${name} ${ws.name} ligne ${n}`).toBe(true);
              expect(smallIris.has(code), `IRIS ${code} sous 100 habitants visible`).toBe(false);
            }
          });
          if (/^\d{9}$/.test(code)) expect(row.getCell(2).type).toBe(ExcelJS.ValueType.String);
        });
        expect(texts[1]).toContain(mention);
        expect(texts.join("\n")).toContain("s : secret statistique");
      }
      // Secret cells are there, and the small IRIS is entirely secret.
      const small = r.tableaux.flatMap((x) => x.cellules.filter((c) => c.codes[0] === SMALL_IRIS));
      expect(small.length > 0 || aggregated).toBe(true);
      expect(small.every((c) => c.valeur === null && c.statut === "Z")).toBe(true);
      // CSV read back: BOM, semicolons, the source on every line.
      const csv = releaseCsv(r);
      expect(csv.startsWith("\ufeff")).toBe(true);
      const lines = csv.slice(1).trim().split("\r\n");
      expect(lines[0]).toBe(
        "tableau;niveau;code_territoire;territoire;code_commune;commune;variable;modalite;valeur;source;champs_absents",
      );
      for (const l of lines.slice(1)) {
        const f = l.split(";");
        const v = f[8]!;
        if (v !== "s") expect(Number(v) === 0 || Number(v) >= 5, l).toBe(true);
        if (v !== "s") expect(smallIris.has(f[2]!)).toBe(false);
        expect(l).toContain(mention);
      }
      // GeoJSON (communes for the aggregated tables).
      const gj = await releaseGeoJson(db, r, 0, aggregated ? "commune" : "iris");
      expect(gj.features.length).toBeGreaterThan(0);
      for (const f of gj.features)
        for (const [k, v] of Object.entries(f.properties ?? {}))
          if (typeof v === "number") expect(v === 0 || v >= 5, `${name} ${k}`).toBe(true);
      expect(gj.source).toContain(mention);
      if (aggregated) continue;
      // GeoPackage: read back as QGIS would, same IRIS, same values, source on every feature.
      const gpkgFile = path.join(dir, `${name}.gpkg`);
      writeFileSync(gpkgFile, await releaseGeoPackage(db, r, 0));
      const layer = await readGeoPackageLayer(gpkgFile, `${name}.gpkg`);
      expect(layer.features.length).toBe(gj.features.length);
      for (const f of layer.features) {
        expect(String(f.properties.source)).toContain(mention);
        for (const [k, v] of Object.entries(f.properties))
          if (k !== "fid" && typeof v === "number") expect(v === 0 || v >= 5, `${name} gpkg ${k}`).toBe(true);
      }
    }
  });

  it("hides small cells: some cells are under primary secrecy by frequency", () => {
    const cells = Object.values(releases).flatMap((r) => r.tableaux.flatMap((x) => x.cellules));
    expect(cells.filter((c) => c.statut === "A").length).toBeGreaterThan(0);
    expect(cells.filter((c) => c.statut === "D").length).toBeGreaterThan(0);
  });

  it("keeps no identifier and no address anywhere in the database or the exports", async () => {
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'adresse_reference'",
    );
    let all = "";
    for (const { table_name } of tables) {
      const rows = await db.query<{ t: string }>(`SELECT t::text AS t FROM "${table_name}" t`);
      all += rows.map((r) => r.t).join("\n");
    }
    const exports = (
      await Promise.all(
        Object.values(releases).map(async (r) => [
          releaseCsv(r),
          JSON.stringify(await releaseGeoJson(db, r)),
          Buffer.from(await releaseXlsx(r, { convention: "c", jeu: "j" })).toString("latin1"),
        ]),
      )
    ).flat();
    const sample = identifiers.filter((_, k) => k % 97 === 0);
    for (const id of sample) {
      expect(all.includes(id), id).toBe(false);
      for (const e of exports) expect(e.includes(id)).toBe(false);
    }
    for (const s of [...STREETS, "rue Inconnue"]) {
      expect(all.includes(s), s).toBe(false);
      for (const e of exports) expect(e.includes(s)).toBe(false);
    }
  });
});
