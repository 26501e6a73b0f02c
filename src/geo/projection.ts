/**
 * Lambert-93 (EPSG:2154) ↔ WGS84 (EPSG:4326), and the metric form of a
 * geometry: Lambert-93 in metropolitan France, the local UTM overseas, kept
 * for point-in-polygon in metres; WGS84 is what maps display. The other
 * French CRSs are in crs.ts.
 */

import type { Position } from "geojson";
import proj4 from "proj4";
import type { AreaGeometry, Crs } from "../core/territory/geometry.js";
import { type MetricCrs, transformer } from "./crs.js";

proj4.defs(
  "EPSG:2154",
  "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs",
);

const toWgs84 = proj4("EPSG:2154", "EPSG:4326");

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

export function mapGeometry(g: AreaGeometry, f: (p: Position) => Position): AreaGeometry {
  const ring = (r: Position[]) => r.map(f);
  return g.type === "Polygon"
    ? { type: "Polygon", coordinates: g.coordinates.map(ring) }
    : { type: "MultiPolygon", coordinates: g.coordinates.map((p) => p.map(ring)) };
}

export function l93ToWgs84Point(x: number, y: number): [number, number] {
  const [lon, lat] = toWgs84.forward([x, y]) as [number, number];
  return [round(lon, 7), round(lat, 7)];
}

export function wgs84ToL93Point(lon: number, lat: number): [number, number] {
  const [x, y] = toWgs84.inverse([lon, lat]) as [number, number];
  return [round(x, 2), round(y, 2)];
}

/** Both forms of a geometry given in `crs`: WGS84 (7 decimals, ~1 cm) and Lambert-93 (cm). */
export function bothProjections(g: AreaGeometry, crs: Crs): { wgs84: AreaGeometry; l93: AreaGeometry } {
  if (crs === "EPSG:2154")
    return {
      wgs84: mapGeometry(g, (p) => l93ToWgs84Point(p[0]!, p[1]!)),
      l93: mapGeometry(g, (p) => [round(p[0]!, 2), round(p[1]!, 2)]),
    };
  return {
    wgs84: mapGeometry(g, (p) => [round(p[0]!, 7), round(p[1]!, 7)]),
    l93: mapGeometry(g, (p) => wgs84ToL93Point(p[0]!, p[1]!)),
  };
}

/** The metric CRS of a département's IRIS and BAN x/y: Lambert-93, or the local UTM overseas. */
export function metricCrsOf(communeCode: string): MetricCrs {
  const d = communeCode.slice(0, 3);
  if (d === "971" || d === "972" || d === "977" || d === "978") return "EPSG:5490";
  if (d === "973") return "EPSG:2972";
  if (d === "974") return "EPSG:2975";
  if (d === "976") return "EPSG:4471";
  return "EPSG:2154";
}

/**
 * Both forms of a geometry given in `crs`: WGS84 (7 decimals, ~1 cm) and
 * `metric` (cm), the CRS point-in-polygon runs in (Lambert-93 unless overseas).
 */
export function bothForms(
  g: AreaGeometry,
  crs: Crs,
  metric: MetricCrs,
): { wgs84: AreaGeometry; metric: AreaGeometry } {
  const { wgs84, l93 } = bothProjections(g, crs);
  if (metric === "EPSG:2154") return { wgs84, metric: l93 };
  const t = transformer("EPSG:4326", metric);
  return {
    wgs84,
    metric: mapGeometry(crs === "EPSG:4326" ? g : wgs84, (p) => {
      const [x, y] = t(p);
      return [round(x, 2), round(y, 2)];
    }),
  };
}
