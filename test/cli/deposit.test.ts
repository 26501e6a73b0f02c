/**
 * `socle deposit` and `socle release` as an operator runs them, on the demo
 * territory: a 2,000-row file with address, postcode and commune in separate
 * columns; the mapping given with --colonnes and remembered for the next
 * file; a field the file lacks asked about (exit code 2, the command ends)
 * until declared absent; a row it cannot read refused with exit code 2 once
 * the address reference is loaded; the rows-without-IRIS report written
 * beside, with no address; the observation date the provider states carried
 * to the release's source, the absent field to its exports; `release --out`
 * creating its folder, and an export that cannot be written leaving no
 * release recorded.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoAddresses } from "../../src/release/demo.js";
import { hashPassword } from "../../src/server/passwords.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { seedDemo } from "../../src/store/demo.js";
import { migrate } from "../../src/store/migrate.js";
import { openPglite } from "../../src/store/pglite.js";
import { demoSplitAddressFile } from "../helpers/demo-file.js";
import { PROJECT_ROOT } from "../helpers/fixtures.js";

const CLI = ["--import", "tsx", path.join(PROJECT_ROOT, "src/cli/main.ts")];
const dir = mkdtempSync(path.join(tmpdir(), "socle-cli-depot-"));
const dataDir = path.join(dir, "data");
const env: NodeJS.ProcessEnv = { ...process.env, SOCLE_DATA_DIR: dataDir, SOCLE_LOG_LEVEL: "warn" };
delete env.SOCLE_DATABASE_URL;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI, ...args], { cwd: PROJECT_ROOT, env });
    // A command that does not end is a failure: it is killed and reports no exit code.
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The demo file with its commune column named so that no proposal finds it. */
function file(
  name: string,
  offset: number,
): { file: string; truth: Map<number, string | null>; words: string[] } {
  const d = demoSplitAddressFile(2000, offset);
  const f = path.join(dir, name);
  writeFileSync(f, d.text.replace("Code postal;Ville;", "Code postal;Localisation;"));
  return { file: f, truth: d.truth, words: d.words };
}

const DEPOSIT = [
  "deposit",
  "--convention",
  "demo-abs-valsocle",
  "--dataset",
  "allocataires",
  "--annee",
  "2025",
  // The demo already holds 2025 data: these files add to it.
  "--mode",
  "complement",
];

async function irisByLine(): Promise<Map<string, Map<number, string | null>>> {
  const db = await openPglite(path.join(dataDir, "pglite"));
  const rows = await db.query<{ depot_id: string; ligne: number; code_iris: string | null }>(
    "SELECT depot_id, ligne, code_iris FROM microdonnee WHERE depot_id IS NOT NULL",
  );
  await db.close();
  const out = new Map<string, Map<number, string | null>>();
  for (const r of rows) {
    if (!out.has(r.depot_id)) out.set(r.depot_id, new Map());
    out.get(r.depot_id)!.set(r.ligne, r.code_iris);
  }
  return out;
}

beforeAll(async () => {
  const db = await openPglite(path.join(dataDir, "pglite"));
  await migrate(db);
  await ensureCog(db);
  await seedDemo(db, hashPassword);
  await seedDemoAddresses(db);
  await db.close();
}, 180_000);

describe("socle deposit with the address in several columns", () => {
  const first = file("allocataires-2025.csv", 0);

  it("asks about a field the file lacks, exits with code 2 and echoes no address", async () => {
    const r = await run([...DEPOSIT, "--colonnes", "adresse.commune=Localisation", first.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "Quelle colonne du fichier contient « code commune » (champ code_commune de l'annexe « Allocataires CAF par IRIS (démo) »)",
    );
    for (const w of first.words) expect(r.stdout + r.stderr).not.toContain(w);
    const bad = await run([...DEPOSIT, "--colonnes", "adresse.ville=Localisation", first.file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("« adresse.ville » n'est ni un champ de l'annexe");
    const date = await run([...DEPOSIT, "--date-observation", "31/02/2025", first.file]);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain("--date-observation : date JJ/MM/AAAA attendue.");
  }, 180_000);

  it("exits with code 2 on a row it cannot read once the address reference is loaded, naming line and column", async () => {
    const broken = file("allocataires-2025-illisible.csv", 7000);
    const lines = readFileSync(broken.file, "utf8").split("\r\n");
    lines[3] = lines[3]!.replace(/;[FM];/, ";Z;");
    writeFileSync(broken.file, lines.join("\r\n"));
    const r = await run([
      ...DEPOSIT,
      "--colonnes",
      "adresse.commune=Localisation",
      "--absents",
      "code_commune",
      broken.file,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ligne 4, colonne « Sexe »");
    for (const w of broken.words) expect(r.stdout + r.stderr).not.toContain(w);
    expect((await irisByLine()).size).toBe(0);
  }, 180_000);

  it("geocodes every row whose address exists, writes the rows without IRIS (no address), remembers the mapping", async () => {
    const report = path.join(dir, "rapport.csv");
    const r = await run([
      ...DEPOSIT,
      "--colonnes",
      "adresse.commune=Localisation",
      "--absents",
      "code_commune",
      "--rapport",
      report,
      // The CAF's extraction is of 30 September, updated mid-October.
      "--date-observation",
      "30/09/2025",
      "--mise-a-jour",
      "15/10/2025",
      first.file,
    ]);
    expect(r.stderr).not.toContain("Erreur");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Dépôt enregistré : 2000 lignes, 0 doublon(s) écarté(s), 20 ligne(s) sans IRIS.",
    );
    expect(r.stdout).toContain("Champs déclarés absents de ce dépôt : code_commune.");
    const lines = readFileSync(report, "utf8").trim().split(/\r?\n/);
    expect(lines).toHaveLength(21);
    expect(lines.slice(1).map((l) => Number(l.split(";")[0]))).toEqual(
      [...first.truth].filter(([, i]) => i === null).map(([l]) => l),
    );
    for (const w of [...first.words, "Valsocle", "VALSOCLE"]) expect(lines.join("\n")).not.toContain(w);

    // The next file needs neither --colonnes nor --absents: both were remembered.
    const second = file("allocataires-2025-complement.csv", 5000);
    const again = await run([...DEPOSIT, second.file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      "Dépôt enregistré : 2000 lignes, 0 doublon(s) écarté(s), 20 ligne(s) sans IRIS.",
    );
    // The default report goes beside the file.
    expect(existsSync(path.join(dir, "allocataires-2025-complement-sans-iris.csv"))).toBe(true);

    const byDepot = [...(await irisByLine()).values()];
    expect(byDepot).toHaveLength(2);
    for (const got of byDepot) {
      expect(got.size).toBe(2000);
      for (const [ligne, iris] of got) expect(iris).toBe(first.truth.get(ligne));
    }
  }, 300_000);

  it("creates the --out folder of a release, and records no release whose exports cannot be written", async () => {
    const blocked = path.join(dir, "bloque");
    mkdirSync(path.join(blocked, "diffusion-allocataires-2025.csv"), { recursive: true });
    const failed = await run([...releaseArgs(), "--out", blocked]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("diffusion annulée, aucune diffusion n'est enregistrée");
    expect(await releases()).toBe(0);
    expect(readdirSync(blocked)).toEqual(["diffusion-allocataires-2025.csv"]);

    const out = path.join(dir, "exports", "2025");
    const ok = await run([...releaseArgs(), "--out", out]);
    expect(ok.stderr).not.toContain("Erreur");
    expect(ok.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      ["-lambert93.gpkg", ".csv", ".geojson", ".gpkg", ".xlsx"].map((e) => `diffusion-allocataires-2025${e}`),
    );
    expect(await releases()).toBe(1);
    // The source says the date the CAF stated; the field declared absent is in the exports.
    expect(ok.stdout).toContain("Source : CAF fictive du Val de Socle (démo), données au 30/09/2025");
    const csv = readFileSync(path.join(out, "diffusion-allocataires-2025.csv"), "utf8").split("\r\n");
    expect(csv[0]).toMatch(/;source;champs_absents$/);
    expect(csv[1]).toMatch(/;code commune \(code_commune\)$/);
    const gj = JSON.parse(readFileSync(path.join(out, "diffusion-allocataires-2025.geojson"), "utf8"));
    expect(gj).toMatchObject({
      dateObservation: "2025-09-30",
      champsAbsents: [{ nom: "code_commune", libelle: "code commune" }],
    });
  }, 300_000);
});

function releaseArgs(): string[] {
  return [
    "release",
    "--convention",
    "demo-abs-valsocle",
    "--dataset",
    "allocataires",
    "--annee",
    "2025",
    "--par",
    "etudes@demo.socle.example",
  ];
}

async function releases(): Promise<number> {
  const db = await openPglite(path.join(dataDir, "pglite"));
  const [r] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM diffusion");
  await db.close();
  return r!.n;
}
