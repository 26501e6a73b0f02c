import { describe, expect, it } from "vitest";
import {
  boxOf,
  fitBox,
  mercator,
  panBy,
  toBase,
  toScreen,
  visibleBox,
  ZOOM_MAX,
  zoomAt,
} from "./map-view.js";

describe("map view", () => {
  it("projects in Web Mercator with y pointing down: the north of Béthune is above its south", () => {
    expect(mercator(0, 0)).toEqual([0.5, 0.5]);
    const [, nord] = mercator(2.64, 50.55);
    const [, sud] = mercator(2.64, 50.5);
    expect(nord).toBeLessThan(sud);
    // The longitude is linear; the latitude is clamped near the poles (no infinite frame).
    expect(mercator(90, 0)[0]).toBeCloseTo(0.75, 12);
    expect(Number.isFinite(mercator(0, 90)[1])).toBe(true);
  });

  it("fits a frame into the viewport, centred, with its padding", () => {
    const v = fitBox([0, 0, 10, 5], 220, 220, 10);
    expect(v.k).toBe(20);
    expect(toScreen(v, 0, 0)).toEqual([10, 60]);
    expect(toScreen(v, 10, 5)).toEqual([210, 160]);
    // A single small territory is not blown up past the zoom asked.
    expect(fitBox([0, 0, 1, 1], 500, 500, 0, 40).k).toBe(40);
  });

  it("zooms around the pointer: the point under it stays under it", () => {
    const v = { k: 3, x: 17, y: -4 };
    const under = toBase(v, 120, 80);
    const z = zoomAt(v, 2.5, 120, 80);
    expect(z.k).toBe(7.5);
    const [sx, sy] = toScreen(z, ...under);
    expect(sx).toBeCloseTo(120, 9);
    expect(sy).toBeCloseTo(80, 9);
    expect(zoomAt({ k: ZOOM_MAX, x: 0, y: 0 }, 4, 0, 0).k).toBe(ZOOM_MAX);
  });

  it("pans by screen pixels and tells what part of the map is in view", () => {
    const v = panBy({ k: 2, x: 0, y: 0 }, -100, 50);
    expect(visibleBox(v, 200, 100)).toEqual([50, -25, 150, 25]);
    expect(toBase(v, ...toScreen(v, 7, 9))).toEqual([7, 9]);
  });

  it("has no frame without positions", () => {
    expect(boxOf([])).toBeNull();
    expect(boxOf([[1, 2] as const, [-3, 5] as const])).toEqual([-3, 2, 1, 5]);
  });
});
