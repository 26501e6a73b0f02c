/**
 * The `socle` command as its own process, for the kill -9 tests: a command
 * killed with SIGKILL once a line of its output appears, the server started
 * and stopped (or killed) from outside. Every process started through one
 * `SocleProcesses` is killed by `killAll` (afterAll), whatever a test left.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "./fixtures.js";

const CLI = ["--import", "tsx", path.join(PROJECT_ROOT, "src/cli/main.ts")];

/** Kill -9 the process `afterMs` after `marker` appears in its output (0: on that very line). */
export interface KillAt {
  marker: RegExp;
  afterMs: number;
}

export class SocleProcesses {
  private readonly children = new Set<ChildProcess>();
  private server: ChildProcess | undefined;

  /** `env`: the processes' environment (SOCLE_DATA_DIR…), read at each start. */
  constructor(private readonly env: () => NodeJS.ProcessEnv) {}

  private start(args: string[]): ChildProcess {
    const p = spawn(process.execPath, [...CLI, ...args], { cwd: PROJECT_ROOT, env: this.env() });
    this.children.add(p);
    p.once("exit", () => this.children.delete(p));
    return p;
  }

  /** Runs `socle …` to its end; with `kill`, kill -9 it as `kill` says. Null exit code: killed. */
  run(args: string[], kill?: KillAt): Promise<number | null> {
    const p = this.start(args);
    let output = "";
    let armed = false;
    const watch = (d: Buffer) => {
      output += d;
      if (kill && !armed && kill.marker.test(output)) {
        armed = true;
        if (kill.afterMs <= 0) p.kill("SIGKILL");
        else setTimeout(() => p.kill("SIGKILL"), kill.afterMs);
      }
    };
    p.stdout!.on("data", watch);
    p.stderr!.on("data", watch);
    return new Promise((resolve) => p.on("exit", (code) => resolve(code)));
  }

  /** Starts `socle serve` on a free loopback port; resolves with its URL once it listens. */
  serve(args: string[] = []): Promise<string> {
    const p = this.start(["serve", "--port", "0", "--host", "127.0.0.1", ...args]);
    this.server = p;
    let output = "";
    return new Promise((resolve, reject) => {
      p.stdout!.on("data", (d) => {
        output += d;
        const m = /prêt sur (http:\/\/\S+)/.exec(output);
        if (m) resolve(m[1]!.replace("localhost", "127.0.0.1"));
      });
      p.stderr!.on("data", (d) => (output += d));
      p.on("exit", () => reject(new Error(`server exited: ${output}`)));
    });
  }

  /** Stops the last server started (SIGTERM: it shuts down; SIGKILL: kill -9), once it has exited. */
  async stopServer(signal: NodeJS.Signals): Promise<void> {
    const p = this.server;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise((resolve) => {
      p.once("exit", resolve);
      p.kill(signal);
    });
  }

  killAll(): void {
    for (const p of this.children) p.kill("SIGKILL");
  }
}
