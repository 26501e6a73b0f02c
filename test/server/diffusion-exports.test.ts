/**
 * Export options of a release through the API: the GeoPackage in Lambert-93
 * (EPSG:2154) beside WGS84, and the CSV of one table; a wrong option is a
 * French 400, and each variant has its own ETag.
 */
import initSqlJs from "sql.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoRelease } from "../../src/release/demo.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let caf: Client;
let id: string;
beforeAll(async () => {
  s = await startServer("pglite");
  await seedDemoRelease(s.db);
  caf = new Client(s.url);
  await caf.login("caf@demo.socle.example");
  id = (await caf.req("GET", "/api/conventions/demo-abs-valsocle/diffusions")).json[0].id;
}, 180_000);
afterAll(async () => s?.close());

const get = (path: string) =>
  fetch(`${s.url}/api/diffusions/${id}/export/${path}`, { headers: { cookie: caf.cookie! } });

async function layers(r: Response): Promise<{ table: string; srs: number }[]> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(new Uint8Array(await r.arrayBuffer()));
  try {
    const res = db.exec("SELECT table_name, srs_id FROM gpkg_contents ORDER BY table_name");
    return (res[0]?.values ?? []).map(([table, srs]) => ({ table: String(table), srs: Number(srs) }));
  } finally {
    db.close();
  }
}

describe("release export options", () => {
  it("offers the GeoPackage in Lambert-93 (EPSG:2154) beside WGS84, a layer per table", async () => {
    const wgs = await get("gpkg");
    expect(wgs.status).toBe(200);
    const wgsLayers = await layers(wgs);
    const release = (await caf.req("GET", `/api/diffusions/${id}`)).json;
    expect(wgsLayers.length).toBe(release.tableaux.length);
    expect(new Set(wgsLayers.map((l) => l.srs))).toEqual(new Set([4326]));
    const l93 = await get("gpkg?epsg=2154");
    expect(l93.status).toBe(200);
    expect(l93.headers.get("content-disposition")).toMatch(/-lambert93\.gpkg"$/);
    expect(l93.headers.get("etag")).not.toBe(wgs.headers.get("etag"));
    const l93Layers = await layers(l93);
    expect(l93Layers.map((l) => l.table)).toEqual(wgsLayers.map((l) => l.table));
    expect(new Set(l93Layers.map((l) => l.srs))).toEqual(new Set([2154]));
    const one = await layers(await get("gpkg?tableau=1&epsg=2154"));
    expect(one).toEqual([l93Layers.find((l) => l.table === one[0]!.table)!]);
  });

  it("gives the CSV of one table, or of every table by default", async () => {
    const all = (await (await get("csv")).text()).trim().split("\r\n").slice(1);
    const r1 = await get("csv?tableau=1");
    expect(r1.status).toBe(200);
    expect(r1.headers.get("content-disposition")).toMatch(/^attachment; filename="diffusion-.+-.+\.csv"$/);
    const one = (await r1.text()).trim().split("\r\n").slice(1);
    const names = (lines: string[]) => new Set(lines.map((l) => l.split(";")[0]));
    expect(names(one).size).toBe(1);
    expect(names(all).size).toBeGreaterThan(1);
    expect(all).toEqual(expect.arrayContaining(one));
  });

  it("refuses an option that does not apply, in French", async () => {
    const cases: [string, string][] = [
      ["csv?epsg=2154", "La projection (epsg) ne s'applique qu'au GeoPackage."],
      ["gpkg?epsg=3857", "Projection attendue : 4326 (WGS84) ou 2154 (Lambert-93)."],
      ["csv?tableau=99", "Tableau 99 absent : la diffusion en compte"],
      ["xlsx?tableau=0", "Le classeur XLSX contient toujours tous les tableaux (une feuille chacun)."],
    ];
    for (const [path, message] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect((await r.json()).erreur.message, path).toContain(message);
    }
  });
});
