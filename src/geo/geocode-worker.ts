/**
 * A geocoder in a worker thread: it receives the serialised address indexes
 * once, then batches of address parts, and answers with the result type and
 * IRIS of each address. The deposit geocodes on the second core while the
 * main thread reads, pseudonymises and writes.
 */
import { parentPort, workerData } from "node:worker_threads";
import { deserialiseIndex, mergeIndexes } from "./address-index.js";
import { type AddressQuery, geocodeQueries } from "./batch-geocoder.js";
import { Geocoder } from "./geocoder.js";

const geocoder = new Geocoder(
  mergeIndexes((workerData.blobs as Uint8Array[]).map((b) => deserialiseIndex(b))),
);
parentPort!.on("message", (m: { id: number; queries: AddressQuery[] }) => {
  const started = performance.now();
  const out = geocodeQueries(geocoder, m.queries);
  parentPort!.postMessage({ id: m.id, out, ms: performance.now() - started });
});
