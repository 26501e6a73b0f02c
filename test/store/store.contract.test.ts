/**
 * The store contract: the same suite on PGlite and on PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AreaGeometry } from "../../src/core/territory/geometry.js";
import { vertexCount } from "../../src/core/territory/simplify.js";
import { importIrisFile } from "../../src/geo/iris-import.js";
import { importPopulationFile } from "../../src/ingest/population.js";
import { appendAudit, appendAuditBatchOnce, auditBatcher, verifyAudit } from "../../src/store/audit.js";
import { ensureCog } from "../../src/store/cog-etalab.js";
import { seedDemo } from "../../src/store/demo.js";
import { migrate } from "../../src/store/migrate.js";
import { irisFeatures, territoryInfo } from "../../src/store/territories.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";
import { fixture } from "../helpers/fixtures.js";

describe.each(ENGINES)("store on %s", (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb(engine);
    await ensureCog(t.db);
  });
  afterAll(async () => t?.drop());

  it("runs migrations once and again without change", async () => {
    expect(await migrate(t.db)).toEqual([]);
    const v = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migration");
    expect(v[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it("loads the COG with arrondissements under their commune and communes in their EPCI", async () => {
    const rows = await t.db.query<{ code: string; commune_parent: string | null; epci_code: string | null }>(
      "SELECT code, commune_parent, epci_code FROM commune WHERE code IN ('69381', '69123', '2A004', '76540') ORDER BY code",
    );
    expect(rows).toEqual([
      { code: "2A004", commune_parent: null, epci_code: "242010056" },
      { code: "69123", commune_parent: null, epci_code: "200046977" },
      { code: "69381", commune_parent: "69123", epci_code: "200046977" },
      { code: "76540", commune_parent: null, epci_code: "200023414" },
    ]);
    const n = await t.db.query<{ communes: number; epci: number; deps: number }>(
      `SELECT (SELECT count(*) FROM commune WHERE kind = 'commune')::int AS communes,
              (SELECT count(*) FROM epci)::int AS epci, (SELECT count(*) FROM departement)::int AS deps`,
    );
    expect(n[0]!.communes).toBeGreaterThan(34_000);
    expect(n[0]!.epci).toBeGreaterThan(1_200);
    expect(n[0]!.deps).toBeGreaterThanOrEqual(101);
  });

  it("imports the 42 IRIS of Rouen whose 2013 population sums to 110,754", async () => {
    const r = await importIrisFile(t.db, fixture("geo/rouen-iris/Rouen_iris.shp"));
    expect(r).toMatchObject({ iris: 42, communes: 1, crs: "EPSG:2154" });
    await importPopulationFile(t.db, fixture("insee/base-ic-evol-struct-pop-2013-dep76.csv"));
    const info = await territoryInfo(t.db, "commune", "76540");
    expect(info).toMatchObject({ iris: 42, population: 110_754, anneePopulation: 2013 });
    expect(info.parents.map((p) => p.code)).toEqual(["200023414", "76", "28"]);
    const fc = await irisFeatures(t.db, "commune", "76540");
    expect(fc.features).toHaveLength(42);
    for (const f of fc.features) expect(String(f.id)).toMatch(/^76540\d{4}$/);
    // WGS84 for display: Rouen is near 1.09° E, 49.44° N.
    const [lon, lat] = (fc.features[0]!.geometry as { coordinates: number[][][] }).coordinates[0]![0]!;
    expect(lon).toBeGreaterThan(1.0);
    expect(lon).toBeLessThan(1.2);
    expect(lat).toBeGreaterThan(49.4);
    expect(lat).toBeLessThan(49.5);
    // Contours sent for display are simplified (about 2 m): fewer vertices than stored, every IRIS kept.
    const stored = (
      await t.db.query<{ g: AreaGeometry }>("SELECT geom_wgs84 AS g FROM iris WHERE commune_code = '76540'")
    ).reduce((n, r) => n + vertexCount(r.g), 0);
    const sent = fc.features.reduce((n, f) => n + vertexCount(f.geometry as AreaGeometry), 0);
    expect(sent).toBeGreaterThan(42 * 4);
    expect(sent).toBeLessThan(stored);
  });

  it("imports the 358 IRIS of the Lyon area in 30 communes and arrondissements, each in its EPCI", async () => {
    const r = await importIrisFile(t.db, fixture("geo/lyon-iris.geojson"));
    expect(r).toMatchObject({ iris: 358, communes: 30, crs: "EPSG:4326" });
    const rows = await t.db.query<{ prefix: string; epci: string; n: number }>(
      `SELECT substr(i.code, 1, 5) AS prefix, c.epci_code AS epci, count(*)::int AS n
       FROM iris i JOIN commune c ON c.code = i.commune_code WHERE i.code LIKE '69%' GROUP BY 1, 2`,
    );
    expect(rows.reduce((s, r) => s + r.n, 0)).toBe(358);
    expect(new Set(rows.map((r) => r.prefix)).size).toBe(30);
    // Every commune of this file is in the Métropole de Lyon, arrondissements included.
    expect(new Set(rows.map((r) => r.epci))).toEqual(new Set(["200046977"]));
    const lyon = await territoryInfo(t.db, "commune", "69123");
    expect(lyon.iris).toBeGreaterThan(0);
    const metro = await territoryInfo(t.db, "epci", "200046977");
    expect(metro.iris).toBe(358);
  });

  it("replaces the IRIS of a commune when its contours are imported again", async () => {
    const r = await importIrisFile(t.db, fixture("geo/rouen-iris/Rouen_iris_number.shp"));
    expect(r).toMatchObject({ iris: 42, replaced: 42 });
    const n = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM iris WHERE commune_code = '76540'",
    );
    expect(n[0]!.n).toBe(42);
  });

  it("rolls a failed transaction back entirely", async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO region (code, nom) VALUES ('ZZ', 'temporaire')");
        throw new Error("échec volontaire");
      }),
    ).rejects.toThrow("échec volontaire");
    expect(await t.db.query("SELECT 1 FROM region WHERE code = 'ZZ'")).toEqual([]);
  });

  it("seeds the fictional demo territory once, flagged as fictional", async () => {
    const fakeHash = async (p: string) => `hash:${p}`;
    expect(await seedDemo(t.db, fakeHash)).toEqual({ created: true });
    expect(await seedDemo(t.db, fakeHash)).toEqual({ created: false });
    const info = await territoryInfo(t.db, "epci", "000000001");
    expect(info.fictif).toBe(true);
    expect(info.communes).toBeGreaterThanOrEqual(5);
    expect(info.iris).toBeGreaterThanOrEqual(40);
    expect(info.population).toBeGreaterThan(0);
  });

  it("chains audit entries and detects an edited or deleted row", async () => {
    for (let i = 0; i < 5; i++)
      await appendAudit(t.db, { actorId: null, action: "test", detail: { i, texte: "é" } });
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true });
    await t.db.query("UPDATE audit_log SET detail = '{\"i\": 99}' WHERE seq = 2");
    const edited = await verifyAudit(t.db);
    expect(edited.ok).toBe(false);
    expect(edited.problems).toContainEqual({ kind: "modifiee", seq: 2 });
  });

  it("appends audit entries from concurrent writers without breaking the chain", async () => {
    const fresh = await freshDb(engine);
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => appendAudit(fresh.db, { actorId: null, action: `x${i}` })),
      );
      const v = await verifyAudit(fresh.db);
      expect(v).toMatchObject({ ok: true, entries: 20 });
      await fresh.db.query("DELETE FROM audit_log WHERE seq = 20");
      expect((await verifyAudit(fresh.db)).problems).toEqual([
        { kind: "tete", expectedSeq: 20, foundSeq: 19 },
      ]);
    } finally {
      await fresh.drop();
    }
  });

  it("keeps one chain when the request audit's batches and single appends (logins) interleave", async () => {
    const fresh = await freshDb(engine);
    try {
      const batcher = auditBatcher(fresh.db);
      const requests = Array.from({ length: 60 }, (_, i) =>
        batcher.append({ actorId: null, action: "http.requete", detail: { i } }),
      );
      const logins = Array.from({ length: 6 }, (_, i) =>
        appendAudit(fresh.db, { actorId: null, action: "auth.connexion", detail: { i } }),
      );
      await Promise.all([...requests, ...logins]);
      // Later batches after a login moved the head under the batcher.
      for (let round = 0; round < 3; round++) {
        await appendAudit(fresh.db, { actorId: null, action: "auth.connexion", detail: { round } });
        await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            batcher.append({ actorId: null, action: "http.requete", detail: { round, i } }),
          ),
        );
      }
      // One statement against the head it expects; nothing at all against a head that moved.
      const [h] = await fresh.db.query<{ last_seq: string; last_hash: string }>(
        "SELECT last_seq, last_hash FROM audit_head",
      );
      const head = { seq: Number(h!.last_seq), hash: h!.last_hash };
      const entry = { actorId: null, action: "http.requete", detail: { seul: true } };
      expect(await appendAuditBatchOnce(fresh.db, { ...head, seq: head.seq - 1 }, [entry])).toBeNull();
      expect(await appendAuditBatchOnce(fresh.db, head, [entry])).toMatchObject({ seq: head.seq + 1 });
      expect(await appendAuditBatchOnce(fresh.db, head, [entry])).toBeNull();
      const v = await verifyAudit(fresh.db);
      expect(v).toMatchObject({ ok: true, entries: 60 + 6 + 3 * 6 + 1 });
      const actions = await fresh.db.query<{ action: string; n: number }>(
        "SELECT action, count(*)::int AS n FROM audit_log GROUP BY action ORDER BY action",
      );
      expect(actions).toEqual([
        { action: "auth.connexion", n: 9 },
        { action: "http.requete", n: 76 },
      ]);
    } finally {
      await fresh.drop();
    }
  });
});
