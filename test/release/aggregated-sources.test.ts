/**
 * Aggregated tables as the reference conventions' providers send them, on
 * the real COG: the Aix aides légales with columns that add up and the
 * département row; Rouen's socle with the Métropole's own row and rates;
 * Béthune's CAF file with 100 communes by code, the CA by its SIREN, six
 * RPE rows, blanks under 5 and an XXXXX row, 2017–2021. An attacker who
 * holds every published table and every membership recomputes no blank.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { AIX, BETHUNE, ROUEN } from "../../src/core/convention/reference.js";
import type { ReleasedTable } from "../../src/core/release/release.js";
import { type Highs, loadSolver } from "../../src/core/secrecy/solver.js";
import { depositAggregatedFile } from "../../src/ingest/aggregated-deposit.js";
import { earlierReleases } from "../../src/release/history-model.js";
import { publishRelease, type Release } from "../../src/release/publish.js";
import { auditAggregatedVintage } from "../../src/release/publish-aggregated.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu, getJeu } from "../../src/store/datasets.js";
import type { Db } from "../../src/store/db.js";
import { createZone } from "../../src/store/zones.js";
import { freshDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
let db: Db;
let dir: string;
let highs: Highs;
const orgs = new Map<string, Record<string, string>>();

async function register(c: Convention) {
  const ids: Record<string, string> = {};
  for (const p of c.parties) ids[p.id] = await createOrganisation(db, { nom: p.nom, kind: "AUTRE" });
  await createConvention(db, c, ids);
  orgs.set(c.id, ids);
}

function csv(name: string, header: string[], rows: (string | number)[][]): string {
  const file = path.join(dir, name);
  writeFileSync(file, [header, ...rows].map((r) => r.join(";")).join("\n"));
  return file;
}

/**
 * An independent LP attacker: the interval of each unknown (≥ 0) under the
 * equations Σ unknowns = rhs.
 */
function attackerBounds(
  highs: Highs,
  n: number,
  rows: readonly { idx: readonly number[]; rhs: number }[],
): [number, number][] {
  const starts = [0];
  const indices: number[] = [];
  for (const g of rows) {
    indices.push(...[...g.idx].sort((a, b) => a - b));
    starts.push(indices.length);
  }
  return Array.from({ length: n }, (_, j) => {
    const [lo, up] = [1, -1].map((sense) => {
      const cost = new Float64Array(n);
      cost[j] = sense;
      const m = highs.createModel({
        numCols: n,
        numRows: rows.length,
        colCost: cost,
        colLower: new Float64Array(n),
        colUpper: new Float64Array(n).fill(highs.infinity),
        rowLower: rows.map((g) => g.rhs),
        rowUpper: rows.map((g) => g.rhs),
        matrix: {
          format: "csr",
          numRows: rows.length,
          numCols: n,
          starts,
          indices,
          values: new Float64Array(indices.length).fill(1),
        },
      });
      m.options.set({ output_flag: false });
      m.run();
      const ok = m.getModelStatus() === highs.constants.modelStatus.optimal;
      const x = ok ? (m.getSolution().colValue[j] as number) : sense === 1 ? 0 : Number.POSITIVE_INFINITY;
      m.dispose();
      return x;
    });
    return [lo as number, up as number];
  });
}

const cell = (tab: ReleasedTable, territory: string, column?: string) =>
  tab.cellules.find((c) => c.codes[0] === territory && (column === undefined || c.codes[1] === column));

beforeAll(async () => {
  t = await freshDb("pglite");
  db = t.db;
  highs = await loadSolver();
  dir = mkdtempSync(path.join(tmpdir(), "socle-agrege-"));
  await ensureCog(db);
  for (const c of [AIX, ROUEN, BETHUNE]) await register(c);
}, 120_000);

afterAll(async () => {
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("aggregated tables as the providers send them", () => {
  it("Aix aides légales: ASH 40/37/3 and PCH 120 with 2 under 40 are one table each; 3 and 2 never come back by subtraction; the département row is the département", async () => {
    const jeu = await createJeu(db, AIX.id, "aides-legales", "Aides légales PA/PH");
    const header = [
      "territoire",
      "ash_total",
      "ash_hommes",
      "ash_femmes",
      "pch_total",
      "pch_hommes",
      "pch_femmes",
      "pch_moins_40_ans",
      "pch_40_ans_et_plus",
    ];
    await depositAggregatedFile({
      db,
      convention: AIX,
      jeuId: jeu,
      file: csv("aides-legales.csv", header, [
        ["13001", 40, 37, 3, 120, 50, 70, 2, 118],
        ["Bouches-du-Rhône", 900, 610, 290, 2400, 1100, 1300, 310, 2090],
      ]),
      annee: 2015,
      actorId: null,
    });
    const r = await publishRelease({ db, highs, convention: AIX, jeuId: jeu, annee: 2015, actorId: null });
    const ash = r.tableaux.find((x) => x.nom.startsWith("Ash total"))!;
    const pch = r.tableaux.find((x) => x.nom.startsWith("Pch total"))!;
    expect(ash && pch).toBeTruthy();
    // The small cells are secret, and so is at least one other cell of each sum they are in.
    expect(cell(ash, "13001", "ash_femmes")?.valeur).toBeNull();
    expect(
      cell(ash, "13001", "ash_total")?.valeur === null || cell(ash, "13001", "ash_hommes")?.valeur === null,
    ).toBe(true);
    expect(cell(pch, "13001", "pch_moins_40_ans")?.valeur).toBeNull();
    expect(
      cell(pch, "13001", "pch_total")?.valeur === null ||
        cell(pch, "13001", "pch_40_ans_et_plus")?.valeur === null,
    ).toBe(true);
    // The rest of the département is « autres communes »: the attacker could get Aix from it by difference.
    const published = (tab: ReleasedTable, col: string) => cell(tab, "D13", col)?.valeur;
    if (published(ash, "ash_femmes") !== null && published(ash, "ash_femmes") !== undefined)
      expect(cell(ash, "13001", "ash_femmes")?.valeur).toBeNull();
    // The département row is published as the département, with its own figures.
    expect(ash.libelles.territoire?.D13).toBe("Bouches-du-Rhône");
    expect([900, null]).toContain(cell(ash, "D13", "ash_total")?.valeur);
    expect(cell(pch, "D13", "pch_total")?.valeur).toBe(2400);
    // No « autres communes » and no crossing of columns leave Socle.
    for (const tab of r.tableaux)
      for (const c of tab.cellules)
        expect(c.codes.some((x) => x.startsWith("R:") || x.startsWith("x:"))).toBe(false);
  }, 120_000);

  it("Rouen's socle publishes the Métropole's own figures and rates only where their count is published", async () => {
    const jeu = await createJeu(db, ROUEN.id, "socle-caf", "Socle CAF");
    const header = [
      "territoire",
      "allocataires",
      "population_couverte",
      "taux_couverture",
      "familles_nombreuses",
      "aides_logement",
      "allocations_familiales",
      "minima_sociaux",
      "taux_dependance",
      "bas_revenus",
    ];
    await depositAggregatedFile({
      db,
      convention: ROUEN,
      jeuId: jeu,
      file: csv("socle.csv", header, [
        ["76540", 27688, 61200, "55,3 %", 2100, 15400, 9800, 7900, "21,4", 9100],
        ["Métropole Rouen Normandie", 97600, 231000, "47,1", 8800, 44100, 37800, 21900, "17,9", 25600],
      ]),
      annee: 2024,
      // The socle's detail columns (monoparentales, RSA, AAH, dépendance) are not in this file.
      absents: ["familles_monoparentales", "rsa", "aah", "dependance_50", "dependance_100"],
      actorId: null,
    });
    const r = await publishRelease({ db, highs, convention: ROUEN, jeuId: jeu, annee: 2024, actorId: null });
    const alloc = r.tableaux.find((x) => x.nom === "Allocataires")!;
    expect(cell(alloc, "E200023414")?.valeur).toBe(97600);
    expect(cell(alloc, "76540")?.valeur).toBe(27688);
    const taux = r.tableaux.find((x) => x.nom === "Taux couverture")!;
    expect(cell(taux, "76540")?.valeur).toBe(55.3);
    expect(cell(taux, "E200023414")?.valeur).toBe(47.1);
  }, 120_000);

  it("Béthune's CAF file (100 communes by code, the CA by SIREN, 6 RPE, blanks under 5, XXXXX, 2017–2021) is released by commune, CA and RPE, and no blank is recomputable", async () => {
    const communes = (
      await db.query<{ code: string }>(
        "SELECT code FROM commune WHERE epci_code = '200072460' AND kind = 'commune' ORDER BY code",
      )
    ).map((c) => c.code);
    expect(communes).toHaveLength(100);
    const caf = orgs.get(BETHUNE.id)!.caf62!;
    const rpe = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((k) =>
        createZone(db, {
          organisationId: caf,
          nom: `RPE ${k + 1}`,
          kind: "communes",
          membres: communes.filter((_, i) => i % 6 === k),
        }),
      ),
    );
    const members = new Map(rpe.map((id, k) => [`Z${id}`, communes.filter((_, i) => i % 6 === k)]));
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
      const values = communes.map(() =>
        rnd() < 0.25 ? 1 + Math.floor(rnd() * 4) : 5 + Math.floor(rnd() * 60),
      );
      const blank = (v: number) => (v < 5 ? "" : v);
      communes.forEach((c, i) => {
        const v = values[i]!;
        rows.push([c, y, blank(v), blank(Math.max(0, v - 1)), v < 5 ? "" : "93,5", blank(Math.floor(v / 3))]);
      });
      const sum = (f: (v: number) => number, list = values) => list.reduce((s, v) => s + f(v), 0);
      rows.push([
        "200072460",
        y,
        sum((v) => v),
        sum((v) => Math.max(0, v - 1)),
        "92,1",
        sum((v) => Math.floor(v / 3)),
      ]);
      [0, 1, 2, 3, 4, 5].forEach((k) => {
        const part = values.filter((_, i) => i % 6 === k);
        rows.push([
          `RPE ${k + 1}`,
          y,
          sum((v) => v, part),
          sum((v) => Math.max(0, v - 1), part),
          "91",
          sum((v) => Math.floor(v / 3), part),
        ]);
      });
      rows.push(["XXXXX", y, 7, 6, "", 2]);
    }
    const jeu = await createJeu(db, BETHUNE.id, "assmat-caf", "Assistants maternels");
    const releases2021: Release[] = [];
    const dep = await depositAggregatedFile({
      db,
      convention: BETHUNE,
      jeuId: jeu,
      file: csv("bethune.csv", header, rows),
      absents: [
        "enfants_moins_3_ans",
        "enfants_moins_3_ans_cmg",
        "enfants_moins_6_ans_aeeh",
        "taux_activite_femmes_enfant_moins_3_ans",
      ],
      annee: 2021,
      actorId: null,
    });
    expect(dep.annees).toEqual([2017, 2018, 2019, 2020, 2021]);
    for (const annee of [2017, 2021]) {
      const r = await publishRelease({ db, highs, convention: BETHUNE, jeuId: jeu, annee, actorId: null });
      const actifs = r.tableaux.find((x) => x.nom === "Am actifs annee")!;
      // The CA and the RPE are published as given (or secret), never replaced by a sum.
      expect(actifs.libelles.territoire?.E200072460).toBeDefined();
      for (const id of rpe) expect(actifs.libelles.territoire?.[`Z${id}`]).toMatch(/^RPE /);
      // An independent attacker: every published commune, RPE and CA value, every membership.
      const secretCommunes = communes.filter((c) => cell(actifs, c)?.valeur === null);
      expect(secretCommunes.length).toBeGreaterThan(0);
      const groups: { members: string[]; value: number }[] = [];
      const ca = cell(actifs, "E200072460")?.valeur;
      if (typeof ca === "number") groups.push({ members: communes, value: ca });
      for (const [z, m] of members) {
        const v = cell(actifs, z)?.valeur;
        if (typeof v === "number") groups.push({ members: m, value: v });
      }
      const known = new Map(communes.map((c) => [c, cell(actifs, c)?.valeur ?? null]));
      const vars = secretCommunes;
      const rowsLp = groups
        .map((g) => ({
          idx: g.members.filter((m) => known.get(m) === null).map((m) => vars.indexOf(m)),
          rhs: g.value - g.members.reduce((s, m) => s + (known.get(m) ?? 0), 0),
        }))
        .filter((g) => g.idx.length > 0);
      const bounds = attackerBounds(highs, vars.length, rowsLp);
      vars.forEach((c, j) => {
        expect(bounds[j]![1] - bounds[j]![0], `commune ${c} en ${annee}`).toBeGreaterThanOrEqual(1);
      });
      // Rates follow their count: no rate where the count is secret.
      const taux = r.tableaux.find((x) => x.nom === "Taux activite")!;
      for (const c of secretCommunes) expect(cell(taux, c)?.valeur ?? null).toBeNull();
      releases2021.push(r);
    }
    // The CAF corrects 2021: two allocataires more in one published commune, one
    // more in a blanked one; the CA and their RPE follow.
    const first = releases2021.find((r) => r.annee === 2021)!;
    const actifs1 = first.tableaux.find((x) => x.nom === "Am actifs annee")!;
    const published1 = communes.find((c) => (cell(actifs1, c)?.valeur ?? 0) >= 20)!;
    const blanked1 = communes.find((c) => cell(actifs1, c)?.valeur === null)!;
    const corrected = rows
      .filter((row) => row[1] === 2021)
      .map((row) => {
        const code = String(row[0]);
        const k = communes.indexOf(code);
        const bump = code === published1 ? 2 : code === blanked1 ? 1 : 0;
        const inRpe = (z: number) =>
          (communes.indexOf(published1) % 6 === z ? 2 : 0) + (communes.indexOf(blanked1) % 6 === z ? 1 : 0);
        if (k >= 0 && bump > 0 && row[2] !== "")
          return [row[0]!, row[1]!, Number(row[2]) + bump, ...row.slice(3)];
        if (code === "200072460") return [row[0]!, row[1]!, Number(row[2]) + 3, ...row.slice(3)];
        const rpe = /^RPE (\d)$/.exec(code);
        if (rpe) return [row[0]!, row[1]!, Number(row[2]) + inRpe(Number(rpe[1]) - 1), ...row.slice(3)];
        return row;
      });
    await depositAggregatedFile({
      db,
      convention: BETHUNE,
      jeuId: jeu,
      file: csv("bethune-2021-corrige.csv", header, corrected),
      absents: [
        "enfants_moins_3_ans",
        "enfants_moins_3_ans_cmg",
        "enfants_moins_6_ans_aeeh",
        "taux_activite_femmes_enfant_moins_3_ans",
      ],
      annee: 2021,
      actorId: null,
    });
    const second = await publishRelease({
      db,
      highs,
      convention: BETHUNE,
      jeuId: jeu,
      annee: 2021,
      actorId: null,
    });
    const actifs2 = second.tableaux.find((x) => x.nom === "Am actifs annee")!;
    // No territory published by both releases differs by 1 to 4.
    for (const c of actifs2.cellules) {
      const before = cell(actifs1, c.codes[0]!, c.codes[1])?.valeur;
      if (c.valeur !== null && typeof before === "number") {
        const d = Math.abs(c.valeur - before);
        expect(d === 0 || d >= 5, `${c.codes.join("×")} : ${before} puis ${c.valeur}`).toBe(true);
      }
    }
    // The attacker of both releases, who even knows which communes did not change:
    // no blank of either release is recomputable.
    const secret1 = communes.filter((c) => cell(actifs1, c)?.valeur === null);
    const secret2 = communes.filter((c) => cell(actifs2, c)?.valeur === null);
    const changed = new Set([published1, blanked1]);
    const vars2: string[] = [...secret1.map((c) => `1:${c}`), ...secret2.map((c) => `2:${c}`)];
    const v = (version: 1 | 2, c: string) => vars2.indexOf(`${version}:${c}`);
    const equations: { idx: number[]; rhs: number }[] = [];
    for (const [version, tab, secretList] of [
      [1, actifs1, secret1],
      [2, actifs2, secret2],
    ] as const) {
      const known = (c: string) => cell(tab, c)?.valeur ?? null;
      const uppers: [string, string[]][] = [
        ["E200072460", communes],
        ...[...members].map(([z, m]) => [z, m] as [string, string[]]),
      ];
      for (const [code, m] of uppers) {
        const value = cell(tab, code)?.valeur;
        if (typeof value !== "number") continue;
        const idx = m.filter((c) => secretList.includes(c)).map((c) => v(version, c));
        if (idx.length > 0) equations.push({ idx, rhs: value - m.reduce((s, c) => s + (known(c) ?? 0), 0) });
      }
    }
    // x1 − x2 = 0 for unchanged communes secret in both: two rows x1 + y = t, x2 + y = t with a free y would
    // need another variable; express it directly as a difference by substitution below.
    const linked = secret1.filter((c) => secret2.includes(c) && !changed.has(c));
    const merged = vars2.map((name) => {
      const [ver, c] = name.split(":") as [string, string];
      return ver === "2" && linked.includes(c) ? `1:${c}` : name;
    });
    const uniq = [...new Set(merged)];
    const eqs = equations.map((e) => ({
      idx: [...new Set(e.idx.map((i) => uniq.indexOf(merged[i]!)))],
      rhs: e.rhs,
    }));
    const bounds = attackerBounds(highs, uniq.length, eqs);
    uniq.forEach((name, j) => {
      expect(bounds[j]![1] - bounds[j]![0], name).toBeGreaterThanOrEqual(1);
    });

    // The history audit (`socle secret audit-history`) re-attacks both
    // releases, each on its own version of the file, and finds nothing…
    const annexe = (await getJeu(db, jeu)).annexe;
    const bethune = BETHUNE.jeux.find((d) => d.id === annexe)!;
    const releases = await earlierReleases(db, jeu, 2021);
    expect(releases).toHaveLength(2);
    const audited = await auditAggregatedVintage(
      { db, highs, convention: BETHUNE, jeuId: jeu, annee: 2021 },
      bethune,
      releases,
    );
    expect(audited?.versions).toBe(2);
    expect(audited?.suppressedCells).toBeGreaterThan(0);
    expect(audited?.findings).toEqual([]);
    // …but it would, had the second release published its secondary
    // cells: the register is attacked as it stands, not trusted.
    const forged = releases.map((r, k) =>
      k === 0
        ? r
        : {
            ...r,
            tableaux: r.tableaux.map((t) => ({
              ...t,
              cellules: t.cellules.map((c) => (c.statut === "D" ? { ...c, statut: "V" as const } : c)),
            })),
          },
    );
    const caught = await auditAggregatedVintage(
      { db, highs, convention: BETHUNE, jeuId: jeu, annee: 2021 },
      bethune,
      forged,
    );
    expect(caught?.findings.length).toBeGreaterThan(0);
    expect(caught?.findings[0]).toMatch(/^« .+ » : La cellule /);
  }, 240_000);
});
