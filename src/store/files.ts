/**
 * Stored files (deposits, study documents) live in a folder of the data
 * directory, never in the database. Writes are atomic (temporary file then
 * rename); a dataset's files sit in one folder so destruction removes them
 * together.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

export interface FileArea {
  root: string;
}

const SAFE = /^[a-zA-Z0-9_.-]+$/;

function resolveIn(area: FileArea, parts: readonly string[]): string {
  for (const p of parts)
    if (!SAFE.test(p) || p === "." || p === "..") throw new Error(`unsafe path part ${p}`);
  return path.join(area.root, ...parts);
}

/** Writes a file atomically and returns its path relative to the area. */
export async function putFile(area: FileArea, parts: readonly string[], data: Uint8Array): Promise<string> {
  const full = resolveIn(area, parts);
  await mkdir(path.dirname(full), { recursive: true });
  const tmp = `${full}.${randomUUID()}.tmp`;
  await writeFile(tmp, data, { flag: "wx" });
  await rename(tmp, full);
  return parts.join("/");
}

export const filePath = (area: FileArea, rel: string): string => resolveIn(area, rel.split("/"));

export async function removeFile(area: FileArea, rel: string): Promise<void> {
  await rm(filePath(area, rel), { force: true });
}

/** Every file under a folder of the area, with its bytes (for manifests). */
export async function filesUnder(
  area: FileArea,
  parts: readonly string[],
): Promise<{ rel: string; data: Buffer }[]> {
  const dir = resolveIn(area, parts);
  if (!existsSync(dir)) return [];
  const out: { rel: string; data: Buffer }[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out.push({ rel: path.relative(area.root, full).split(path.sep).join("/"), data: await readFile(full) });
  }
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

export const folderExists = (area: FileArea, parts: readonly string[]): boolean =>
  existsSync(resolveIn(area, parts));

/** Moves a folder aside (to be removed after commit, or put back on rollback). */
export async function setAside(area: FileArea, parts: readonly string[]): Promise<() => Promise<void>> {
  const dir = resolveIn(area, parts);
  if (!existsSync(dir)) return async () => undefined;
  const aside = `${dir}.a-detruire-${randomUUID()}`;
  await rename(dir, aside);
  return async () => {
    if ((await stat(aside).catch(() => null)) && !existsSync(dir)) await rename(aside, dir);
  };
}

export async function removeAsideFolders(area: FileArea, parts: readonly string[]): Promise<void> {
  const dir = resolveIn(area, parts);
  const parent = path.dirname(dir);
  if (!existsSync(parent)) return;
  for (const name of await readdir(parent))
    if (name.startsWith(`${path.basename(dir)}.a-detruire-`))
      await rm(path.join(parent, name), { recursive: true, force: true });
}

/** Whether a folder set aside by a destruction is still there (removed after commit or at start-up). */
export async function asideFolderExists(area: FileArea, parts: readonly string[]): Promise<boolean> {
  const dir = resolveIn(area, parts);
  const parent = path.dirname(dir);
  if (!existsSync(parent)) return false;
  return (await readdir(parent)).some((name) => name.startsWith(`${path.basename(dir)}.a-detruire-`));
}
