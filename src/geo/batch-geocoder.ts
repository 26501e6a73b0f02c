/**
 * Geocoding in batches, in the same thread or in a worker thread (so that a
 * deposit uses both cores). Both give the same results: the worker runs the
 * same Geocoder on the same index.
 */
import { Worker } from "node:worker_threads";
import type { GeocodeResult, Geocoder, NoIrisReason, ResultType } from "./geocoder.js";

/** Per address: result type, IRIS, why there is no IRIS, score. */
export type BatchResult = readonly (readonly [ResultType, string | null, NoIrisReason | null, number])[];

/** One address: its parts in reading order and the commune code a column gives. */
export interface AddressQuery {
  parts: readonly string[];
  codeCommune?: string | null;
}

export function compact(g: GeocodeResult): BatchResult[number] {
  return [g.type, g.codeIris, g.raison ?? null, g.score];
}

export function geocodeQueries(geocoder: Geocoder, queries: readonly AddressQuery[]): BatchResult {
  return queries.map((q) => compact(geocoder.geocode(q.parts, { codeCommune: q.codeCommune ?? null })));
}

export interface BatchGeocoder {
  /** Marks a batch geocoder (a Geocoder has a synchronous geocodeBatch of its own). */
  readonly parLots: true;
  geocodeLot(queries: readonly AddressQuery[]): Promise<{ results: BatchResult; ms: number }>;
  close(): Promise<void>;
}

export function inThread(geocoder: Geocoder): BatchGeocoder {
  return {
    parLots: true,
    async geocodeLot(queries) {
      const started = performance.now();
      const results = geocodeQueries(geocoder, queries);
      return { results, ms: performance.now() - started };
    },
    async close() {},
  };
}

/** A worker thread holding the indexes (the serialised blobs of the store). */
export function inWorker(blobs: readonly Uint8Array[]): BatchGeocoder {
  const here = import.meta.url;
  const ts = here.endsWith(".ts");
  const script = new URL(`./geocode-worker.${ts ? "ts" : "js"}`, here);
  // From the TypeScript sources (tests, tsx), the worker registers tsx first.
  const worker = ts
    ? new Worker(
        `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(script.href)}); });`,
        { eval: true, workerData: { blobs } },
      )
    : new Worker(script, { workerData: { blobs } });
  worker.unref();
  let next = 0;
  const waiting = new Map<
    number,
    { resolve: (r: { results: BatchResult; ms: number }) => void; reject: (e: Error) => void }
  >();
  let failure: Error | undefined;
  worker.on("message", (m: { id: number; out: BatchResult; ms: number }) => {
    waiting.get(m.id)?.resolve({ results: m.out, ms: m.ms });
    waiting.delete(m.id);
  });
  worker.on("error", (e) => {
    failure = e;
    for (const [, w] of waiting) w.reject(e);
    waiting.clear();
  });
  return {
    parLots: true,
    geocodeLot(queries) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, queries });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
