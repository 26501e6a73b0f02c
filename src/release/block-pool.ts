/**
 * The pool of worker threads that solves the secrecy audit's block LPs
 * (core/secrecy/block-pool.ts): one HiGHS per worker, each worker keeping
 * its blocks' models across the screening rounds.
 *
 * The engine is synchronous, so is the pool: a level's requests are posted
 * to every worker, then the caller's thread waits (Atomics.wait on a shared
 * flag each worker raises once it has answered) and reads the answers with
 * receiveMessageOnPort. The caller's thread holds no LP while it waits, so
 * the pool's size is the number of cores it uses for the block LPs.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import {
  assignBlocks,
  type BlockPool,
  type BlockPoolSession,
  type LevelRequest,
  type LevelResult,
  mergeLevel,
} from "../core/secrecy/block-pool.js";
import type { TableSet } from "../core/table/table.js";

/** Messages to a worker; only `spread` is answered. */
export type PoolMessage =
  | {
      readonly kind: "open";
      readonly session: number;
      readonly data: import("../core/secrecy/block-pool.js").BlockSetData;
    }
  | { readonly kind: "spread"; readonly session: number; readonly request: LevelRequest }
  | { readonly kind: "release"; readonly session: number; readonly keep: number }
  | { readonly kind: "close"; readonly session: number };

export type PoolAnswer = { readonly result: LevelResult } | { readonly error: string };

/** No answer for this long means the worker is gone. */
const ANSWER_TIMEOUT_MS = 30 * 60_000;

interface PoolWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
}

/** A pool of `size` worker threads, started on the first table set opened. */
export function createBlockPool(size: number): BlockPool {
  const signal = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, size)));
  let workers: PoolWorker[] | undefined;
  let sessions = 0;
  const start = (): PoolWorker[] => {
    if (workers) return workers;
    const here = import.meta.url;
    const ts = here.endsWith(".ts");
    const script = new URL(`./block-worker.${ts ? "ts" : "js"}`, here);
    workers = Array.from({ length: size }, (_, index) => {
      const { port1, port2 } = new MessageChannel();
      const workerData = { port: port2, signal, index };
      // From the TypeScript sources (tests, tsx), the worker registers tsx first.
      const worker = ts
        ? new Worker(
            `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(script.href)}); });`,
            { eval: true, workerData, transferList: [port2] },
          )
        : new Worker(script, { workerData, transferList: [port2] });
      worker.unref();
      port1.unref();
      return { worker, port: port1 };
    });
    return workers;
  };
  const answer = (w: number, port: MessagePort): LevelResult => {
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (m) {
        const a = m.message as PoolAnswer;
        if ("error" in a)
          throw new Error(`Secret statistique : un processus de calcul a échoué (${a.error}).`);
        return a.result;
      }
      if (Date.now() > deadline)
        throw new Error("Secret statistique : un processus de calcul ne répond plus.");
      Atomics.wait(signal, w, 0, 1000);
    }
  };
  return {
    size,
    open(set: TableSet, levels): BlockPoolSession {
      const pool = start();
      const session = ++sessions;
      const mine = assignBlocks(levels, set.innerCount, size);
      pool.forEach(({ port }, w) => {
        const message: PoolMessage = {
          kind: "open",
          session,
          data: {
            innerValues: set.inner.values,
            supportStart: set.supportStart,
            supportIdx: set.supportIdx,
            levels,
            mine: mine[w] ?? [],
          },
        };
        port.postMessage(message);
      });
      return {
        workers: size,
        spread(request) {
          const message: PoolMessage = { kind: "spread", session, request };
          pool.forEach(({ port }, w) => {
            Atomics.store(signal, w, 0);
            port.postMessage(message);
          });
          return mergeLevel(pool.map(({ port }, w) => answer(w, port)));
        },
        release(keep) {
          const message: PoolMessage = { kind: "release", session, keep };
          for (const { port } of pool) port.postMessage(message);
        },
        close() {
          const message: PoolMessage = { kind: "close", session };
          for (const { port } of pool) port.postMessage(message);
        },
      };
    },
  };
}

/**
 * Workers for the block LPs from SOCLE_SECRET_WORKERS (default: one per
 * core); undefined for 1 or less, the LPs then run in the caller's thread.
 * The engine opens the pool only for tables large enough to use territory
 * blocks (LOCAL_PROOFS_CELLS), so smaller releases start no thread.
 */
export function blockWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOCLE_SECRET_WORKERS;
  const n = raw === undefined || raw === "" ? availableParallelism() : Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 1 ? n : 1;
}

let shared: BlockPool | undefined;

/** The process's pool (created once), or undefined when blockWorkers() is 1. */
export function defaultBlockPool(): BlockPool | undefined {
  if (shared) return shared;
  const n = blockWorkers();
  if (n <= 1) return undefined;
  shared = createBlockPool(n);
  return shared;
}
