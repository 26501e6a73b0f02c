/**
 * The coordinate reference systems of French IRIS contours: Lambert-93, the
 * nine conic conformal zones CC42–CC50, Lambert II étendu, the UTM
 * projections of the overseas départements, WGS84 and Web Mercator. A file's
 * CRS is recognised from an authority code (EPSG, IGNF, URNs) or, when the
 * .prj carries none (ESRI WKT as ogr2ogr writes it), by letting proj4 parse
 * the WKT and comparing where it puts a few points with each known CRS.
 * Anything else is refused, named. Each CRS says which metric CRS its IRIS
 * are stored in for point-in-polygon: Lambert-93 in metropolitan France, the
 * local UTM overseas (the projection of the BAN's x/y there).
 */

import proj4 from "proj4";
import { withoutPrototype } from "../core/lookup.js";
import type { BBox } from "../core/territory/geometry.js";

export interface KnownCrs {
  /** `EPSG:3949`. */
  code: string;
  /** French label for messages: « CC49 (EPSG:3949) ». */
  label: string;
  geographic: boolean;
  /** Metric CRS the IRIS of this CRS are stored in. */
  metric: MetricCrs;
  /** Where coordinates of this CRS may lie, in WGS84 degrees [west, south, east, north]. */
  area: BBox;
}

export type MetricCrs = "EPSG:2154" | "EPSG:5490" | "EPSG:2972" | "EPSG:2975" | "EPSG:4471";

const METROPOLE: BBox = [-9.9, 41.1, 10.4, 51.6];
const GRS80 = "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";

const DEFS: (KnownCrs & { proj4: string })[] = [
  {
    code: "EPSG:4326",
    label: "WGS84 (EPSG:4326)",
    geographic: true,
    metric: "EPSG:2154",
    area: [-180, -90, 180, 90],
    proj4: "+proj=longlat +datum=WGS84 +no_defs",
  },
  {
    code: "EPSG:2154",
    label: "Lambert-93 (EPSG:2154)",
    geographic: false,
    metric: "EPSG:2154",
    area: METROPOLE,
    proj4: `+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 ${GRS80}`,
  },
  ...[42, 43, 44, 45, 46, 47, 48, 49, 50].map((z) => ({
    code: `EPSG:${3900 + z}`,
    label: `CC${z} (EPSG:${3900 + z})`,
    geographic: false,
    metric: "EPSG:2154" as const,
    // A zone is used within a few degrees of its parallel; a neighbour zone's file lands 8° off.
    area: [METROPOLE[0], Math.max(METROPOLE[1], z - 4), METROPOLE[2], Math.min(METROPOLE[3], z + 4)] as BBox,
    proj4: `+proj=lcc +lat_0=${z} +lon_0=3 +lat_1=${z - 0.75} +lat_2=${z + 0.75} +x_0=1700000 +y_0=${(z - 41) * 1_000_000 + 200_000} ${GRS80}`,
  })),
  {
    code: "EPSG:27572",
    label: "Lambert II étendu (EPSG:27572)",
    geographic: false,
    metric: "EPSG:2154",
    area: METROPOLE,
    proj4:
      "+proj=lcc +lat_1=46.8 +lat_0=46.8 +lon_0=0 +k_0=0.99987742 +x_0=600000 +y_0=2200000 +a=6378249.2 +b=6356515 +towgs84=-168,-60,320,0,0,0,0 +pm=paris +units=m +no_defs",
  },
  {
    code: "EPSG:3857",
    label: "Web Mercator (EPSG:3857)",
    geographic: false,
    metric: "EPSG:2154",
    area: [-180, -85.1, 180, 85.1],
    proj4:
      "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs",
  },
  {
    code: "EPSG:5490",
    label: "RGAF09 / UTM 20N, Antilles (EPSG:5490)",
    geographic: false,
    metric: "EPSG:5490",
    area: [-63.2, 14.3, -60.7, 18.2],
    proj4: "+proj=utm +zone=20 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
  },
  {
    code: "EPSG:2972",
    label: "RGFG95 / UTM 22N, Guyane (EPSG:2972)",
    geographic: false,
    metric: "EPSG:2972",
    area: [-54.7, 2.0, -51.5, 6.0],
    proj4: "+proj=utm +zone=22 +ellps=GRS80 +towgs84=2,2,-2,0,0,0,0 +units=m +no_defs",
  },
  {
    code: "EPSG:2975",
    label: "RGR92 / UTM 40S, La Réunion (EPSG:2975)",
    geographic: false,
    metric: "EPSG:2975",
    area: [55.1, -21.5, 56.0, -20.7],
    proj4: "+proj=utm +zone=40 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
  },
  {
    code: "EPSG:4471",
    label: "RGM04 / UTM 38S, Mayotte (EPSG:4471)",
    geographic: false,
    metric: "EPSG:4471",
    area: [44.9, -13.1, 45.4, -12.5],
    proj4: "+proj=utm +zone=38 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
  },
];

for (const d of DEFS) if (d.code !== "EPSG:4326") proj4.defs(d.code, d.proj4);

const BY_CODE = new Map(DEFS.map((d) => [d.code, d]));

/** The same CRS under another authority's name. */
const ALIASES: Readonly<Record<string, string>> = withoutPrototype({
  "EPSG:4171": "EPSG:4326", // RGF93 geographic: the same as WGS84 within a metre
  "EPSG:4258": "EPSG:4326",
  "OGC:CRS84": "EPSG:4326",
  "EPSG:900913": "EPSG:3857",
  "IGNF:WGS84G": "EPSG:4326",
  "IGNF:RGF93G": "EPSG:4326",
  "IGNF:RGF93GDD": "EPSG:4326",
  "IGNF:LAMB93": "EPSG:2154",
  "IGNF:RGF93LAMB93": "EPSG:2154",
  "IGNF:LAMBE": "EPSG:27572",
  "IGNF:LAMB2E": "EPSG:27572",
  "IGNF:RGAF09UTM20": "EPSG:5490",
  "IGNF:RGFG95UTM22": "EPSG:2972",
  "IGNF:RGR92UTM40S": "EPSG:2975",
  "IGNF:RGM04UTM38S": "EPSG:4471",
  ...Object.fromEntries(
    [42, 43, 44, 45, 46, 47, 48, 49, 50].flatMap((z) => [
      [`IGNF:CC${z}`, `EPSG:${3900 + z}`],
      [`IGNF:RGF93CC${z}`, `EPSG:${3900 + z}`],
    ]),
  ),
});

export const KNOWN_CRS: readonly KnownCrs[] = DEFS.map(({ proj4: _, ...k }) => k);

export const KNOWN_CRS_FR =
  "Lambert-93 (EPSG:2154), CC42 à CC50 (EPSG:3942 à 3950), Lambert II étendu (EPSG:27572), UTM des départements d'outre-mer (EPSG:5490, 2972, 2975, 4471), WGS84 (EPSG:4326) ou Web Mercator (EPSG:3857)";

function byAuthority(authority: string, code: string): KnownCrs | { unsupported: string } {
  const key = `${authority.toUpperCase()}:${code.toUpperCase()}`;
  const found = BY_CODE.get(ALIASES[key] ?? key);
  return found ?? { unsupported: key };
}

/** An authority code named by the text: `EPSG:3949`, URNs, OGC URLs, or the WKT's own top-level ID. */
function authorityOf(text: string): [string, string] | null {
  const t = text.trim();
  const urn = /^urn:ogc:def:crs:([A-Za-z]+):[^:]*:([A-Za-z0-9_]+)$/i.exec(t);
  if (urn) return [urn[1]!, urn[2]!];
  const url = /^https?:\/\/www\.opengis\.net\/def\/crs\/([A-Za-z]+)\/[^/]*\/([A-Za-z0-9_]+)$/i.exec(t);
  if (url) return [url[1]!, url[2]!];
  const plain = /^([A-Za-z]+):{1,2}([A-Za-z0-9_]+)$/.exec(t);
  if (plain) return [plain[1]!, plain[2]!];
  if (!/^[A-Z_]+\[/i.test(t)) return null;
  // In WKT the CRS's own identifier closes it: the last ID / AUTHORITY at depth 1.
  let depth = 0;
  let last: [string, string] | null = null;
  const re = /(AUTHORITY|ID)\[\s*"([^"]+)"\s*,\s*"?([^"\]]+)"?\s*\]|[[\]]/gi;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    if (m[0] === "[") depth++;
    else if (m[0] === "]") depth--;
    else if (depth === 1) last = [m[2]!, m[3]!.trim()];
  }
  return last;
}

function nameOf(text: string): string {
  const t = text.trim();
  return (/^[A-Z_0-9]+\[\s*"([^"]+)"/i.exec(t)?.[1] ?? t).slice(0, 80);
}

/** Where proj4, reading the WKT itself, puts known points: the CRS whose projection agrees within 1 km. */
function byParameters(wkt: string): KnownCrs | null {
  let parsed: proj4.Converter;
  // ESRI WKT of Lambert II gives its angles in grads, which proj4 would read as degrees.
  const text = /UNIT\["Grad/i.test(wkt)
    ? wkt.replace(
        /PARAMETER\["(central_meridian|standard_parallel_\d|latitude_of_origin)",\s*(-?[\d.]+)\]/gi,
        (_, name: string, v: string) => `PARAMETER["${name}",${Number(v) * 0.9}]`,
      )
    : wkt;
  try {
    parsed = proj4(text);
  } catch {
    return null;
  }
  if ((parsed as unknown as { oProj?: { projName?: string } }).oProj?.projName === "longlat")
    return BY_CODE.get("EPSG:4326")!;
  for (const d of DEFS) {
    if (d.geographic) continue;
    const [w, s, e, n] = d.area;
    const probes: [number, number][] = [
      [(w + e) / 2, (s + n) / 2],
      [w + (e - w) / 4, s + (n - s) / 4],
      [e - (e - w) / 4, n - (n - s) / 4],
    ];
    const agree = probes.every((p) => {
      try {
        const a = parsed.forward(p);
        const b = proj4("EPSG:4326", d.code, p);
        return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!) < 1000;
      } catch {
        return false;
      }
    });
    if (agree) return d;
  }
  return null;
}

/**
 * The CRS a file declares (a .prj WKT, a GeoJSON crs name, a GeoPackage SRS
 * definition), or `null` when it declares none.
 */
export function identifyCrs(text: string): KnownCrs | { unsupported: string } | null {
  const t = text.trim();
  if (t === "") return null;
  const authority = authorityOf(t);
  if (authority) {
    const known = byAuthority(authority[0], authority[1]);
    if (!("unsupported" in known) || !/^[A-Z_]+\[/i.test(t)) return known;
  }
  if (/^(PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS|BASEGEOGCRS)\[/i.test(t)) {
    const known = byParameters(t);
    if (known) return known;
  }
  return { unsupported: authority ? `${authority[0]}:${authority[1]}` : nameOf(t) };
}

export function knownCrs(code: string): KnownCrs | undefined {
  return BY_CODE.get(ALIASES[code] ?? code);
}

/** A point from `from` to `to` (codes of KNOWN_CRS). */
export function transformer(from: string, to: string): (p: readonly number[]) => [number, number] {
  if (from === to) return (p) => [p[0]!, p[1]!];
  const t = proj4(from, to);
  return (p) => {
    const [x, y] = t.forward([p[0]!, p[1]!]);
    return [x!, y!];
  };
}
