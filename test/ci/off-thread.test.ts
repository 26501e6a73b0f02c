import { describe, expect, it } from "vitest";
import { offThread } from "../helpers/off-thread.js";

const BUSY = new URL("../helpers/busy.ts", import.meta.url);

describe("heavy test work off the test worker's event loop", () => {
  it("keeps the test process's timers running while a CPU-bound function runs in a worker thread", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      const turns = await offThread<number>(BUSY, "spin", [1500]);
      expect(turns).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    // 1.5 s of work: a blocked loop would have ticked at most once.
    expect(ticks).toBeGreaterThan(10);
  });

  it("hands back the error thrown in the worker", async () => {
    await expect(offThread(BUSY, "fail", ["boum"])).rejects.toThrow(/boum/);
  });
});
