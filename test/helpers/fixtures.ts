import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** ../shared/fixtures beside the project root (read-only reference data). */
export const FIXTURES = path.resolve(root, "../shared/fixtures");
export const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);
export const hasFixtures = existsSync(FIXTURES);
export const PROJECT_ROOT = root;
