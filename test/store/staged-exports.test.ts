/**
 * Exports `socle release --out` staged and did not move into place (the
 * process was killed between the release's commit and the renames) are
 * settled by whoever opens the store next: moved into --out when the
 * release committed, removed when it did not, left alone while the
 * process that stages them still runs.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganisation } from "../../src/store/accounts.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import { DEMO_CONVENTION } from "../../src/store/demo.js";
import {
  recordStagedExports,
  recoverFileArea,
  STAGING_PREFIX,
  settleStagedExports,
} from "../../src/store/file-recovery.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";

describe.each(ENGINES)("exports staged by a killed release (%s)", (engine) => {
  let t: TestDb;
  let jeuId = "";
  const dir = mkdtempSync(path.join(tmpdir(), "socle-staged-"));
  const files = { root: path.join(dir, "fichiers") };
  const out = path.join(dir, "exports");
  let sleeper: ChildProcess | undefined;
  /** The id of a process that has ended: its staging is nobody's any more. */
  const deadPid = spawnSync(process.execPath, ["-e", ""]).pid!;

  beforeAll(async () => {
    t = await freshDb(engine);
    const orgs: Record<string, string> = {};
    for (const p of DEMO_CONVENTION.parties)
      orgs[p.id] = await createOrganisation(t.db, { nom: `${p.nom} (exports)`, kind: "AUTRE" });
    await createConvention(t.db, DEMO_CONVENTION, orgs);
    jeuId = await createJeu(t.db, DEMO_CONVENTION.id, "allocataires", "Allocataires");
    mkdirSync(out, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    sleeper?.kill("SIGKILL");
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A release row (committed) or only an id (the transaction never committed). */
  async function release(committed: boolean): Promise<string> {
    const id = randomUUID();
    if (committed)
      await t.db.query(
        `INSERT INTO diffusion (id, convention_id, jeu_id, annee, zonage, mention_source, tableaux, audit)
         VALUES ($1, $2, $3, 2025, 'iris', 'Source : test', '[]', '{}')`,
        [id, DEMO_CONVENTION.id, jeuId],
      );
    return id;
  }

  /** What `socle release --out` leaves when killed after writing its exports to the staging folder. */
  async function stage(id: string, pid: number, name: string): Promise<string> {
    const staging = path.join(out, `${STAGING_PREFIX}${id}`);
    await recordStagedExports(files, { diffusion: id, staging, out, pid });
    mkdirSync(staging);
    for (const ext of [".csv", ".xlsx"]) writeFileSync(path.join(staging, `${name}${ext}`), `${name}${ext}`);
    return staging;
  }

  it("moves the exports of a committed release into place, and removes those of one that never committed", async () => {
    const kept = await stage(await release(true), deadPid, "diffusion-allocataires-2025");
    const lost = await stage(await release(false), deadPid, "diffusion-perdue-2025");
    expect(await settleStagedExports(t.db, files)).toEqual({ finalises: 1, annules: 1 });
    expect(existsSync(kept)).toBe(false);
    expect(existsSync(lost)).toBe(false);
    expect(readdirSync(out).sort()).toEqual([
      "diffusion-allocataires-2025.csv",
      "diffusion-allocataires-2025.xlsx",
    ]);
    expect(readFileSync(path.join(out, "diffusion-allocataires-2025.csv"), "utf8")).toBe(
      "diffusion-allocataires-2025.csv",
    );
    // Settled once: nothing is left to settle at the next start-up.
    expect(readdirSync(path.join(files.root, "exports-en-cours"))).toEqual([]);
    expect(await settleStagedExports(t.db, files)).toEqual({ finalises: 0, annules: 0 });
  });

  it("leaves alone the staging of a release whose process still runs", async () => {
    sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    const staging = await stage(await release(false), sleeper.pid!, "diffusion-en-cours-2025");
    expect(await settleStagedExports(t.db, files)).toEqual({ finalises: 0, annules: 0 });
    expect(readdirSync(staging).sort()).toEqual([
      "diffusion-en-cours-2025.csv",
      "diffusion-en-cours-2025.xlsx",
    ]);
    // Once that process is gone, the next start-up settles it.
    await new Promise((resolve) => {
      sleeper!.once("exit", resolve);
      sleeper!.kill("SIGKILL");
    });
    expect(await settleStagedExports(t.db, files)).toEqual({ finalises: 0, annules: 1 });
    expect(existsSync(staging)).toBe(false);
  });

  it("is part of the server's start-up recovery", async () => {
    const id = await release(true);
    const staging = await stage(id, deadPid, "diffusion-serveur-2025");
    expect(await recoverFileArea(t.db, files)).toMatchObject({ exportsFinalises: 1, exportsAnnules: 0 });
    expect(existsSync(staging)).toBe(false);
    expect(readdirSync(out)).toContain("diffusion-serveur-2025.csv");
  });

  it("never removes a folder the marker names outside its --out folder", async () => {
    const id = await release(false);
    const elsewhere = path.join(dir, "autre-dossier");
    mkdirSync(elsewhere);
    writeFileSync(path.join(elsewhere, "garder.txt"), "à garder");
    await recordStagedExports(files, { diffusion: id, staging: elsewhere, out, pid: deadPid });
    expect(await settleStagedExports(t.db, files)).toEqual({ finalises: 0, annules: 0 });
    expect(readFileSync(path.join(elsewhere, "garder.txt"), "utf8")).toBe("à garder");
    expect(readdirSync(path.join(files.root, "exports-en-cours"))).toEqual([]);
  });
});
