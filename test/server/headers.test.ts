/**
 * Response headers: a Content-Security-Policy and the other helmet headers,
 * compression, and ETag with a long cache on frozen releases and on the web
 * front's hashed assets (index.html always revalidates).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoRelease } from "../../src/release/demo.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let caf: Client;
const web = mkdtempSync(path.join(tmpdir(), "socle-web-entetes-"));
const ASSET = "/assets/index-Bq3xY9_z.js";

beforeAll(async () => {
  mkdirSync(path.join(web, "assets"));
  writeFileSync(
    path.join(web, "index.html"),
    '<!doctype html><script type="module" src="/assets/index-Bq3xY9_z.js"></script>',
  );
  writeFileSync(path.join(web, ASSET), `console.log(${JSON.stringify("x".repeat(20_000))});`);
  s = await startServer("pglite", web);
  await seedDemoRelease(s.db);
  caf = new Client(s.url);
  await caf.login("caf@demo.socle.example");
}, 180_000);
afterAll(async () => {
  await s?.close();
  rmSync(web, { recursive: true, force: true });
});

describe("response headers", () => {
  it("sends a Content-Security-Policy and the helmet headers with the web front", async () => {
    const r = await fetch(`${s.url}/`);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("referrer-policy")).toBe("same-origin");
    expect(r.headers.get("cache-control")).toBe("no-cache");
  });

  it("caches hashed assets for a year, with an ETag, compressed", async () => {
    const r = await fetch(s.url + ASSET, { headers: { "accept-encoding": "gzip" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(r.headers.get("etag")).toBeTruthy();
    expect(r.headers.get("content-encoding")).toBe("gzip");
    // fetch() would add « Cache-Control: no-cache » to a conditional request: plain http.
    const status = await new Promise<number>((resolve, reject) =>
      get(s.url + ASSET, { headers: { "if-none-match": r.headers.get("etag")! } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on("error", reject),
    );
    expect(status).toBe(304);
  });

  it("serves a bundle's same bytes compressed or not, from memory, and no page for a missing bundle", async () => {
    const plain = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) =>
      get(s.url + ASSET, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () =>
          resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(parts) }),
        );
      }).on("error", reject),
    );
    expect(plain.encoding).toBeUndefined();
    // fetch() decompresses: the text is the file's whatever travelled.
    const gz = await fetch(s.url + ASSET, { headers: { "accept-encoding": "gzip" } });
    expect(gz.headers.get("vary")).toMatch(/accept-encoding/i);
    expect(gz.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await gz.text()).toBe(plain.body.toString("utf8"));
    expect(plain.body.toString("utf8")).toBe(`console.log(${JSON.stringify("x".repeat(20_000))});`);
    const missing = await fetch(`${s.url}/assets/index-Zz9zZz9z.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("Page introuvable.");
  });

  it("compresses large API answers", async () => {
    const r = await fetch(`${s.url}/api/docs`, { headers: { "accept-encoding": "gzip" } });
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect((await r.json()).openapi).toBe("3.1.0");
  });

  it("gives a frozen release an ETag and a long private cache, and a 304 to who holds it", async () => {
    const list = await caf.req("GET", "/api/conventions/demo-abs-valsocle/diffusions");
    expect(list.status).toBe(200);
    const id = list.json[0].id as string;
    const r = await fetch(`${s.url}/api/diffusions/${id}`, { headers: { cookie: caf.cookie! } });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const etag = r.headers.get("etag")!;
    // The CAF is no processor: its view (« s » for every secret) has its own tag.
    // The tag names the release and the reader's view, plus a hash of the stamps the convention asks for today.
    expect(etag).toMatch(new RegExp(`^"diffusion-${id}-lecteur-[0-9a-f]{12}"$`));
    const held = await fetch(`${s.url}/api/diffusions/${id}`, {
      headers: { cookie: caf.cookie!, "if-none-match": etag },
    });
    expect(held.status).toBe(304);
    expect(await held.text()).toBe("");
    // Holding the ETag gives nothing without the right to see the release.
    const anonymous = await fetch(`${s.url}/api/diffusions/${id}`, { headers: { "if-none-match": etag } });
    expect(anonymous.status).toBe(401);
    const csv = await fetch(`${s.url}/api/diffusions/${id}/export/csv`, { headers: { cookie: caf.cookie! } });
    expect(csv.headers.get("etag")).toBe(`"diffusion-${id}-csv-tous-4326"`);
  });
});
