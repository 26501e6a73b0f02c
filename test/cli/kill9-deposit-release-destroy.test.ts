/**
 * kill -9 during a deposit (`socle deposit`), a release (`socle release
 * --out`) and a destruction (the server's destruction route), on the demo
 * territory, on PGlite (and on PostgreSQL when SOCLE_TEST_DATABASE_URL is
 * set): killed from the first progress line on, then restarted, each is
 * all or nothing — a deposit has all its rows or none, a release is
 * recorded with all its exports or not at all, a destruction is complete
 * (attested, verified) or not started (every row and stored file back,
 * and it can run again) — and no file holding a raw identifier or an
 * address is left in SOCLE_DATA_DIR or in the processes' temp folder.
 */

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoAddresses } from "../../src/release/demo.js";
import { hashPassword } from "../../src/server/passwords.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { verifyDestruction } from "../../src/store/datasets.js";
import { seedDemo } from "../../src/store/demo.js";
import { recordStagedExports, STAGING_PREFIX } from "../../src/store/file-recovery.js";
import { putFile } from "../../src/store/files.js";
import { openStore } from "../../src/store/open.js";
import { ENGINES, type Engine, POSTGRES_URL } from "../helpers/db.js";
import { demoSplitAddressFile } from "../helpers/demo-file.js";
import { Client } from "../helpers/server.js";
import { type KillAt, SocleProcesses } from "../helpers/socle-process.js";

// Enough rows that the deposit's single transaction still runs for a second or more after its
// first progress line (so the kills at 400 and 1,500 ms land in it), few enough to be cheap.
const ROWS = 12_000;
/** In every identifier of the deposited file, and in the planted study file: never in a stored file. */
const MARK = "KNEUF";
const UNKNOWN_STREET = "Rue Imaginaire des Songes";
const EXPORTS = [".xlsx", ".csv", ".geojson", ".gpkg", "-lambert93.gpkg"].map(
  (e) => `diffusion-allocataires-2025${e}`,
);

describe.each(ENGINES)("kill -9 during a deposit, a release and a destruction (%s)", (engine: Engine) => {
  const dir = mkdtempSync(path.join(tmpdir(), "socle-kill9-data-"));
  const dataDir = path.join(dir, "data");
  const childTmp = path.join(dir, "tmp");
  const out = path.join(dir, "exports");
  const csv = path.join(dir, "allocataires-kill9.csv");
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  const env = (): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      SOCLE_DATA_DIR: dataDir,
      SOCLE_LOG_LEVEL: "warn",
      TMPDIR: childTmp,
    };
    delete e.SOCLE_DATABASE_URL;
    if (databaseUrl) e.SOCLE_DATABASE_URL = databaseUrl;
    return e;
  };
  const open = () => openStore({ dataDir, databaseUrl });

  const procs = new SocleProcesses(env);
  const socle = (args: string[], kill?: KillAt) => procs.run(args, kill);
  const serve = () => procs.serve();
  const stopServer = (signal: NodeJS.Signals) => procs.stopServer(signal);

  /** Files under a folder holding a raw identifier or an address of the deposited file. */
  function personalFiles(root: string): string[] {
    if (!existsSync(root)) return [];
    const found: string[] = [];
    for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const full = path.join(e.parentPath, e.name);
      const data = readFileSync(full);
      if (data.includes(MARK) || data.includes(UNKNOWN_STREET)) found.push(path.relative(dir, full));
    }
    return found;
  }

  function expectNoPersonalFile(): void {
    expect(personalFiles(dataDir)).toEqual([]);
    expect(personalFiles(childTmp)).toEqual([]);
    const uploads = path.join(dataDir, "televersements");
    if (existsSync(uploads)) expect(readdirSync(uploads, { recursive: true })).toEqual([]);
  }

  async function depositState(): Promise<{ depots: number; rows: number }> {
    const db = await open();
    try {
      const [r] = await db.query<{ depots: number; rows: number }>(
        `SELECT count(DISTINCT d.id)::int AS depots, count(m.ligne)::int AS rows
         FROM depot d LEFT JOIN microdonnee m ON m.depot_id = d.id WHERE d.nom_fichier = $1`,
        [path.basename(csv)],
      );
      return r!;
    } finally {
      await db.close();
    }
  }

  let jeuId = "";
  /** The demo dataset the deposit opened. */
  async function findJeu(): Promise<string> {
    const db = await open();
    try {
      const [j] = await db.query<{ id: string }>(
        "SELECT id FROM jeu_donnees WHERE convention_id = 'demo-abs-valsocle' AND annexe = 'allocataires' AND statut <> 'detruit'",
      );
      return j!.id;
    } finally {
      await db.close();
    }
  }
  beforeAll(async () => {
    mkdirSync(childTmp, { recursive: true });
    if (engine === "postgres") {
      dbName = `socle_kill9_${randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      const url = new URL(POSTGRES_URL!);
      url.pathname = `/${dbName}`;
      databaseUrl = url.toString();
    }
    const db = await open();
    await ensureCog(db);
    await seedDemo(db, hashPassword);
    await seedDemoAddresses(db);
    await db.close();
    // The demo file, every identifier marked; one address in a hundred names a street no reference has.
    const d = demoSplitAddressFile(ROWS, 0);
    writeFileSync(csv, d.text.replace(/^D(\d+);/gm, `${MARK}$1Z;`));
  }, 300_000);

  afterAll(async () => {
    procs.killAll();
    rmSync(dir, { recursive: true, force: true });
    if (dbName) {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  });

  const DEPOSIT = [
    "deposit",
    "--convention",
    "demo-abs-valsocle",
    "--dataset",
    "allocataires",
    "--annee",
    "2025",
    "--mode",
    "complement",
    "--absents",
    "code_commune",
  ];

  it("a deposit killed at any moment has all its rows or none, and leaves no raw file", async () => {
    const exits: (number | null)[] = [];
    // From the first progress line on: on a quiet machine the deposit may end within a second.
    for (const afterMs of [0, 400, 1500]) {
      exits.push(await socle([...DEPOSIT, csv], { marker: /Écriture des lignes pseudonymisées/, afterMs }));
      const s = await depositState();
      expect([
        { depots: 0, rows: 0 },
        { depots: 1, rows: ROWS },
      ]).toContainEqual(s);
      expectNoPersonalFile();
    }
    // At least one deposit was killed (exit code null), or the test proved nothing.
    expect(exits).toContain(null);
    if ((await depositState()).depots === 0) expect(await socle([...DEPOSIT, csv])).toBe(0);
    expect(await depositState()).toEqual({ depots: 1, rows: ROWS });
    expectNoPersonalFile();
    jeuId = await findJeu();
  }, 900_000);

  it("a release killed at any moment is recorded with all its exports, or not at all", async () => {
    const RELEASE = [
      "release",
      "--convention",
      "demo-abs-valsocle",
      "--dataset",
      "allocataires",
      "--annee",
      "2025",
      "--par",
      "etudes@demo.socle.example",
      "--out",
      out,
    ];
    mkdirSync(out, { recursive: true });
    const releases = async (): Promise<string[]> => {
      const db = await open();
      try {
        return (
          await db.query<{ id: string }>("SELECT id FROM diffusion WHERE jeu_id = $1 ORDER BY diffuse_le", [
            jeuId,
          ])
        ).map((r) => r.id);
      } finally {
        await db.close();
      }
    };
    const exits: (number | null)[] = [];
    const kills = [
      { marker: /Calcul de la diffusion/, afterMs: 0 },
      { marker: /Écriture des exports/, afterMs: 0 },
      { marker: /Écriture des exports/, afterMs: 150 },
      { marker: /Calcul de la diffusion/, afterMs: 1500 },
    ];
    for (const kill of kills) {
      const before = await releases();
      exits.push(await socle(RELEASE, kill));
      const after = await releases();
      const shown = readdirSync(out).filter((f) => f.startsWith("diffusion-"));
      const staged = readdirSync(out).filter((f) => f.startsWith(".diffusion-en-cours-"));
      if (after.length === before.length) {
        // Not recorded: no export of it beside the earlier ones (none before the first release).
        if (before.length === 0) expect(shown).toEqual([]);
      } else {
        expect(after.length).toBe(before.length + 1);
        // Recorded: its exports in place, or staged under its id when the kill came in the renames.
        const id = after.at(-1)!;
        const inStaging = staged.includes(`.diffusion-en-cours-${id}`)
          ? readdirSync(path.join(out, `.diffusion-en-cours-${id}`))
          : [];
        expect([...new Set([...shown, ...inStaging])].sort()).toEqual([...EXPORTS].sort());
      }
      expectNoPersonalFile();
    }
    expect(exits).toContain(null);
    // A release run afterwards settles what a kill left and writes every export.
    const n = (await releases()).length;
    expect(await socle(RELEASE)).toBe(0);
    expect((await releases()).length).toBe(n + 1);
    expect(readdirSync(out).sort()).toEqual([...EXPORTS].sort());
    for (const f of EXPORTS) expect(readFileSync(path.join(out, f)).byteLength).toBeGreaterThan(0);
    expectNoPersonalFile();

    // As a kill between that release's commit and its renames leaves it: its exports staged, its
    // marker naming a process that is gone. Any command that opens the store next moves them into place.
    const id = (await releases()).at(-1)!;
    const staging = path.join(out, `${STAGING_PREFIX}${id}`);
    mkdirSync(staging);
    for (const f of EXPORTS) renameSync(path.join(out, f), path.join(staging, f));
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    await recordStagedExports(
      { root: path.join(dataDir, "fichiers") },
      { diffusion: id, staging, out, pid: gone },
    );
    expect(await socle(["audit", "verify"])).toBe(0);
    expect(readdirSync(out).sort()).toEqual([...EXPORTS].sort());
    expect(readdirSync(path.join(dataDir, "fichiers", "exports-en-cours"))).toEqual([]);
  }, 900_000);

  it("a destruction killed at any moment is complete or not started, and can run again", async () => {
    const files = { root: path.join(dataDir, "fichiers") };
    if (!jeuId) {
      // Run alone (vitest -t): the deposit it destroys.
      expect(await socle([...DEPOSIT, csv])).toBe(0);
      jeuId = await findJeu();
    }
    // A study document stored with the dataset: it goes with the destruction, or stays whole.
    const study = `Document d'étude ${MARK}-etude`;
    await putFile(files, ["jeux", jeuId, "etude.txt"], new TextEncoder().encode(study));
    const db0 = await open();
    const [{ rows }] = (await db0.query<{ rows: number }>(
      "SELECT count(*)::int AS rows FROM microdonnee WHERE jeu_id = $1",
      [jeuId],
    )) as [{ rows: number }];
    await db0.close();
    expect(rows).toBeGreaterThanOrEqual(ROWS);

    const state = async () => {
      const db = await open();
      try {
        const [j] = await db.query<{ statut: string }>("SELECT statut FROM jeu_donnees WHERE id = $1", [
          jeuId,
        ]);
        const [m] = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM microdonnee WHERE jeu_id = $1",
          [jeuId],
        );
        const check = await verifyDestruction(db, files, jeuId);
        return { statut: j!.statut, rows: m!.n, check };
      } finally {
        await db.close();
      }
    };
    const killedBeforeAnswer: boolean[] = [];
    // The provider's referent: the convention binds the provider and the processor to destroy.
    const DESTROYER = "caf@demo.socle.example";
    for (const afterMs of [0, 60, 250, 900]) {
      const url = await serve();
      const c = new Client(url);
      expect((await c.login(DESTROYER)).status).toBe(200);
      let answered = false;
      let status = 0;
      const request = fetch(`${url}/api/jeux/${jeuId}/destruction`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: c.cookie! },
        body: JSON.stringify({ confirmation: "DÉTRUIRE" }),
      })
        .then(async (r) => {
          await r.arrayBuffer();
          status = r.status;
          answered = true;
        })
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, afterMs));
      await stopServer("SIGKILL");
      await request;
      killedBeforeAnswer.push(!answered);
      // An answer that came before the kill is the destruction's own.
      if (answered) expect(status).toBe(200);
      // Restarted, the server settles what the kill left in the stored files; then it stops.
      await serve();
      await stopServer("SIGTERM");
      const s = await state();
      if (s.statut === "detruit") {
        expect(s.check.problemes).toEqual([]);
        expect(s.check.valide).toBe(true);
        expect(s.rows).toBe(0);
        expect(existsSync(path.join(files.root, "jeux", jeuId))).toBe(false);
        break;
      }
      // Not started: every row and the stored document are back, nothing set aside.
      expect(s.rows).toBe(rows);
      expect(readFileSync(path.join(files.root, "jeux", jeuId, "etude.txt"), "utf8")).toBe(study);
      expect(readdirSync(path.join(files.root, "jeux")).filter((f) => f.includes(".a-detruire-"))).toEqual(
        [],
      );
      expect(answered).toBe(false);
    }
    expect(killedBeforeAnswer).toContain(true);
    if ((await state()).statut !== "detruit") {
      const url = await serve();
      const c = new Client(url);
      expect((await c.login(DESTROYER)).status).toBe(200);
      const r = await c.req("POST", `/api/jeux/${jeuId}/destruction`, { confirmation: "DÉTRUIRE" });
      expect(r.status).toBe(200);
      await stopServer("SIGTERM");
    }
    const s = await state();
    expect(s.statut).toBe("detruit");
    expect(s.check.valide).toBe(true);
    expect(readdirSync(path.join(files.root, "jeux")).filter((f) => f.startsWith(jeuId))).toEqual([]);
    expectNoPersonalFile();
  }, 900_000);
});
