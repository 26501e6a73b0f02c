/**
 * Reads IRIS contour files (IGN CONTOURS-IRIS as Shapefile, GeoPackage or
 * GeoJSON) into a ContourSource for core/territory to validate. Nothing here
 * decides what is a valid IRIS: it only reads bytes and says what the file
 * declares about its CRS.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { invalide } from "../core/errors.js";
import type { ContourSource, SourceFeature } from "../core/territory/iris-contours.js";
import { crsFromText } from "./projection.js";

export async function readContourFile(file: string): Promise<ContourSource> {
  const name = path.basename(file);
  if (!existsSync(file)) throw invalide("fichier_absent", `${name} : fichier introuvable.`);
  const ext = path.extname(file).toLowerCase();
  if (ext === ".shp") return readShapefile(file, name);
  if (ext === ".geojson" || ext === ".json") return readGeoJson(file, name);
  if (ext === ".gpkg") return readGeoPackage(file, name);
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

async function readShapefile(file: string, name: string): Promise<ContourSource> {
  const dbf = sibling(file, ".dbf");
  if (!dbf)
    throw invalide("dbf_absent", `${name} : fichier .dbf absent ; les attributs des IRIS sont introuvables.`);
  const prj = sibling(file, ".prj");
  const crs = prj ? crsFromText(readFileSync(prj, "utf8")) : null;
  const cpg = sibling(file, ".cpg");
  const encoding = cpg && /1252|latin|8859/i.test(readFileSync(cpg, "utf8")) ? "windows-1252" : "utf-8";

  // A truncated .shp or .dbf shows as a record count that does not match the headers.
  const dbfBytes = readFileSync(dbf);
  if (dbfBytes.length < 32) throw invalide("tronque", `${name} : fichier .dbf tronqué (en-tête incomplet).`);
  const dbfCount = dbfBytes.readUInt32LE(4);
  const headerLen = dbfBytes.readUInt16LE(8);
  const recordLen = dbfBytes.readUInt16LE(10);
  if (dbfBytes.length < headerLen + dbfCount * recordLen)
    throw invalide(
      "tronque",
      `${name} : fichier .dbf tronqué : ${dbfCount} enregistrements annoncés, ${Math.max(0, Math.floor((dbfBytes.length - headerLen) / recordLen))} présents.`,
    );
  const shpSize = statSync(file).size;
  const shpHeader = readFileSync(file).subarray(0, 100);
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
    const src = await shapefile.open(file, dbf, { encoding });
    for (let r = await src.read(), i = 1; !r.done; r = await src.read(), i++)
      features.push({ index: i, properties: r.value.properties ?? {}, geometry: r.value.geometry });
  } catch {
    throw invalide("illisible", `${name} : Shapefile illisible ou tronqué.`);
  }
  if (features.length !== dbfCount)
    throw invalide(
      "tronque",
      `${name} : ${features.length} géométries lues pour ${dbfCount} enregistrements attributaires ; fichier incomplet.`,
    );
  return { fileName: name, crs, features };
}

function readGeoJson(file: string, name: string): ContourSource {
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
  const crs = typeof crsName === "string" ? crsFromText(crsName) : null;
  const features = (fc.features as { properties?: Record<string, unknown>; geometry?: unknown }[]).map(
    (f, i): SourceFeature => ({
      index: i + 1,
      properties: f?.properties ?? {},
      geometry: f?.geometry ?? null,
    }),
  );
  return { fileName: name, crs, defaultCrs: "EPSG:4326", features };
}

async function readGeoPackage(file: string, name: string): Promise<ContourSource> {
  const { readGeoPackageLayer } = await import("./geopackage.js");
  return readGeoPackageLayer(file, name);
}
