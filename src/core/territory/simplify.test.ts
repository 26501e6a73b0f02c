import { describe, expect, it } from "vitest";
import { simplifyArea, simplifyRing, vertexCount } from "./simplify.js";

describe("contours simplified for display", () => {
  it("drops the vertices lying on a side of a square and keeps its corners", () => {
    const ring: number[][] = [];
    for (const [sx, sy, dx, dy] of [
      [2, 50, 0.1, 0],
      [2.1, 50, 0, 0.1],
      [2.1, 50.1, -0.1, 0],
      [2, 50.1, 0, -0.1],
    ] as const)
      for (let k = 0; k < 8; k++) ring.push([sx + (dx * k) / 8, sy + (dy * k) / 8]);
    ring.push(ring[0]!);
    const out = simplifyRing(ring, 2e-5);
    expect(out).toEqual([
      [2, 50],
      [2.1, 50],
      [2.1, 50.1],
      [2, 50.1],
      [2, 50],
    ]);
  });

  it("keeps a bend larger than the tolerance and drops a wobble smaller than it", () => {
    const ring = [
      [0, 0],
      [0.5, 0.000001],
      [1, 0],
      [1, 1],
      [0.5, 0.6],
      [0, 1],
      [0, 0],
    ];
    const out = simplifyRing(ring, 2e-5);
    expect(out).toContainEqual([0.5, 0.6]);
    expect(out).not.toContainEqual([0.5, 0.000001]);
    expect(out.at(0)).toEqual(out.at(-1));
  });

  it("never drops an area smaller than the tolerance", () => {
    const tiny = [
      [0, 0],
      [0.000001, 0],
      [0.000001, 0.000001],
      [0, 0.000001],
      [0, 0],
    ];
    const g = simplifyArea({ type: "MultiPolygon", coordinates: [[tiny]] }, 2e-5);
    expect(vertexCount(g)).toBe(5);
  });
});
