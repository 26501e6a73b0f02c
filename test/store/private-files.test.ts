/**
 * Private files: the data folder and the embedded database are Socle's
 * user's own (PGlite writes 0666 files whatever the umask), and what the
 * CLI writes (here a generated data set) is 0600 in a 0700 folder.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { PROJECT_ROOT } from "../helpers/fixtures.js";

const root = mkdtempSync(path.join(tmpdir(), "socle-prive-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Paths under `dir` (itself included) whose mode lets group or others in. */
function openToOthers(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if ((st.mode & 0o077) !== 0)
      out.push(`${path.relative(root, p) || "."} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
  return out;
}

describe("private files", () => {
  it("keeps the data folder and every PGlite file readable by Socle's user only", async () => {
    const dataDir = path.join(root, "donnees");
    const db = await openStore({ dataDir, databaseUrl: undefined });
    await db.query("CREATE TABLE essai (x int)");
    await db.query("INSERT INTO essai VALUES (1)");
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, "pglite")).mode & 0o777).toBe(0o700);
    await db.close();
    expect(openToOthers(dataDir)).toEqual([]);
  }, 120_000);

  it("writes the CLI's output files 0600 whatever the caller's umask", () => {
    const out = path.join(root, "synthetique");
    const r = spawnSync(
      "/bin/sh",
      [
        "-c",
        `umask 022 && exec "${process.execPath}" --import tsx src/cli/main.ts geo synthetic --out "${out}" --adresses 1000 --lignes 20`,
      ],
      { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).length).toBeGreaterThan(0);
    expect(openToOthers(out)).toEqual([]);
  }, 120_000);
});
