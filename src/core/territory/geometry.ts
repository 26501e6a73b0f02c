/**
 * Planar polygon geometry: validation, bounds and area, in whatever CRS the
 * coordinates are given. Only Polygon and MultiPolygon exist for IRIS.
 */
import type { MultiPolygon, Polygon, Position } from "geojson";

export type Crs = "EPSG:2154" | "EPSG:4326";

export const CRS_LABEL: Record<Crs, string> = {
  "EPSG:2154": "Lambert-93 (EPSG:2154)",
  "EPSG:4326": "WGS84 (EPSG:4326)",
};

/** Envelope of valid coordinates: metropolitan France for Lambert-93, the globe for WGS84. */
const CRS_BOUNDS: Record<Crs, [number, number, number, number]> = {
  "EPSG:2154": [-400_000, 5_900_000, 1_400_000, 7_300_000],
  "EPSG:4326": [-180, -90, 180, 90],
};

export type AreaGeometry = Polygon | MultiPolygon;
export type BBox = [number, number, number, number];

export type GeometryProblem =
  | "absente"
  | "type"
  | "vide"
  | "coordonnees"
  | "anneau_ouvert"
  | "anneau_court"
  | "surface_nulle"
  | "hors_crs";

export const GEOMETRY_PROBLEM_FR: Record<GeometryProblem, string> = {
  absente: "géométrie absente",
  type: "type de géométrie inattendu (attendu : Polygon ou MultiPolygon)",
  vide: "géométrie vide",
  coordonnees: "coordonnées non numériques",
  anneau_ouvert: "anneau non fermé (le dernier point doit répéter le premier)",
  anneau_court: "anneau de moins de 4 points",
  surface_nulle: "polygone de surface nulle",
  hors_crs: "coordonnées hors des bornes du système de coordonnées déclaré",
};

function polygonsOf(g: AreaGeometry): Position[][][] {
  return g.type === "Polygon" ? [g.coordinates] : g.coordinates;
}

/** Signed shoelace area of one ring (positive when counter-clockwise). */
export function ringArea(ring: readonly Position[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!;
    const b = ring[i]!;
    s += (a[0]! - b[0]!) * (a[1]! + b[1]!);
  }
  return s / 2;
}

/** Area of a (multi)polygon: outer rings minus holes, in squared CRS units. */
export function area(g: AreaGeometry): number {
  let total = 0;
  for (const poly of polygonsOf(g)) {
    poly.forEach((ring, i) => {
      const a = Math.abs(ringArea(ring));
      total += i === 0 ? a : -a;
    });
  }
  return total;
}

export function bbox(g: AreaGeometry): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of polygonsOf(g))
    for (const ring of poly)
      for (const p of ring) {
        if (p[0]! < b[0]) b[0] = p[0]!;
        if (p[1]! < b[1]) b[1] = p[1]!;
        if (p[0]! > b[2]) b[2] = p[0]!;
        if (p[1]! > b[3]) b[3] = p[1]!;
      }
  return b;
}

/** Drops any Z/M ordinate, so stored geometries are 2-D. */
export function to2d(g: AreaGeometry): AreaGeometry {
  const flat = (ring: Position[]) => ring.map((p) => [p[0]!, p[1]!]);
  return g.type === "Polygon"
    ? { type: "Polygon", coordinates: g.coordinates.map(flat) }
    : { type: "MultiPolygon", coordinates: g.coordinates.map((poly) => poly.map(flat)) };
}

/** Checks a geometry read from a file; returns the first problem found, or null. */
export function checkGeometry(raw: unknown, crs: Crs): GeometryProblem | null {
  if (raw === null || raw === undefined) return "absente";
  const g = raw as { type?: unknown; coordinates?: unknown };
  if (g.type !== "Polygon" && g.type !== "MultiPolygon") return "type";
  if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return "vide";
  const polys = (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as unknown[];
  const [minX, minY, maxX, maxY] = CRS_BOUNDS[crs];
  for (const poly of polys) {
    if (!Array.isArray(poly) || poly.length === 0) return "vide";
    for (const ring of poly) {
      if (!Array.isArray(ring) || ring.length === 0) return "vide";
      if (ring.length < 4) return "anneau_court";
      for (const p of ring) {
        if (!Array.isArray(p) || p.length < 2) return "coordonnees";
        const [x, y] = p as unknown[];
        if (typeof x !== "number" || typeof y !== "number" || !Number.isFinite(x) || !Number.isFinite(y))
          return "coordonnees";
        if (x < minX || x > maxX || y < minY || y > maxY) return "hors_crs";
      }
      const first = ring[0] as number[];
      const last = ring[ring.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1]) return "anneau_ouvert";
    }
  }
  if (area(to2d(raw as AreaGeometry)) <= 0) return "surface_nulle";
  return null;
}
