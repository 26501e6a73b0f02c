/**
 * A worker of the block pool (block-pool.ts): it holds its share of each
 * open table set (core/secrecy/block-pool.ts, BlockShare) and answers each
 * level's request on its port, then raises its flag for the waiting caller.
 */
import { type MessagePort, workerData } from "node:worker_threads";
import { BlockShare } from "../core/secrecy/block-pool.js";
import { loadSolver } from "../core/secrecy/solver.js";
import type { PoolAnswer, PoolMessage } from "./block-pool.js";

const { port, signal, index } = workerData as { port: MessagePort; signal: Int32Array; index: number };
const highs = await loadSolver();
const shares = new Map<number, BlockShare>();
/** A failure outside a request (opening a set) is answered at the next request. */
const failures = new Map<number, string>();

const reply = (a: PoolAnswer) => {
  port.postMessage(a);
  Atomics.store(signal, index, 1);
  Atomics.notify(signal, index);
};

port.on("message", (m: PoolMessage) => {
  try {
    if (m.kind === "open") shares.set(m.session, new BlockShare(highs, m.data));
    else if (m.kind === "release") shares.get(m.session)?.release(m.keep);
    else if (m.kind === "close") {
      shares.get(m.session)?.dispose();
      shares.delete(m.session);
      failures.delete(m.session);
    } else {
      const failed = failures.get(m.session);
      const share = shares.get(m.session);
      if (failed !== undefined || !share) reply({ error: failed ?? "ensemble de tableaux inconnu" });
      else reply({ result: share.run(m.request) });
    }
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (m.kind === "spread") reply({ error: text });
    else failures.set(m.session, text);
  }
});
