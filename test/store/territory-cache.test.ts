/**
 * Territory sheets and IRIS contours served from memory stay true: a
 * population import, new IRIS contours or a COG change (made through any
 * connection, as a CLI import would) shows at the next read; an unknown
 * territory is still a 404 after a known one was read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { seedDemoTerritory } from "../../src/store/demo.js";
import { upsertPopulation } from "../../src/store/territories.js";
import { cachedIrisFeatures, cachedTerritoryInfo } from "../../src/store/territory-cache.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";

describe.each(ENGINES)("territory reads kept in memory (%s)", (engine) => {
  let t: TestDb;
  const demo = demoTerritory();
  const commune = demo.communes[0]!.code;
  beforeAll(async () => {
    t = await freshDb(engine);
    await seedDemoTerritory(t.db);
  }, 120_000);
  afterAll(async () => t?.drop());

  it("shows a new population vintage at the next read", async () => {
    const before = await cachedTerritoryInfo(t.db, "commune", commune);
    expect(await cachedTerritoryInfo(t.db, "commune", commune)).toEqual(before);
    const irisOfCommune = demo.iris.filter((i) => i.communeCode === commune);
    await upsertPopulation(
      t.db,
      irisOfCommune.map((i) => ({ iris: i.code, annee: demo.anneePopulation + 1, population: 1000 })),
      "test",
    );
    const after = await cachedTerritoryInfo(t.db, "commune", commune);
    expect(after.anneePopulation).toBe(demo.anneePopulation + 1);
    expect(after.population).toBe(1000 * irisOfCommune.length);
    const features = await cachedIrisFeatures(t.db, "commune", commune);
    expect(JSON.stringify(features)).toContain('"population":1000');
  });

  it("shows renamed IRIS and communes at the next read, whoever wrote them", async () => {
    const iris = demo.iris.find((i) => i.communeCode === commune)!;
    expect(JSON.stringify(await cachedIrisFeatures(t.db, "commune", commune))).toContain(iris.nom);
    await t.db.query("UPDATE iris SET nom = 'IRIS renommé' WHERE code = $1", [iris.code]);
    expect(JSON.stringify(await cachedIrisFeatures(t.db, "commune", commune))).toContain("IRIS renommé");
    await t.db.query("UPDATE commune SET nom = 'Commune renommée' WHERE code = $1", [commune]);
    expect((await cachedTerritoryInfo(t.db, "commune", commune)).nom).toBe("Commune renommée");
  });

  it("still finds no unknown territory", async () => {
    await expect(cachedTerritoryInfo(t.db, "commune", "99998")).rejects.toMatchObject({
      kind: "introuvable",
    });
    await expect(cachedTerritoryInfo(t.db, "commune", "99998")).rejects.toMatchObject({
      kind: "introuvable",
    });
  });
});
