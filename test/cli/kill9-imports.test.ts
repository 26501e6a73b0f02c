/**
 * kill -9 during an IRIS import and during a BAN import (the `socle`
 * command, on PGlite): after the kill and a restart of the database, the
 * import is all or nothing (no IRIS or every IRIS of the file; no address
 * reference or the whole département), and a full import afterwards still
 * gives the complete result.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRawContourFile } from "../../src/geo/contours.js";
import { openStore } from "../../src/store/open.js";
import { fixture } from "../helpers/fixtures.js";
import { type KillAt, SocleProcesses } from "../helpers/socle-process.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "socle-kill9-imports-"));
const env: Record<string, string | undefined> = {
  ...process.env,
  SOCLE_DATA_DIR: dataDir,
  SOCLE_LOG_LEVEL: "warn",
};
delete env.SOCLE_DATABASE_URL;
const ROUEN = fixture("geo/rouen-iris/Rouen_iris.shp");
const BAN = fixture("ban/adresses-76540-synthetique.csv");
const procs = new SocleProcesses(() => env);
afterAll(() => {
  procs.killAll();
  rmSync(dataDir, { recursive: true, force: true });
});
const socle = (args: string[], kill?: KillAt) => procs.run(args, kill);

async function counts(): Promise<{ iris: number; references: number }> {
  const db = await openStore({ dataDir, databaseUrl: undefined });
  try {
    const iris = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM iris WHERE commune_code = '76540'",
    );
    const refs = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM adresse_reference");
    return { iris: iris[0]!.n, references: refs[0]!.n };
  } finally {
    await db.close();
  }
}

let fullIris = 0;
let fileIris = 0;
beforeAll(async () => {
  fileIris = (await readRawContourFile(ROUEN)).features.length;
  // The COG loads once, outside the kills.
  expect(await socle(["territories", "load-cog"])).toBe(0);
}, 300_000);

describe("kill -9 during imports", () => {
  it("an IRIS import killed at any moment leaves no IRIS or every IRIS of the file", async () => {
    const exits: (number | null)[] = [];
    for (const afterMs of [0, 150, 400]) {
      exits.push(
        await socle(["territories", "import-iris", ROUEN], { marker: /Import des contours IRIS/, afterMs }),
      );
      expect([0, fileIris]).toContain((await counts()).iris);
    }
    // At least one import was killed (exit code null), or the test proved nothing.
    expect(exits).toContain(null);
    expect(await socle(["territories", "import-iris", ROUEN])).toBe(0);
    fullIris = (await counts()).iris;
    expect(fullIris).toBe(fileIris);
  }, 600_000);

  it("a BAN import killed at any moment leaves no address reference or the whole département", async () => {
    const exits: (number | null)[] = [];
    // From the first line on: on a quiet machine the import may end within 200 ms.
    for (const afterMs of [0, 50, 200, 1500]) {
      exits.push(await socle(["geo", "import-ban", BAN], { marker: /Lecture BAN|adresses/, afterMs }));
      const { references } = await counts();
      expect([0, 1]).toContain(references);
      expect((await counts()).iris).toBe(fullIris);
    }
    expect(exits).toContain(null);
    expect(await socle(["geo", "import-ban", BAN])).toBe(0);
    expect((await counts()).references).toBe(1);
  }, 600_000);
});
