/**
 * Geocoding in batches, in the same thread or in a worker thread (so that a
 * deposit uses both cores). Both give the same results: the worker runs the
 * same Geocoder on the same index.
 */
import { Worker } from "node:worker_threads";
import type { Geocoder, ResultType } from "./geocoder.js";

export type BatchResult = readonly (readonly [ResultType, string | null])[];

export interface BatchGeocoder {
  /** Marks a batch geocoder (a Geocoder has a synchronous geocodeBatch of its own). */
  readonly parLots: true;
  geocodeLot(parts: readonly (readonly string[])[]): Promise<{ results: BatchResult; ms: number }>;
  close(): Promise<void>;
}

export function inThread(geocoder: Geocoder): BatchGeocoder {
  return {
    parLots: true,
    async geocodeLot(parts) {
      const started = performance.now();
      const results = parts.map((p) => {
        const g = geocoder.geocode(p);
        return [g.type, g.codeIris] as const;
      });
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
    geocodeLot(parts) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, parts });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
