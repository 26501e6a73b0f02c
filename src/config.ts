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
    .string()
    .default("false")
    .transform((v, ctx): TrustProxy => {
      const t = v.trim();
      if (t === "" || t === "false" || t === "0") return false;
      if (t === "true") return 1;
      if (/^\d+$/.test(t)) return Number(t);
      const addresses = t.split(",").map((a) => a.trim());
      if (addresses.every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) return addresses;
      ctx.addIssue({
        code: "custom",
        message: "nombre de relais (0, 1, 2…) ou adresses des relais séparées par des virgules attendu",
      });
      return z.NEVER;
    }),
  SOCLE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "silent"]).default("info"),
});

/**
 * Which reverse proxies are trusted for X-Forwarded-For/-Proto: none, the
 * last N hops, or the proxies at these addresses (CIDR allowed). Trusting
 * every hop would let a client pick its own address.
 */
export type TrustProxy = false | number | string[];

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
  /** Behind an HTTPS reverse proxy: trust X-Forwarded-* from these hops and mark cookies Secure. */
  trustProxy: TrustProxy;
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
