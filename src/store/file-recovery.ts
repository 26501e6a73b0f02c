/**
 * What a kill -9 can leave in the stored files, settled at start-up against
 * the database (which is all or nothing by its transactions):
 * - a half-written file (`….tmp` of an atomic write) is removed;
 * - a deposit's file whose row was never committed is removed (a deposit is
 *   kept only with its row);
 * - a dataset folder set aside by a destruction (`<id>.a-detruire-…`) is
 *   removed when the destruction committed, and put back when it did not,
 *   so that the destruction can start again and list those files.
 */
import { existsSync } from "node:fs";
import { readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Queryable } from "./db.js";
import type { FileArea } from "./files.js";

const ASIDE = /^([0-9a-f-]{36})\.a-detruire-[0-9a-f-]{36}$/;
const DEPOSIT_FILE = /^[0-9a-f-]{36}\.depot$/;

export interface FileRecovery {
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
  const out: FileRecovery = {
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
