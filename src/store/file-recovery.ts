/**
 * What a kill -9 can leave in the stored files, settled at start-up against
 * the database (which is all or nothing by its transactions):
 * - a half-written file (`….tmp` of an atomic write) is removed;
 * - a deposit's file whose row was never committed is removed (a deposit is
 *   kept only with its row);
 * - a dataset folder set aside by a destruction (`<id>.a-detruire-…`) is
 *   removed when the destruction committed, and put back when it did not,
 *   so that the destruction can start again and list those files;
 * - the exports `socle release --out` staged for a release (settleStagedExports,
 *   also run when any CLI command opens the store) are moved into place when
 *   the release committed, and removed when it did not.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Queryable } from "./db.js";
import { type FileArea, putFile, removeFile } from "./files.js";

const ASIDE = /^([0-9a-f-]{36})\.a-detruire-[0-9a-f-]{36}$/;
const DEPOSIT_FILE = /^[0-9a-f-]{36}\.depot$/;

export interface FileRecovery {
  exportsFinalises: number;
  exportsAnnules: number;
  temporaires: number;
  depotsOrphelins: number;
  destructionsTerminees: number;
  destructionsAnnulees: number;
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/** Removes every `*.tmp` left by an interrupted atomic write, anywhere in the area. */
async function removeTemporaries(root: string): Promise<number> {
  let n = 0;
  for (const e of await entries(root)) {
    const full = path.join(root, e.name);
    if (e.isDirectory()) n += await removeTemporaries(full);
    else if (e.name.endsWith(".tmp")) {
      await rm(full, { force: true });
      n++;
    }
  }
  return n;
}

/** Settles the file area after a crash; returns what it did (counts only: no path reaches a log). */
export async function recoverFileArea(db: Queryable, files: FileArea): Promise<FileRecovery> {
  const staged = await settleStagedExports(db, files);
  const out: FileRecovery = {
    exportsFinalises: staged.finalises,
    exportsAnnules: staged.annules,
    temporaires: await removeTemporaries(files.root),
    depotsOrphelins: 0,
    destructionsTerminees: 0,
    destructionsAnnulees: 0,
  };
  const jeux = path.join(files.root, "jeux");
  const found = await entries(jeux);
  const statusOf = async (id: string): Promise<string | undefined> =>
    (await db.query<{ statut: string }>("SELECT statut FROM jeu_donnees WHERE id = $1", [id]))[0]?.statut;
  for (const e of found) {
    const m = ASIDE.exec(e.name);
    if (!m || !e.isDirectory()) continue;
    const aside = path.join(jeux, e.name);
    const home = path.join(jeux, m[1]!);
    const statut = await statusOf(m[1]!);
    if (statut === "detruit" || statut === undefined) {
      await rm(aside, { recursive: true, force: true });
      out.destructionsTerminees++;
      continue;
    }
    if (!existsSync(home)) await rename(aside, home);
    else {
      // Files were stored again after the interrupted destruction: both sets are the dataset's.
      for (const f of await entries(aside))
        if (!existsSync(path.join(home, f.name)))
          await rename(path.join(aside, f.name), path.join(home, f.name));
      await rm(aside, { recursive: true, force: true });
    }
    out.destructionsAnnulees++;
  }
  for (const e of await entries(jeux)) {
    if (!e.isDirectory() || ASIDE.test(e.name)) continue;
    const kept = new Set(
      (await db.query<{ chemin: string }>("SELECT chemin FROM depot WHERE jeu_id::text = $1", [e.name])).map(
        (r) => r.chemin,
      ),
    );
    for (const f of await entries(path.join(jeux, e.name))) {
      if (!f.isFile() || !DEPOSIT_FILE.test(f.name) || kept.has(`jeux/${e.name}/${f.name}`)) continue;
      await rm(path.join(jeux, e.name, f.name), { force: true });
      out.depotsOrphelins++;
    }
  }
  return out;
}

/** Folders of exports being written by `socle release --out` inside its --out folder. */
export const STAGING_PREFIX = ".diffusion-en-cours-";

/** Folder of the area where `socle release --out` records the exports it stages, one marker a release. */
const STAGED = "exports-en-cours";

/** What a marker says: the release, its staging folder, where its exports go, and who writes them. */
export interface StagedExports {
  diffusion: string;
  staging: string;
  out: string;
  pid: number;
}

const UUID = /^[0-9a-f-]{36}$/;

/**
 * Records, before anything is staged, where the exports of release `diffusion`
 * are staged: whoever opens the store next settles them if this process dies.
 */
export async function recordStagedExports(files: FileArea, marker: StagedExports): Promise<void> {
  if (!UUID.test(marker.diffusion)) throw new Error("release id expected");
  await putFile(
    files,
    [STAGED, `${marker.diffusion}.json`],
    new TextEncoder().encode(JSON.stringify(marker)),
  );
}

/** The exports are in place (or were never staged): the marker goes. */
export async function forgetStagedExports(files: FileArea, diffusion: string): Promise<void> {
  if (UUID.test(diffusion)) await removeFile(files, `${STAGED}/${diffusion}.json`);
}

const alive = (pid: number): boolean => {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * The exports a killed `socle release --out` left staged: those of a release
 * that committed are moved into place (the kill came between the commit and
 * the renames), those of a release that did not are removed. A marker whose
 * process still runs (a release under way) is left alone.
 */
export async function settleStagedExports(
  db: Queryable,
  files: FileArea,
  running: (pid: number) => boolean = alive,
): Promise<{ finalises: number; annules: number }> {
  const done = { finalises: 0, annules: 0 };
  for (const e of await entries(path.join(files.root, STAGED))) {
    const m = /^([0-9a-f-]{36})\.json$/.exec(e.name);
    if (!m || !e.isFile()) continue;
    let marker: StagedExports | undefined;
    try {
      marker = JSON.parse(await readFile(path.join(files.root, STAGED, e.name), "utf8")) as StagedExports;
    } catch {
      marker = undefined;
    }
    if (marker && typeof marker.pid === "number" && running(marker.pid)) continue;
    // Only ever the staging folder of this release inside its --out folder.
    const staging =
      marker && marker.diffusion === m[1] && typeof marker.out === "string"
        ? path.join(marker.out, `${STAGING_PREFIX}${marker.diffusion}`)
        : undefined;
    if (marker && staging && marker.staging === staging && existsSync(staging)) {
      const committed =
        (await db.query("SELECT 1 FROM diffusion WHERE id = $1", [marker.diffusion])).length > 0;
      if (committed)
        for (const f of await entries(marker.staging))
          if (f.isFile()) await rename(path.join(staging, f.name), path.join(marker.out, f.name));
      await rm(staging, { recursive: true, force: true });
      if (committed) done.finalises++;
      else done.annules++;
    }
    await forgetStagedExports(files, m[1]!);
  }
  return done;
}
