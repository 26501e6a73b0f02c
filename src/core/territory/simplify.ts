/**
 * Contours simplified for display: Douglas–Peucker on each ring with a
 * tolerance in the contour's own units (degrees in WGS84), coordinates
 * rounded to that precision. A ring keeps at least its first three distinct
 * vertices and stays closed, so no polygon disappears; a map at the scale of
 * a département (or a street: 2e-5° is about 2 m) cannot tell the difference,
 * while the payload and the browser's tiling shrink with the vertex count.
 */
import type { Position } from "geojson";
import type { AreaGeometry } from "./geometry.js";

function sqSegDist(p: Position, a: Position, b: Position): number {
  let [x, y] = [a[0]!, a[1]!];
  let [dx, dy] = [b[0]! - x, b[1]! - y];
  if (dx !== 0 || dy !== 0) {
    const t = ((p[0]! - x) * dx + (p[1]! - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) [x, y] = [b[0]!, b[1]!];
    else if (t > 0) [x, y] = [x + dx * t, y + dy * t];
  }
  [dx, dy] = [p[0]! - x, p[1]! - y];
  return dx * dx + dy * dy;
}

function douglasPeucker(pts: readonly Position[], sqTol: number): Position[] {
  const keep = new Uint8Array(pts.length);
  keep[0] = 1;
  keep[pts.length - 1] = 1;
  const stack: [number, number][] = [[0, pts.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    let max = 0;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = sqSegDist(pts[i]!, pts[first]!, pts[last]!);
      if (d > max) [max, index] = [d, i];
    }
    if (index >= 0 && max > sqTol) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return pts.filter((_, i) => keep[i] === 1);
}

/** One closed ring, simplified; at least four positions (a triangle, closed). */
export function simplifyRing(ring: readonly Position[], tolerance: number): Position[] {
  // Rounded to the tolerance's decimal digits (10^d is exact, 1/tolerance is not).
  const factor = 10 ** Math.ceil(-Math.log10(tolerance));
  const round = (p: Position): Position => [
    Math.round(p[0]! * factor) / factor,
    Math.round(p[1]! * factor) / factor,
  ];
  if (ring.length <= 4) return ring.map(round);
  // Split the closed ring at its farthest vertex from the start, so both halves have fixed ends.
  let far = 1;
  let best = -1;
  for (let i = 1; i < ring.length - 1; i++) {
    const d = (ring[i]![0]! - ring[0]![0]!) ** 2 + (ring[i]![1]! - ring[0]![1]!) ** 2;
    if (d > best) [best, far] = [d, i];
  }
  const sq = tolerance * tolerance;
  const out = [
    ...douglasPeucker(ring.slice(0, far + 1), sq).slice(0, -1),
    ...douglasPeucker(ring.slice(far), sq),
  ].map(round);
  const distinct = out.filter((p, i) => i === 0 || p[0] !== out[i - 1]![0] || p[1] !== out[i - 1]![1]);
  if (distinct.length >= 4) return distinct;
  // Too small for the tolerance: keep the ring as it was (rounded), never drop an area.
  return ring.map(round);
}

/**
 * @example simplifyArea(iris.geom, 2e-5) // the same polygon with its collinear and sub-metre vertices dropped
 */
export function simplifyArea(g: AreaGeometry, tolerance: number): AreaGeometry {
  if (g.type === "Polygon")
    return { type: "Polygon", coordinates: g.coordinates.map((r) => simplifyRing(r, tolerance)) };
  return {
    type: "MultiPolygon",
    coordinates: g.coordinates.map((poly) => poly.map((r) => simplifyRing(r, tolerance))),
  };
}

/** Number of positions of an area (to tell what a simplification saved). */
export function vertexCount(g: AreaGeometry): number {
  const rings = g.type === "Polygon" ? g.coordinates : g.coordinates.flat();
  return rings.reduce((n, r) => n + r.length, 0);
}
