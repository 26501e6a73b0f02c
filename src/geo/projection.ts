/**
 * Lambert-93 (EPSG:2154) ↔ WGS84 (EPSG:4326). Lambert-93 is kept for
 * point-in-polygon in metres; WGS84 is what maps display.
 */

import type { Position } from "geojson";
import proj4 from "proj4";
import type { AreaGeometry, Crs } from "../core/territory/geometry.js";

proj4.defs(
  "EPSG:2154",
  "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs",
);

const toWgs84 = proj4("EPSG:2154", "EPSG:4326");

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function mapGeometry(g: AreaGeometry, f: (p: Position) => Position): AreaGeometry {
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

/** Recognises Lambert-93 and WGS84 in a .prj WKT or a CRS name; anything else is reported as is. */
export function crsFromText(text: string): Crs | { unsupported: string } | null {
  const t = text.trim();
  if (t === "") return null;
  const u = t.toUpperCase();
  if (
    /EPSG(::|:|",\s*")2154\b/.test(u) ||
    (u.includes("LAMBERT_CONFORMAL_CONIC") && /RGF.?93|RGF_1993/.test(u))
  )
    return "EPSG:2154";
  if (u.includes("CRS84") || /EPSG(::|:)4326\b/.test(u) || (u.startsWith("GEOGCS") && u.includes("WGS_1984")))
    return "EPSG:4326";
  const name = /^[A-Z]+\["([^"]+)"/i.exec(t)?.[1] ?? t.slice(0, 60);
  return { unsupported: name };
}
