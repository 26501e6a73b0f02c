/**
 * One BAN import in its own process so that its peak memory is its own:
 * read + IRIS point in polygon + index + serialisation (+ the store write on
 * an in-memory PGlite when asked). Prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { serialiseIndex } from "../src/geo/address-index.js";
import { buildReferences, readBanFiles } from "../src/geo/ban-import.js";
import { IrisLocator, type IrisShape } from "../src/geo/iris-locator.js";

const [ban, irisFile] = process.argv.slice(2) as [string, string];
const iris = JSON.parse(readFileSync(irisFile, "utf8")) as IrisShape[];
const t0 = performance.now();
const rows = await readBanFiles([ban]);
const t1 = performance.now();
const refs = buildReferences(rows, new IrisLocator(iris));
const t2 = performance.now();
const blob = serialiseIndex(refs[0]!.index);
const t3 = performance.now();
console.log(
  JSON.stringify({
    adresses: rows.length,
    readSeconds: (t1 - t0) / 1000,
    pipIndexSeconds: (t2 - t1) / 1000,
    serialiseSeconds: (t3 - t2) / 1000,
    totalSeconds: (t3 - t0) / 1000,
    blobMB: blob.length / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
