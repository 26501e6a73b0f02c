/**
 * The geometry of the indicator map on screen, without the DOM: Web
 * Mercator (as the SVG export draws it), the frame that fits a set of
 * contours into a viewport, and the pan and zoom of a view over that frame.
 *
 * The map projects its contours once into "base" pixels (the frame fitted
 * to the viewport when the map was built); pan and zoom are then a
 * transform `screen = base × k + (x, y)` applied to those fixed paths, so a
 * change of indicator or of view never projects a vertex again.
 */

/** A rectangle: [minX, minY, maxX, maxY]. */
export type Box = readonly [number, number, number, number];

/** A view over base pixels: `screen = base × k + (x, y)`. */
export interface View {
  k: number;
  x: number;
  y: number;
}

export const IDENTITY: View = { k: 1, x: 0, y: 0 };

/** How far in and out the map zooms, relative to the whole frame. */
export const ZOOM_MIN = 0.5;
export const ZOOM_MAX = 256;

const clampLat = (lat: number) => Math.max(-85, Math.min(85, lat));

/**
 * Web Mercator in world units of 0..1, y pointing down (as on screen).
 * @example mercator(0, 0) // [0.5, 0.5]
 */
export function mercator(lng: number, lat: number): [number, number] {
  const phi = (clampLat(lat) * Math.PI) / 180;
  return [(lng + 180) / 360, (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2];
}

/** The frame of some positions, or null when there is none (no geometry). */
export function boxOf(points: Iterable<readonly [number, number]>): Box | null {
  let [a, b, c, d] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    if (x < a) a = x;
    if (y < b) b = y;
    if (x > c) c = x;
    if (y > d) d = y;
  }
  return Number.isFinite(a) ? [a, b, c, d] : null;
}

/** The union of two frames. */
export function unionBox(p: Box | null, q: Box | null): Box | null {
  if (!p) return q;
  if (!q) return p;
  return [Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[2], q[2]), Math.max(p[3], q[3])];
}

/**
 * The view that shows `box` whole and centred in a `width` × `height`
 * viewport with `padding` pixels around it, at most `kMax` (a single tiny
 * territory is not blown up to the viewport).
 * @example fitBox([0, 0, 10, 10], 120, 120, 10) // { k: 10, x: 10, y: 10 }
 */
export function fitBox(box: Box, width: number, height: number, padding: number, kMax = Infinity): View {
  const w = Math.max(box[2] - box[0], 1e-12);
  const h = Math.max(box[3] - box[1], 1e-12);
  const k = Math.min(
    kMax,
    Math.max(1e-12, (width - 2 * padding) / w),
    Math.max(1e-12, (height - 2 * padding) / h),
  );
  return { k, x: (width - (box[0] + box[2]) * k) / 2, y: (height - (box[1] + box[3]) * k) / 2 };
}

/** Screen position of a base position. */
export function toScreen(v: View, bx: number, by: number): [number, number] {
  return [bx * v.k + v.x, by * v.k + v.y];
}

/** Base position under a screen position (the inverse of `toScreen`). */
export function toBase(v: View, sx: number, sy: number): [number, number] {
  return [(sx - v.x) / v.k, (sy - v.y) / v.k];
}

/** The part of the base plane a `width` × `height` viewport shows. */
export function visibleBox(v: View, width: number, height: number): Box {
  const [a, b] = toBase(v, 0, 0);
  const [c, d] = toBase(v, width, height);
  return [a, b, c, d];
}

/** The view moved by (dx, dy) screen pixels. */
export function panBy(v: View, dx: number, dy: number): View {
  return { k: v.k, x: v.x + dx, y: v.y + dy };
}

/**
 * The view zoomed by `factor` around the screen point (sx, sy), which stays
 * under the pointer; the zoom stays within [ZOOM_MIN, ZOOM_MAX].
 * @example zoomAt({ k: 1, x: 0, y: 0 }, 2, 100, 100) // { k: 2, x: -100, y: -100 }
 */
export function zoomAt(v: View, factor: number, sx: number, sy: number): View {
  const k = Math.max(ZOOM_MIN, Math.min(ZOOM_MAX, v.k * factor));
  const f = k / v.k;
  return { k, x: sx - (sx - v.x) * f, y: sy - (sy - v.y) * f };
}
