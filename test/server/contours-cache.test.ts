/**
 * The IRIS contours a map asks for are kept serialised and gzipped while
 * the territorial referential is unchanged: sent compressed with the ETag
 * of their bytes, a 304 without body when the browser already holds them,
 * and new contours (an import, a rename, through any connection) once the
 * server's read cache (1 s) has let the referential's counter be read
 * again. Indicator values answers are kept and sent the same way.
 */
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_CACHE_MS } from "../../src/server/read-cache.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let cookie: string;

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(s.url + path, { headers: { cookie, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on("error", reject);
      req.end();
    },
  );
}

const URL_EPCI = "/api/territoires/epci/000000001/iris";

beforeAll(async () => {
  s = await startServer();
  const c = new Client(s.url);
  await c.login("ccas@demo.socle.example");
  cookie = c.cookie!;
}, 120_000);
afterAll(async () => s?.close());

describe("IRIS contours for the map", () => {
  it("come gzipped with an ETag, and a browser that holds them gets a 304 without body", async () => {
    const r = await get(URL_EPCI, { "accept-encoding": "gzip, deflate, br" });
    expect(r.status).toBe(200);
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(r.headers["cache-control"]).toBe("private, no-cache");
    expect(String(r.headers["content-type"])).toMatch(/^application\/json/);
    const etag = String(r.headers.etag);
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const fc = JSON.parse(gunzipSync(r.body).toString("utf8"));
    expect(fc.features.length).toBeGreaterThanOrEqual(40);
    expect(fc.features[0].properties.population).toBeGreaterThan(0);
    // The compressed answer is a fraction of the JSON.
    expect(r.body.length).toBeLessThan(gunzipSync(r.body).length / 2);

    const again = await get(URL_EPCI, { "accept-encoding": "gzip", "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    // A client that does not accept gzip reads the same JSON.
    const plain = await get(URL_EPCI);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers.etag).toBe(etag);
    expect(JSON.parse(plain.body.toString("utf8"))).toEqual(fc);
  });

  it("change once the read cache's delay is past when the referential changes, whoever wrote it", async () => {
    const first = await get(URL_EPCI, { "accept-encoding": "gzip" });
    const etag = String(first.headers.etag);
    const code = JSON.parse(gunzipSync(first.body).toString("utf8")).features[0].properties.code as string;
    // Written straight to the database, as a CLI import on the same PostgreSQL would:
    // the server reads the referential's counter again after its read cache's delay.
    await s.db.query("UPDATE iris SET nom = 'IRIS renommé pour la carte' WHERE code = $1", [code]);
    await new Promise((r) => setTimeout(r, READ_CACHE_MS + 100));
    const after = await get(URL_EPCI, { "accept-encoding": "gzip", "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(gunzipSync(after.body).toString("utf8")).toContain("IRIS renommé pour la carte");
  });

  it("of an unknown territory are a 404 with a French message, every time", async () => {
    for (let k = 0; k < 2; k++) {
      const r = await get("/api/territoires/commune/99999/iris", { "accept-encoding": "gzip" });
      expect(r.status).toBe(404);
      expect(r.headers.etag).toBeUndefined();
      const body = r.headers["content-encoding"] === "gzip" ? gunzipSync(r.body) : r.body;
      expect(JSON.parse(body.toString("utf8")).erreur.message).toMatch(/introuvable/i);
    }
  });

  it("indicator values come gzipped too, revalidated by the ETag of their bytes", async () => {
    const catalogue = JSON.parse((await get("/api/indicateurs")).body.toString("utf8")) as {
      indicateurs: { id: string }[];
    };
    // Whatever the answer holds (here the demo analyst reads no value of it), it is kept and revalidated.
    const url = `/api/indicateurs/${catalogue.indicateurs[0]!.id}/valeurs?niveau=commune`;
    const r = await get(url, { "accept-encoding": "gzip" });
    expect(r.status).toBe(200);
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(r.headers["cache-control"]).toBe("private, no-cache");
    const values = JSON.parse(gunzipSync(r.body).toString("utf8"));
    expect(Array.isArray(values.valeurs)).toBe(true);
    expect(values.indicateur.id).toBe(catalogue.indicateurs[0]!.id);
    const again = await get(url, { "accept-encoding": "gzip", "if-none-match": String(r.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it("are not sent to a visitor without a session", async () => {
    const r = await new Client(s.url).req("GET", URL_EPCI);
    expect(r.status).toBe(401);
  });
});
