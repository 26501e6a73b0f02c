/**
 * Point in IRIS: which IRIS contains a point (Lambert-93 metres, or any
 * planar CRS the contours are given in). A flatbush R-tree over the IRIS
 * envelopes, then an even-odd ray test on flat coordinate arrays (holes and
 * multipolygons included). A point just outside every IRIS of its commune
 * (BAN points and generalised contours disagree by a few metres) goes to the
 * nearest IRIS of that commune within a tolerance.
 */
import Flatbush from "flatbush";
import type { AreaGeometry } from "../core/territory/geometry.js";

export interface IrisShape {
  code: string;
  communeCode: string;
  geometry: AreaGeometry;
}

interface Shape {
  code: string;
  commune: string;
  /** Rings as flat [x0, y0, x1, y1, …] arrays; polygon boundaries and holes alike (even-odd). */
  rings: Float64Array[];
  bbox: [number, number, number, number];
}

export class IrisLocator {
  private readonly shapes: Shape[];
  private readonly tree: Flatbush | null;
  private readonly byCommune = new Map<string, number[]>();

  constructor(iris: readonly IrisShape[]) {
    this.shapes = iris.map((s) => {
      const polys = s.geometry.type === "Polygon" ? [s.geometry.coordinates] : s.geometry.coordinates;
      const rings: Float64Array[] = [];
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (const poly of polys)
        for (const ring of poly) {
          const flat = new Float64Array(ring.length * 2);
          ring.forEach((p, i) => {
            const x = p[0]!;
            const y = p[1]!;
            flat[2 * i] = x;
            flat[2 * i + 1] = y;
            if (x < minX) minX = x;
            if (y < minY) minY = y;
            if (x > maxX) maxX = x;
            if (y > maxY) maxY = y;
          });
          rings.push(flat);
        }
      return { code: s.code, commune: s.communeCode, rings, bbox: [minX, minY, maxX, maxY] };
    });
    this.shapes.forEach((s, i) => {
      const l = this.byCommune.get(s.commune);
      if (l) l.push(i);
      else this.byCommune.set(s.commune, [i]);
    });
    if (this.shapes.length === 0) {
      this.tree = null;
      return;
    }
    const tree = new Flatbush(this.shapes.length);
    for (const s of this.shapes) tree.add(s.bbox[0], s.bbox[1], s.bbox[2], s.bbox[3]);
    tree.finish();
    this.tree = tree;
  }

  get size(): number {
    return this.shapes.length;
  }

  hasCommune(commune: string): boolean {
    return this.byCommune.has(commune);
  }

  irisOfCommune(commune: string): string[] {
    return (this.byCommune.get(commune) ?? []).map((i) => this.shapes[i]!.code);
  }

  /** The IRIS containing (x, y), or null. */
  locate(x: number, y: number): string | null {
    if (!this.tree) return null;
    const hits = this.tree.search(x, y, x, y);
    for (const i of hits) if (inside(this.shapes[i]!.rings, x, y)) return this.shapes[i]!.code;
    return null;
  }

  /**
   * The IRIS of `commune` containing (x, y); else the nearest one within
   * `tolerance` (same unit as the coordinates); else null.
   */
  locateInCommune(commune: string, x: number, y: number, tolerance = 50): string | null {
    const own = this.byCommune.get(commune);
    if (!own) return null;
    for (const i of own) {
      const s = this.shapes[i]!;
      if (x < s.bbox[0] || x > s.bbox[2] || y < s.bbox[1] || y > s.bbox[3]) continue;
      if (inside(s.rings, x, y)) return s.code;
    }
    let best: string | null = null;
    let bestD = tolerance * tolerance;
    for (const i of own) {
      const s = this.shapes[i]!;
      const d = squaredDistanceToRings(s.rings, x, y);
      if (d <= bestD) {
        bestD = d;
        best = s.code;
      }
    }
    return best;
  }
}

function inside(rings: readonly Float64Array[], x: number, y: number): boolean {
  let c = false;
  for (const r of rings) {
    const n = r.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const yi = r[i + 1]!;
      const yj = r[j + 1]!;
      if (yi > y !== yj > y) {
        const xi = r[i]!;
        const xj = r[j]!;
        if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
    }
  }
  return c;
}

function squaredDistanceToRings(rings: readonly Float64Array[], x: number, y: number): number {
  let best = Infinity;
  for (const r of rings)
    for (let i = 0; i + 3 < r.length; i += 2) {
      const ax = r[i]!;
      const ay = r[i + 1]!;
      const dx = r[i + 2]! - ax;
      const dy = r[i + 3]! - ay;
      const len = dx * dx + dy * dy;
      let t = len > 0 ? ((x - ax) * dx + (y - ay) * dy) / len : 0;
      t = Math.max(0, Math.min(1, t));
      const px = ax + t * dx - x;
      const py = ay + t * dy - y;
      const d = px * px + py * py;
      if (d < best) best = d;
    }
  return best;
}
