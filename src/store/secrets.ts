/**
 * Pseudonymisation secrets, one per convention, kept in files of the data
 * directory (mode 0600) and never in the database: a dump of the database
 * cannot be re-identified by recomputing pseudonyms.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export interface SecretStore {
  dir: string;
}

/** The convention's secret, created on first use. */
export async function conventionSecret(store: SecretStore, conventionId: string): Promise<Uint8Array> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(conventionId)) throw new Error("identifiant de convention invalide");
  const file = path.join(store.dir, `${conventionId}.cle`);
  if (existsSync(file)) return new Uint8Array(await readFile(file));
  await mkdir(store.dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  try {
    await writeFile(file, secret, { flag: "wx", mode: 0o600 });
  } catch {
    // Another deposit created it first: use that one.
    return new Uint8Array(await readFile(file));
  }
  await chmod(file, 0o600);
  return new Uint8Array(secret);
}
