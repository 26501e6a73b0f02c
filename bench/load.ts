/**
 * npm run bench:load — the built server (`socle serve --demo`, its own
 * process) under autocannon, in one run:
 *   1. baseline: GET /api/sante/vivant (does nothing) at 1,000 req/s;
 *   2. read routes at 200 req/s for 60 s, signed in: territory, IRIS map
 *      data, convention list, release view (round robin);
 *   3. a hashed static asset at 1,000 req/s.
 * Targets: read routes 0 errors and p99 < 50 ms; static 1,000 req/s.
 * SOCLE_BENCH_SECONDS shortens the read phase (default 60); SOCLE_BENCH_ROUNDS
 * (default 2) repeats the three phases, each round reporting its figures as
 * a share of the offered rate beside the baseline's share in the same round.
 * Static assets are asked for with Accept-Encoding: gzip, as browsers do.
 * SOCLE_BENCH_PER_ROUTE (default 1,000; 0 skips) then measures the server's CPU
 * per request of each route alone, Mes tâches and the FED inbox too.
 * SOCLE_BENCH_PROFILE=DIR writes the server's CPU profile there (--cpu-prof). The demo data
 * folder is kept in the temp folder between runs (the demo release takes a
 * minute to seed).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { DEMO_PASSWORD } from "../src/store/demo.js";
import { PROJECT_ROOT } from "../test/helpers/fixtures.js";

const SECONDS = Number(process.env.SOCLE_BENCH_SECONDS ?? 60);
// The machine is shared: every phase is measured twice, each time beside its baseline.
const ROUNDS = Number(process.env.SOCLE_BENCH_ROUNDS ?? 2);
const PER_ROUTE = Number(process.env.SOCLE_BENCH_PER_ROUTE ?? 1000);
const dataDir = path.join(tmpdir(), "socle-bench-load");
const webRoot = path.join(PROJECT_ROOT, "dist/web");

if (!existsSync(path.join(webRoot, "index.html"))) {
  console.log("building the web front (dist/web)…");
  execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: PROJECT_ROOT, stdio: "inherit" });
}

function serve(): Promise<{ url: string; child: ChildProcess }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    SOCLE_DATA_DIR: dataDir,
    SOCLE_LOG_LEVEL: "warn",
  };
  delete env.SOCLE_DATABASE_URL;
  const child = spawn(
    process.execPath,
    [
      ...(process.env.SOCLE_BENCH_PROFILE
        ? ["--cpu-prof", "--cpu-prof-dir", process.env.SOCLE_BENCH_PROFILE]
        : []),
      "--import",
      "tsx",
      "src/cli/main.ts",
      "serve",
      "--demo",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ],
    { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /prêt sur (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!.replace("localhost", "127.0.0.1"), child });
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

interface Phase {
  name: string;
  target: string;
  rate: number;
  seconds: number;
  requests: { path: string }[];
  headers?: Record<string, string>;
}

/**
 * CPU time the server process has used, in ms (Linux /proc; user + system).
 * Divided by the requests of a phase, it is the cost of a request whatever
 * else runs on the machine.
 */
function serverCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

async function run(url: string, p: Phase) {
  const cpu0 = serverCpuMs(serverPid);
  const r = await autocannon({
    url,
    connections: Math.max(10, Math.ceil(p.rate / 20)),
    overallRate: p.rate,
    duration: p.seconds,
    requests: p.requests.map((q) => ({ method: "GET", path: q.path })),
    headers: p.headers ?? {},
  });
  const errors = r.errors + r.timeouts + r.non2xx;
  const rps = r.requests.total / p.seconds;
  const share = `${Math.round((100 * rps) / p.rate)} % of offered`;
  const cpuPerRequest = (serverCpuMs(serverPid) - cpu0) / Math.max(1, r.requests.total);
  const line = `${p.name.padEnd(28)} ${String(Math.round(rps)).padStart(6)} req/s (${share})  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${errors}  server CPU ${cpuPerRequest.toFixed(2)} ms/request  (${r.requests.total} requests; target ${p.target})`;
  console.log(line);
  return { rps, share: rps / p.rate, p99: r.latency.p99, p50: r.latency.p50, errors };
}

const { url, child } = await serve();
const serverPid = child.pid;
try {
  const login = await fetch(`${url}/api/auth/connexion`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ccas@demo.socle.example", motDePasse: DEMO_PASSWORD }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const releases = (await (
    await fetch(`${url}/api/conventions/demo-abs-valsocle/diffusions`, { headers: { cookie } })
  ).json()) as { id: string }[];
  const commune = "00001";
  const asset = readdirSync(path.join(webRoot, "assets")).find((f) => f.endsWith(".js"))!;
  console.log(`Socle ${url} — read phase ${SECONDS} s, ${ROUNDS} rounds`);
  let ok = true;
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round}`);
    const baseline = await run(url, {
      name: "baseline /api/sante/vivant",
      target: "floor",
      rate: 1000,
      seconds: 10,
      requests: [{ path: "/api/sante/vivant" }],
    });
    const reads = await run(url, {
      name: "read routes (4, signed in)",
      target: "200 req/s, 0 errors, p99 < 50 ms",
      rate: 200,
      seconds: SECONDS,
      headers: { cookie },
      requests: [
        { path: `/api/territoires/commune/${commune}` },
        { path: `/api/territoires/commune/${commune}/iris` },
        { path: "/api/conventions" },
        { path: `/api/diffusions/${releases[0]!.id}` },
      ],
    });
    const statics = await run(url, {
      name: `static /assets/${asset.slice(0, 12)}…`,
      target: "1,000 req/s",
      rate: 1000,
      seconds: 20,
      requests: [{ path: `/assets/${asset}` }],
      // As a browser asks for it.
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    console.log(
      `same run, against the baseline (which reached ${Math.round(100 * baseline.share)} % of its offered rate, p99 ${baseline.p99} ms): ` +
        `read routes ${(reads.share / baseline.share).toFixed(2)}× its share, static ${(statics.share / baseline.share).toFixed(2)}×`,
    );
    ok &&=
      reads.errors === 0 && reads.p99 < 50 && reads.rps >= 190 && statics.rps >= 950 && statics.errors === 0;
  }
  // Server CPU per request of each route alone (as fast as it answers, 10 connections, after a warm-up):
  // what a request costs, whatever else runs on the machine.
  if (PER_ROUTE > 0) {
    console.log(`server CPU per request, each route alone (${PER_ROUTE} requests, 10 connections):`);
    const routes: [string, string][] = [
      ["baseline /api/sante/vivant", "/api/sante/vivant"],
      ["territory sheet", `/api/territoires/commune/${commune}`],
      ["IRIS contours", `/api/territoires/commune/${commune}/iris`],
      ["convention list", "/api/conventions"],
      ["release view", `/api/diffusions/${releases[0]!.id}`],
      ["Mes tâches", "/api/taches"],
      ["FED inbox", "/api/fed"],
      ["static bundle (gzip)", `/assets/${asset}`],
    ];
    for (const [name, route] of routes) {
      const headers = route.startsWith("/assets/") ? { "accept-encoding": "gzip, deflate, br" } : { cookie };
      const once = (amount: number) =>
        autocannon({ url, connections: 10, amount, requests: [{ method: "GET", path: route }], headers });
      await once(200);
      const cpu0 = serverCpuMs(serverPid);
      const r = await once(PER_ROUTE);
      const ms = (serverCpuMs(serverPid) - cpu0) / Math.max(1, r.requests.total);
      console.log(`  ${name.padEnd(28)} ${ms.toFixed(2)} ms/request  (${r.non2xx + r.errors} errors)`);
    }
  }
  console.log(ok ? "targets met in every round" : "targets NOT met");
  process.exitCode = ok ? 0 : 1;
} finally {
  child.kill("SIGTERM");
}
