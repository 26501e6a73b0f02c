/**
 * Fuzzing the tabular readers (CSV, XLSX: what a deposit reads) with
 * generated inputs: mutations of a fixture and of a generated workbook,
 * random bytes, truncations, huge lines, many columns, formulas, a zip
 * bomb. Every input either reads or fails with a French SocleError; none
 * crashes, hangs (time budget per input) or echoes a value of the input in
 * its message. The CI runs a quick slice; `npm run fuzz` (SOCLE_FUZZ=full)
 * runs 2,000 inputs per reader.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSocleError } from "../../src/core/errors.js";
import { openTabular } from "../../src/ingest/tabular-stream.js";
import { fixture } from "../helpers/fixtures.js";

const FULL = process.env.SOCLE_FUZZ === "full";
const RUNS = FULL ? 2000 : 150;
const BUDGET_MS = 5000;
// exceljs's streaming reader never settles on some mutated archives (no
// error, no end): the readers' stall budget (ingest/budget.ts, 30 s in
// production) gives those up; here it is shortened to stay within BUDGET_MS.
const STALL_MS = 2000;
const dir = mkdtempSync(path.join(tmpdir(), "socle-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CSV_SEED = readFileSync(fixture("sdc/sdctable_vignette_completeData/sdctable034_OPT_maxN10.csv"));
let XLSX_SEED: Buffer;
beforeAll(async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Feuille1");
  ws.addRow(["matricule", "adresse", "naissance"]);
  for (let i = 0; i < 30; i++)
    ws.addRow([`M${1000 + i}`, `${i} rue Jeanne-d'Arc 76000 Rouen`, new Date(1950 + i, 0, 1)]);
  XLSX_SEED = Buffer.from(await wb.xlsx.writeBuffer());
});

let n = 0;
/** Reads the whole file; returns what happened, never throws. */
async function read(bytes: Uint8Array, ext: string) {
  const file = path.join(dir, `entree-${n++}.${ext}`);
  writeFileSync(file, bytes);
  const t0 = performance.now();
  let outcome: { ok: true; rows: number } | { ok: false; error: unknown };
  try {
    const t = await openTabular(file, { stallMs: STALL_MS });
    let rows = 0;
    for await (const _ of t.rows) rows++;
    outcome = { ok: true, rows };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    rmSync(file, { force: true });
  }
  return { outcome, ms: performance.now() - t0 };
}

/** Tokens of the input long enough to be a value (an identifier, a name, an address). */
function tokens(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString("latin1");
  return [...new Set(text.match(/[A-Za-z0-9]{7,}/g) ?? [])].filter(
    (t) => !/^(Content|xl|worksheets|sheet\d|workbook|sharedStrings)$/i.test(t),
  );
}

const problems: string[] = [];
async function check(bytes: Uint8Array, ext: string, label: string) {
  const { outcome, ms } = await read(bytes, ext);
  if (ms > BUDGET_MS) problems.push(`${label}: ${Math.round(ms)} ms`);
  if (!outcome.ok) {
    const e = outcome.error;
    if (!isSocleError(e)) {
      problems.push(
        `${label}: ${(e as Error)?.constructor?.name} ${String((e as Error)?.message).slice(0, 120)}`,
      );
      return;
    }
    const leaked = tokens(bytes).filter((t) => e.message.includes(t) && !/entree-\d+/.test(t));
    if (leaked.length > 0) problems.push(`${label}: message echoes the input (${leaked.length} token(s))`);
  }
}

const mutation = (seed: Buffer) =>
  fc
    .array(
      fc.oneof(
        fc.record({
          kind: fc.constant("flip" as const),
          at: fc.nat(),
          byte: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
        fc.record({
          kind: fc.constant("insert" as const),
          at: fc.nat(),
          text: fc.constantFrom('"', "\0", "\r", ";;;;", "=cmd|'/c calc'!A1", "\xff\xfe", "\n\n"),
        }),
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((ops) => {
      let b = Buffer.from(seed);
      for (const op of ops) {
        const at = b.length === 0 ? 0 : op.at % b.length;
        if (op.kind === "flip") b[at] = op.byte;
        else if (op.kind === "cut") b = b.subarray(0, at);
        else b = Buffer.concat([b.subarray(0, at), Buffer.from(op.text, "latin1"), b.subarray(at)]);
      }
      return b;
    });

const hostile = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 4096 }),
  fc.integer({ min: 1, max: 3_000_000 }).map((len) => Buffer.from(`a;b\n1;${"x".repeat(len)}\n`)),
  fc
    .integer({ min: 1, max: 5000 })
    .map((cols) => Buffer.from(`${Array.from({ length: cols }, (_, i) => `c${i}`).join(";")}\n1\n`)),
  fc
    .array(fc.constantFrom("=1+1", "@SUM(A1)", "+33", "-2", "\t=x", " =HYPERLINK()"), { maxLength: 20 })
    .map((cells) => Buffer.from(`a;b\n${cells.join(";")}\n`)),
  fc.constant(Buffer.from('a;b\n"jamais fermé;x\n'.repeat(1))),
);

/** A « workbook » whose one entry inflates from a few KiB to 200 MiB. */
function zipBomb(): Buffer {
  const size = 200 * 1024 * 1024;
  const data = deflateRawSync(Buffer.alloc(size, 0x41), { level: 9 });
  const name = Buffer.from("xl/sharedStrings.xml");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

describe(`fuzzing the tabular readers (${RUNS} inputs each${FULL ? "" : ", quick slice"})`, () => {
  it("CSV: mutations of a fixture and hostile inputs read or fail in French, in time, echoing nothing", async () => {
    problems.length = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutation(CSV_SEED), hostile), async (bytes) => {
        await check(bytes, "csv", `csv ${bytes.length} o`);
      }),
      { numRuns: RUNS, seed: 4 },
    );
    expect(problems).toEqual([]);
  }, 600_000);

  it("XLSX: mutations of a workbook read or fail in French, in time, echoing nothing", async () => {
    problems.length = 0;
    await fc.assert(
      fc.asyncProperty(mutation(XLSX_SEED), async (bytes) => {
        await check(bytes, "xlsx", `xlsx ${bytes.length} o`);
      }),
      { numRuns: RUNS, seed: 5 },
    );
    expect(problems).toEqual([]);
  }, 600_000);

  it("XLSX: a zip bomb fails in French without exhausting memory", async () => {
    problems.length = 0;
    const before = process.memoryUsage().rss;
    await check(zipBomb(), "xlsx", "zip bomb");
    expect(problems).toEqual([]);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024);
  }, 120_000);
});
