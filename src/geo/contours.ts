/**
 * Reads IRIS contour files (IGN CONTOURS-IRIS as Shapefile, GeoPackage or
 * GeoJSON) into a ContourSource for core/territory to validate. Nothing here
 * decides what is a valid IRIS: it reads bytes, recognises the CRS the file
 * declares, and brings coordinates of any other known CRS than Lambert-93 to
 * WGS84, refusing a file whose coordinates lie outside its CRS's area.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { Position } from "geojson";
import { invalide, isSocleError } from "../core/errors.js";
import type { ContourSource, SourceFeature } from "../core/territory/iris-contours.js";
import { checkReadSize, withinTime } from "../ingest/budget.js";
import { identifyCrs, KNOWN_CRS_FR, type KnownCrs, transformer } from "./crs.js";
import { readDbf } from "./dbf.js";
import type { RawContourSource } from "./raw-contours.js";

/** The file's contours, in Lambert-93 or WGS84, with the CRS the file declared. */
export async function readContourFile(file: string): Promise<ContourSource & { declared: KnownCrs | null }> {
  return toCoreSource(await readRawContourFile(file));
}

export async function readRawContourFile(file: string): Promise<RawContourSource> {
  const name = path.basename(file);
  if (!existsSync(file)) throw invalide("fichier_absent", `${name} : fichier introuvable.`);
  const ext = path.extname(file).toLowerCase();
  if (ext === ".shp") {
    checkReadSize(file, "shapefile");
    return readShapefile(file, name);
  }
  if (ext === ".geojson" || ext === ".json") {
    checkReadSize(file, "geojson");
    return readGeoJson(file, name);
  }
  if (ext === ".gpkg") {
    checkReadSize(file, "geopackage");
    return readGeoPackage(file, name);
  }
  throw invalide(
    "format_inconnu",
    `${name} : format non reconnu ; attendu : Shapefile (.shp), GeoPackage (.gpkg) ou GeoJSON (.geojson).`,
  );
}

function sibling(file: string, ext: string): string | undefined {
  const base = file.slice(0, -path.extname(file).length);
  for (const e of [ext, ext.toUpperCase()]) if (existsSync(base + e)) return base + e;
  return undefined;
}

type Coordinates = Position | Coordinates[];

function mapCoordinates(c: unknown, f: (p: Position) => Position): unknown {
  if (!Array.isArray(c)) return c;
  if (typeof c[0] === "number") return f(c as Position);
  return (c as Coordinates[]).map((x) => mapCoordinates(x, f));
}

function eachPosition(c: unknown, f: (p: Position) => void): void {
  if (!Array.isArray(c)) return;
  if (typeof c[0] === "number") f(c as Position);
  else for (const x of c) eachPosition(x, f);
}

/**
 * Hands the core a file in a CRS it validates: Lambert-93 and WGS84 as they
 * are, any other known CRS brought to WGS84 by proj4 after checking that the
 * coordinates lie where that CRS is used (a CC48 file declared CC49 is 1,000
 * km off). An unknown CRS is refused, named.
 */
export function toCoreSource(raw: RawContourSource): ContourSource & { declared: KnownCrs | null } {
  const f = raw.fileName;
  if (raw.crs !== null && "unsupported" in raw.crs)
    throw invalide(
      "crs_inconnu",
      `${f} : système de coordonnées non pris en charge (${raw.crs.unsupported}) ; attendu : ${KNOWN_CRS_FR}.`,
    );
  const declared = raw.crs;
  if (declared === null || declared.code === "EPSG:2154" || declared.code === "EPSG:4326")
    return {
      fileName: f,
      crs: declared ? (declared.code as "EPSG:2154" | "EPSG:4326") : null,
      ...(raw.defaultCrs ? { defaultCrs: raw.defaultCrs } : {}),
      features: raw.features,
      declared,
    };
  const toWgs84 = transformer(declared.code, "EPSG:4326");
  const features = raw.features.map((feat) => {
    const g = feat.geometry as { type?: unknown; coordinates?: unknown } | null;
    if (!g || typeof g !== "object" || !Array.isArray(g.coordinates)) return feat;
    const coordinates = mapCoordinates(g.coordinates, (p) =>
      typeof p[0] === "number" && typeof p[1] === "number" && Number.isFinite(p[0]) && Number.isFinite(p[1])
        ? toWgs84(p)
        : p,
    );
    return { ...feat, geometry: { ...g, coordinates } };
  });
  let n = 0;
  let inside = 0;
  const [w, s, e, north] = declared.area;
  for (const feat of features)
    eachPosition((feat.geometry as { coordinates?: unknown } | null)?.coordinates, (p) => {
      n++;
      if (p[0]! >= w && p[0]! <= e && p[1]! >= s && p[1]! <= north) inside++;
    });
  if (n > 0 && inside < n * 0.9)
    throw invalide(
      "crs_errone",
      `${f} : les coordonnées ne correspondent pas au système déclaré ${declared.label} : elles tombent hors de sa zone d'usage ; le système de coordonnées du fichier (.prj) est probablement erroné.`,
    );
  return { fileName: f, crs: "EPSG:4326", features, declared };
}

function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

async function readShapefile(file: string, name: string): Promise<RawContourSource> {
  const dbf = sibling(file, ".dbf");
  if (!dbf)
    throw invalide("dbf_absent", `${name} : fichier .dbf absent ; les attributs des IRIS sont introuvables.`);
  const prj = sibling(file, ".prj");
  const crs = prj ? identifyCrs(readFileSync(prj, "utf8")) : null;
  const cpg = sibling(file, ".cpg");

  // A truncated .shp or .dbf shows as a record count that does not match the headers.
  checkReadSize(dbf, "shapefile");
  const dbfBytes = readFileSync(dbf);
  if (dbfBytes.length < 32) throw invalide("tronque", `${name} : fichier .dbf tronqué (en-tête incomplet).`);
  const dbfCount = dbfBytes.readUInt32LE(4);
  const headerLen = dbfBytes.readUInt16LE(8);
  const recordLen = dbfBytes.readUInt16LE(10);
  // A record holds its deletion flag and its fields: a header announcing
  // records of no length (millions of them in four bytes) is damaged.
  if (headerLen < 33 || (dbfCount > 0 && recordLen < 2))
    throw invalide(
      "dbf_entete",
      `${name} : en-tête du fichier .dbf incohérent (longueur d'en-tête ou d'enregistrement).`,
    );
  if (dbfBytes.length < headerLen + dbfCount * recordLen)
    throw invalide(
      "tronque",
      `${name} : fichier .dbf tronqué : ${dbfCount} enregistrements annoncés, ${Math.max(0, Math.floor((dbfBytes.length - headerLen) / recordLen))} présents.`,
    );
  const shpSize = statSync(file).size;
  const shpHeader = readHead(file, 100);
  if (shpHeader.length < 100)
    throw invalide("tronque", `${name} : fichier .shp tronqué (en-tête incomplet).`);
  const declared = shpHeader.readUInt32BE(24) * 2;
  if (declared !== shpSize)
    throw invalide(
      "tronque",
      `${name} : fichier .shp tronqué : ${declared} octets annoncés par l'en-tête, ${shpSize} présents.`,
    );

  const shapefile = await import("shapefile");
  const features: SourceFeature[] = [];
  try {
    const { records } = readDbf(dbfBytes, cpg ? readFileSync(cpg, "utf8") : null);
    const budget = { fileName: name, kind: "shapefile" as const };
    const src = await withinTime(shapefile.openShp(file), budget);
    for (
      let r = await withinTime(src.read(), budget), i = 1;
      !r.done;
      r = await withinTime(src.read(), budget), i++
    )
      features.push({ index: i, properties: records[i - 1] ?? {}, geometry: r.value });
  } catch (e) {
    if (isSocleError(e)) throw e;
    throw invalide("illisible", `${name} : Shapefile illisible ou tronqué.`);
  }
  if (features.length !== dbfCount)
    throw invalide(
      "tronque",
      `${name} : ${features.length} géométries lues pour ${dbfCount} enregistrements attributaires ; fichier incomplet.`,
    );
  return { fileName: name, crs, features };
}

function readGeoJson(file: string, name: string): RawContourSource {
  const text = readFileSync(file, "utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec(String(e))?.[1];
    let where = "";
    if (pos !== undefined) {
      const before = text.slice(0, Number(pos));
      const line = before.split("\n").length;
      const col = Number(pos) - before.lastIndexOf("\n");
      where = ` à la ligne ${line}, colonne ${col}`;
    } else if (/end of JSON|Unterminated/i.test(String(e))) where = " : fin de fichier inattendue";
    throw invalide(
      "json_invalide",
      `${name} : JSON invalide${where} (fichier tronqué ?) ; attendu : un GeoJSON FeatureCollection.`,
    );
  }
  const fc = doc as { type?: unknown; features?: unknown; crs?: { properties?: { name?: unknown } } };
  if (fc.type !== "FeatureCollection" || !Array.isArray(fc.features))
    throw invalide("geojson_invalide", `${name} : attendu un objet GeoJSON de type FeatureCollection.`);
  const crsName = fc.crs?.properties?.name;
  const crs = typeof crsName === "string" ? identifyCrs(crsName) : null;
  const features = (fc.features as { properties?: Record<string, unknown>; geometry?: unknown }[]).map(
    (f, i): SourceFeature => ({
      index: i + 1,
      properties: f?.properties ?? {},
      geometry: f?.geometry ?? null,
    }),
  );
  return { fileName: name, crs, defaultCrs: "EPSG:4326", features };
}

async function readGeoPackage(file: string, name: string): Promise<RawContourSource> {
  const { readGeoPackageLayer } = await import("./geopackage.js");
  return readGeoPackageLayer(file, name);
}
