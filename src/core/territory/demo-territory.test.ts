import { describe, expect, it } from "vitest";
import { demoTerritory } from "./demo-territory.js";
import { area, checkGeometry } from "./geometry.js";

describe("fictional demo territory", () => {
  const t = demoTerritory();

  it("has at least 5 communes and 40 IRIS, all in the fictional département 00", () => {
    expect(t.communes.length).toBeGreaterThanOrEqual(5);
    expect(t.iris.length).toBeGreaterThanOrEqual(40);
    for (const i of t.iris) expect(i.code).toMatch(/^00\d{7}$/);
  });

  it("tiles its 12 km × 8 km rectangle exactly with valid polygons", () => {
    for (const i of t.iris) expect(checkGeometry(i.geometry, "EPSG:2154")).toBeNull();
    const total = t.iris.reduce((s, i) => s + area(i.geometry), 0);
    expect(total).toBeCloseTo(12_000 * 8_000, -3);
  });

  it("is the same for the same seed", () => {
    expect(demoTerritory()).toEqual(t);
    expect(demoTerritory(7).iris[5]!.geometry).not.toEqual(t.iris[5]!.geometry);
  });

  it("gives each commune the sum of its IRIS populations", () => {
    for (const c of t.communes)
      expect(c.population).toBe(
        t.iris.filter((i) => i.communeCode === c.code).reduce((s, i) => s + i.population, 0),
      );
  });
});
