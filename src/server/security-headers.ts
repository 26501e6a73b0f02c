/**
 * The security headers (helmet's: Content-Security-Policy, X-Frame-Options,
 * Referrer-Policy, …) are the same for every answer, so they are computed
 * once at start-up and set from a prepared list. `@fastify/helmet` builds
 * helmet's middleware again on every request (re-parsing the CSP
 * directives): a profile of the read routes under bench:load put it at
 * ~0.3 ms of CPU per request, more than the baseline route costs.
 */
import fastifyHelmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";

/** Headers a plain Fastify answer has anyway: not helmet's. */
const OWN = new Set(["content-type", "content-length", "date", "connection", "keep-alive"]);

/** The headers `@fastify/helmet` sets with these options, read once from a throwaway instance. */
export async function securityHeaders(options: FastifyHelmetOptions): Promise<[string, string][]> {
  const probe = Fastify({ logger: false });
  await probe.register(fastifyHelmet, options);
  probe.get("/", async () => "");
  const r = await probe.inject({ method: "GET", url: "/" });
  await probe.close();
  return Object.entries(r.headers)
    .filter(([k, v]) => !OWN.has(k.toLowerCase()) && typeof v === "string")
    .map(([k, v]) => [k, v as string]);
}

/** Sets the security headers on every answer, before any handler runs (as helmet does). */
export async function installSecurityHeaders(
  app: FastifyInstance,
  options: FastifyHelmetOptions,
): Promise<void> {
  const headers = await securityHeaders(options);
  app.addHook("onRequest", (_request, reply, done) => {
    for (const [k, v] of headers) reply.raw.setHeader(k, v);
    done();
  });
}
