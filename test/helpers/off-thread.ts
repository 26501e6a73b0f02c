/**
 * Runs one exported function of a TypeScript module in a worker thread and
 * resolves with its (structured-cloned) result. Heavy CPU-bound engine work
 * in a test goes through here so that the vitest worker's own event loop
 * keeps answering its RPC (a loop blocked past 60 s ends the run with
 * « Timeout calling "onTaskUpdate" » on a loaded machine).
 */
import { Worker } from "node:worker_threads";

export function offThread<R>(module: URL, exportName: string, args: readonly unknown[] = []): Promise<R> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    import("tsx/esm/api")
      .then((t) => { t.register(); return import(workerData.href); })
      .then((m) => m[workerData.exportName](...workerData.args))
      .then((result) => parentPort.postMessage({ ok: true, result }))
      .catch((e) => parentPort.postMessage({ ok: false, message: String(e && e.stack || e) }));
  `;
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(code, {
      eval: true,
      workerData: { href: module.href, exportName, args },
    });
    worker.once("message", (m: { ok: true; result: R } | { ok: false; message: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.result);
      else reject(new Error(m.message));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`));
    });
  });
}
