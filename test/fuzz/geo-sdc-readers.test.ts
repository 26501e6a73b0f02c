/**
 * Fuzzing the other readers with mutations of their fixtures: IRIS contours
 * as Shapefile (.shp and .dbf mutated), GeoPackage (made from the Rouen
 * Shapefile with ogr2ogr) and GeoJSON, BAN address files, τ-Argus tables
 * (.tab, .rda, .hrc), sdcTable CSV tables, and ODS/XLS workbooks (refused
 * with the message that says how to save them as XLSX). Every input reads
 * or fails with a French SocleError, in time, never with another error.
 * The CI runs a quick slice; `npm run fuzz` runs 2,000 inputs per reader.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSocleError } from "../../src/core/errors.js";
import { readBanFiles } from "../../src/geo/ban-import.js";
import { readRawContourFile } from "../../src/geo/contours.js";
import { loadSdcTable, loadTauArgusTable } from "../../src/ingest/sdc-files.js";
import { openTabular } from "../../src/ingest/tabular-stream.js";
import { fixture } from "../helpers/fixtures.js";

const FULL = process.env.SOCLE_FUZZ === "full";
const RUNS = FULL ? 2000 : 100;
const BUDGET_MS = 5000;
const dir = mkdtempSync(path.join(tmpdir(), "socle-fuzz-geo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROUEN = fixture("geo/rouen-iris");
const EX1 = fixture("sdc/tauargus_checkTauArgus/ex1");
const SDC_CELLS = fixture("sdc/sdctable_vignette_completeData/sdctable034_OPT_maxN10.csv");
let GPKG_SEED: Buffer;
const GEOJSON_SEED = Buffer.from(
  JSON.stringify({
    type: "FeatureCollection",
    features: JSON.parse(readFileSync(fixture("geo/lyon-iris.geojson"), "utf8")).features.slice(0, 5),
  }),
);
const BAN_SEED = Buffer.from(
  readFileSync(fixture("ban/adresses-76540-synthetique.csv"), "utf8").split("\n").slice(0, 40).join("\n"),
);
// An ODS is a zip whose first entry is « mimetype »; an XLS an OLE2 compound file.
const ODS_SEED = Buffer.concat([
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0]),
  Buffer.alloc(20),
  Buffer.from("mimetypeapplication/vnd.oasis.opendocument.spreadsheet"),
  Buffer.alloc(200, 0x20),
]);
const XLS_SEED = Buffer.concat([
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  Buffer.alloc(504, 0xff),
]);

beforeAll(() => {
  execFileSync("ogr2ogr", ["-f", "GPKG", path.join(dir, "rouen.gpkg"), path.join(ROUEN, "Rouen_iris.shp")]);
  GPKG_SEED = readFileSync(path.join(dir, "rouen.gpkg"));
});

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
          text: fc.constantFrom('"', "\0", "\r", ",,,,", "\xff\xfe", "\n\n", "<", "{", "]", "@"),
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

let n = 0;
const problems: string[] = [];
/** Runs one read; records a crash (not a SocleError) or a read over the budget. */
async function check(label: string, read: () => Promise<unknown>) {
  const t0 = performance.now();
  try {
    await read();
  } catch (e) {
    if (!isSocleError(e))
      problems.push(
        `${label}: ${(e as Error)?.constructor?.name} ${String((e as Error)?.message).slice(0, 120)}`,
      );
    else if (!/[a-zéèêàç]/.test(e.message)) problems.push(`${label}: message not in French: ${e.message}`);
  }
  const ms = performance.now() - t0;
  if (ms > BUDGET_MS) problems.push(`${label}: ${Math.round(ms)} ms`);
}

/** A fresh folder holding a copy of `from`'s files, `name` replaced by `bytes`. */
function withMutated(from: string, name: string, bytes: Uint8Array): string {
  const d = path.join(dir, `cas-${n++}`);
  execFileSync("mkdir", ["-p", d]);
  for (const f of readdirSync(from)) copyFileSync(path.join(from, f), path.join(d, f));
  writeFileSync(path.join(d, name), bytes);
  return d;
}

async function fuzz(arb: fc.Arbitrary<Buffer>, seed: number, one: (bytes: Buffer) => Promise<void>) {
  problems.length = 0;
  await fc.assert(fc.asyncProperty(arb, one), { numRuns: RUNS, seed });
  expect(problems).toEqual([]);
}

describe(`fuzzing the contour, BAN, sdc and office readers (${RUNS} inputs each${FULL ? "" : ", quick slice"})`, () => {
  it("Shapefile: mutated .shp or .dbf import or fail in French, in time", async () => {
    await fuzz(
      fc.oneof(
        mutation(readFileSync(path.join(ROUEN, "Rouen_iris.shp"))).map((b) =>
          Object.assign(b, { part: "shp" }),
        ),
        mutation(readFileSync(path.join(ROUEN, "Rouen_iris.dbf"))).map((b) =>
          Object.assign(b, { part: "dbf" }),
        ),
      ),
      11,
      async (bytes) => {
        const part = (bytes as Buffer & { part: string }).part;
        const d = withMutated(ROUEN, `Rouen_iris.${part}`, bytes);
        await check(`shapefile .${part} ${bytes.length} o`, () =>
          readRawContourFile(path.join(d, "Rouen_iris.shp")),
        );
        rmSync(d, { recursive: true, force: true });
      },
    );
  }, 600_000);

  it("GeoPackage and GeoJSON: mutations import or fail in French, in time", async () => {
    await fuzz(
      fc.oneof(
        mutation(GPKG_SEED).map((b) => Object.assign(b, { ext: "gpkg" })),
        mutation(GEOJSON_SEED).map((b) => Object.assign(b, { ext: "geojson" })),
      ),
      12,
      async (bytes) => {
        const ext = (bytes as Buffer & { ext: string }).ext;
        const file = path.join(dir, `contours-${n++}.${ext}`);
        writeFileSync(file, bytes);
        await check(`${ext} ${bytes.length} o`, () => readRawContourFile(file));
        rmSync(file, { force: true });
      },
    );
  }, 600_000);

  it("BAN: mutated address files are checked or refused in French, in time", async () => {
    await fuzz(mutation(BAN_SEED), 13, async (bytes) => {
      const file = path.join(dir, `adresses-${n++}.csv`);
      writeFileSync(file, bytes);
      await check(`ban ${bytes.length} o`, () => readBanFiles([file]));
      rmSync(file, { force: true });
    });
  }, 600_000);

  it("τ-Argus and sdcTable: mutated .tab, .rda, .hrc and CSV tables read or fail in French, in time", async () => {
    const parts = ["tabdata_ex1.tab", "metadata_ex1.rda", "hier_region_ex1.hrc", "cells.csv"] as const;
    await fuzz(
      fc.oneof(
        ...parts.map((p) =>
          mutation(readFileSync(p === "cells.csv" ? SDC_CELLS : path.join(EX1, p))).map((b) =>
            Object.assign(b, { part: p }),
          ),
        ),
      ),
      14,
      async (bytes) => {
        const part = (bytes as Buffer & { part: (typeof parts)[number] }).part;
        if (part === "cells.csv") {
          const file = path.join(dir, `cells-${n++}.csv`);
          writeFileSync(file, bytes);
          await check(`sdc csv ${bytes.length} o`, async () => loadSdcTable(file, []));
          rmSync(file, { force: true });
          return;
        }
        const d = withMutated(EX1, part, bytes);
        await check(`tau-argus ${part} ${bytes.length} o`, async () =>
          loadTauArgusTable(path.join(d, "tabdata_ex1.tab"), path.join(d, "metadata_ex1.rda")),
        );
        rmSync(d, { recursive: true, force: true });
      },
    );
  }, 600_000);

  it("ODS and XLS: mutated workbooks are refused (or read) in French, in time", async () => {
    await fuzz(fc.oneof(mutation(ODS_SEED), mutation(XLS_SEED)), 15, async (bytes) => {
      const file = path.join(dir, `classeur-${n++}.ods`);
      writeFileSync(file, bytes);
      await check(`office ${bytes.length} o`, async () => {
        const t = await openTabular(file, { stallMs: 2000 });
        for await (const _ of t.rows);
      });
      rmSync(file, { force: true });
    });
  }, 600_000);
});
