/**
 * Browser tests: the web front built once into a temporary folder, and
 * Debian's chromium driven headless through playwright-core.
 */
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { build } from "vite";
import { PROJECT_ROOT } from "./fixtures.js";

export const CHROMIUM = process.env.SOCLE_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = path.join(PROJECT_ROOT, "test-artifacts");

/** Builds the web front and returns the folder to serve. */
export async function buildWeb(): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), "socle-web-"));
  await build({
    configFile: path.join(PROJECT_ROOT, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium introuvable (${CHROMIUM}) : apt-get install chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
