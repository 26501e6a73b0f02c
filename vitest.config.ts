import { defineConfig } from "vitest/config";

// CI runs on machines shared with other work (two cores, several jobs).
// - forks pool: each test file in its own process, so a crash or a leak
//   stays in one file and native modules (PGlite, argon2) are not shared;
// - heavy CPU-bound engine work in tests runs in a worker thread
//   (test/helpers/off-thread.ts) so the test process keeps answering;
// - test/helpers/vitest-setup.ts tolerates a late acknowledgement of a
//   progress report (see there);
// - timeouts sized for a loaded machine, not for an idle one.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    setupFiles: ["test/helpers/vitest-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: "forks",
    poolOptions: { forks: { singleFork: false, isolate: true } },
    reporters: ["default"],
  },
});
