/**
 * The only place that reads process.env. Every setting is validated once into
 * a typed object; the rest of the program receives it as a parameter.
 */
import path from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  SOCLE_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SOCLE_HOST: z.string().min(1).default("localhost"),
  SOCLE_DATA_DIR: z.string().min(1).default("data"),
  SOCLE_DATABASE_URL: z.string().url().optional(),
  SOCLE_DEMO: z
    .enum(["0", "1", "true", "false"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "1" || v === "true")),
  SOCLE_SESSION_HOURS: z.coerce.number().positive().default(12),
  SOCLE_TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("false")
    .transform((v) => v === "1" || v === "true"),
  SOCLE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "silent"]).default("info"),
});

export interface Config {
  /** TCP port of the HTTP server (0 = any free port). */
  port: number;
  host: string;
  /** Folder of the embedded database and of local state. */
  dataDir: string;
  /** When set, a real PostgreSQL server is used instead of the embedded PGlite. */
  databaseUrl: string | undefined;
  /** Demo mode seeds the fictional territory and the demo accounts. */
  demo: boolean;
  sessionHours: number;
  /** Behind an HTTPS reverse proxy: trust X-Forwarded-* and mark cookies Secure. */
  trustProxy: boolean;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "silent";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Configuration invalide : ${issues}`);
  }
  const e = parsed.data;
  return {
    port: e.SOCLE_PORT,
    host: e.SOCLE_HOST,
    dataDir: path.resolve(e.SOCLE_DATA_DIR),
    databaseUrl: e.SOCLE_DATABASE_URL,
    demo: e.SOCLE_DEMO ?? false,
    sessionHours: e.SOCLE_SESSION_HOURS,
    trustProxy: e.SOCLE_TRUST_PROXY,
    logLevel: e.SOCLE_LOG_LEVEL,
    ...overrides,
  };
}
