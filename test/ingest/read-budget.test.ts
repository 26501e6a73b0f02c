/**
 * Size and time budgets of the readers (ingest/budget.ts): a read that never
 * settles is given up with a French message naming the file and what was
 * expected, and lets go of its stream; a file over its kind's size is refused
 * before a byte is read.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkReadSize, READ_BUDGETS, withinStall, withinTime } from "../../src/ingest/budget.js";
import { openTabular } from "../../src/ingest/tabular-stream.js";

const dir = mkdtempSync(path.join(tmpdir(), "socle-budget-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("reader budgets", () => {
  it("gives up a read that never settles, in French, naming the file and what was expected", async () => {
    let aborted = false;
    const t0 = performance.now();
    await expect(
      withinTime(new Promise(() => {}), {
        fileName: "classeur.xlsx",
        kind: "xlsx",
        ms: 200,
        abort: () => {
          aborted = true;
        },
      }),
    ).rejects.toThrow(
      "classeur.xlsx : lecture abandonnée, aucune progression depuis 0 s ; attendu un classeur XLSX lisible (fichier endommagé ?).",
    );
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(aborted).toBe(true);
  });

  it("lets a slow read through as long as every step arrives within the budget", async () => {
    async function* slow() {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 50));
        yield i;
      }
    }
    const got: number[] = [];
    for await (const v of withinStall(slow(), { fileName: "f.csv", kind: "csv", ms: 150 })) got.push(v);
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it("refuses a workbook over its size budget before reading it", async () => {
    const file = path.join(dir, "enorme.xlsx");
    writeFileSync(file, Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    truncateSync(file, READ_BUDGETS.xlsx.maxBytes + 1);
    await expect(openTabular(file)).rejects.toThrow(
      "enorme.xlsx : fichier de 513 Mo ; attendu un classeur XLSX de 512 Mo au plus.",
    );
    expect(() => checkReadSize(path.join(dir, "absent.gpkg"), "geopackage")).toThrow(
      "absent.gpkg : fichier introuvable.",
    );
  });
});
