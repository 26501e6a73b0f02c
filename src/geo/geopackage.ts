/**
 * GeoPackage (OGC, SQLite) layers of polygons, read and written with sql.js
 * (SQLite in WASM: no native build). IGN ships CONTOURS-IRIS as GeoPackage.
 */
import { readFileSync } from "node:fs";
import initSqlJs, { type Database, type SqlValue } from "sql.js";
import { invalide } from "../core/errors.js";
import type { AreaGeometry, Crs } from "../core/territory/geometry.js";
import type { ContourSource, SourceFeature } from "../core/territory/iris-contours.js";
import { crsFromText } from "./projection.js";
import { decodeWkb, encodeWkb } from "./wkb.js";

let sql: Promise<initSqlJs.SqlJsStatic> | undefined;
const sqlite = () => {
  sql ??= initSqlJs();
  return sql;
};

function rows(db: Database, query: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
  const st = db.prepare(query);
  st.bind(params);
  const out: Record<string, SqlValue>[] = [];
  while (st.step()) out.push(st.getAsObject());
  st.free();
  return out;
}

/** Decodes a GeoPackage geometry blob (GP header + envelope + WKB). */
export function decodeGpkgGeometry(blob: Uint8Array): unknown {
  if (blob.length < 8 || blob[0] !== 0x47 || blob[1] !== 0x50) return null;
  const flags = blob[3]!;
  if (flags & 0x10) return null; // empty geometry
  const envelope = (flags >> 1) & 0x07;
  const envelopeBytes = [0, 32, 48, 48, 64][envelope];
  if (envelopeBytes === undefined) return null;
  return decodeWkb(blob, 8 + envelopeBytes);
}

export function encodeGpkgGeometry(g: AreaGeometry, srsId: number): Uint8Array {
  const wkb = encodeWkb(g);
  const out = new Uint8Array(8 + wkb.length);
  out.set([0x47, 0x50, 0, 0x01]); // "GP", version 0, little-endian, no envelope
  new DataView(out.buffer).setInt32(4, srsId, true);
  out.set(wkb, 8);
  return out;
}

export async function readGeoPackageLayer(file: string, name: string): Promise<ContourSource> {
  const SQL = await sqlite();
  let db: Database;
  try {
    db = new SQL.Database(readFileSync(file));
    rows(db, "SELECT count(*) FROM sqlite_master");
  } catch {
    throw invalide("illisible", `${name} : GeoPackage illisible ou tronqué (base SQLite invalide).`);
  }
  try {
    let layers: Record<string, SqlValue>[];
    try {
      layers = rows(db, "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns");
    } catch {
      throw invalide(
        "gpkg_invalide",
        `${name} : table gpkg_geometry_columns absente ; ce n'est pas un GeoPackage.`,
      );
    }
    if (layers.length === 0)
      throw invalide("gpkg_vide", `${name} : le GeoPackage ne contient aucune couche vectorielle.`);
    const layer = layers.find((l) => /iris/i.test(String(l.table_name))) ?? layers[0]!;
    const table = String(layer.table_name);
    const geomCol = String(layer.column_name);
    const srsId = Number(layer.srs_id);
    const srs = rows(
      db,
      "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
      [srsId],
    )[0];
    let crs: ContourSource["crs"] = null;
    if (srs && srsId > 0) {
      const org = String(srs.organization ?? "").toUpperCase();
      const id = Number(srs.organization_coordsys_id);
      crs =
        org === "EPSG" && id === 2154
          ? "EPSG:2154"
          : org === "EPSG" && id === 4326
            ? "EPSG:4326"
            : (crsFromText(String(srs.definition ?? "")) ?? { unsupported: `${org}:${id}` });
    }
    const features: SourceFeature[] = [];
    const quoted = `"${table.replaceAll('"', '""')}"`;
    let i = 0;
    for (const r of rows(db, `SELECT * FROM ${quoted}`)) {
      i++;
      const { [geomCol]: blob, ...properties } = r;
      let geometry: unknown = null;
      try {
        geometry = blob instanceof Uint8Array ? decodeGpkgGeometry(blob) : null;
      } catch {
        geometry = { type: "illisible" };
      }
      features.push({ index: i, properties, geometry });
    }
    return { fileName: name, crs, features };
  } finally {
    db.close();
  }
}

export interface GpkgLayer {
  table: string;
  crs: Crs;
  columns: { name: string; type: "TEXT" | "INTEGER" | "REAL" }[];
  features: { properties: Record<string, string | number | null>; geometry: AreaGeometry }[];
}

/** Writes a one-layer GeoPackage that QGIS and GDAL open. */
export async function writeGeoPackage(layer: GpkgLayer): Promise<Uint8Array> {
  const SQL = await sqlite();
  const db = new SQL.Database();
  try {
    const srsId = layer.crs === "EPSG:2154" ? 2154 : 4326;
    db.run("PRAGMA application_id = 1196444487"); // 'GPKG'
    db.run("PRAGMA user_version = 10400");
    db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
      organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`);
    db.run(`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
      identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)`);
    db.run(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
      geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
      CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name))`);
    const wkt =
      srsId === 2154
        ? 'PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1],AUTHORITY["EPSG","2154"]]'
        : 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]';
    db.run(
      "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL)",
    );
    db.run(
      "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL)",
    );
    db.run("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)", [
      srsId === 2154 ? "RGF93 / Lambert-93" : "WGS 84",
      srsId,
      srsId,
      wkt,
    ]);
    const t = `"${layer.table.replaceAll('"', '""')}"`;
    const cols = layer.columns.map((c) => `"${c.name.replaceAll('"', '""')}" ${c.type}`).join(", ");
    db.run(
      `CREATE TABLE ${t} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON${cols ? `, ${cols}` : ""})`,
    );
    db.run("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)", [
      layer.table,
      srsId,
    ]);
    const placeholders = layer.columns.map(() => ", ?").join("");
    const names = layer.columns.map((c) => `, "${c.name.replaceAll('"', '""')}"`).join("");
    const st = db.prepare(`INSERT INTO ${t} (geom${names}) VALUES (?${placeholders})`);
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    for (const f of layer.features) {
      const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const p of polys)
        for (const ring of p)
          for (const c of ring) {
            b[0] = Math.min(b[0]!, c[0]!);
            b[1] = Math.min(b[1]!, c[1]!);
            b[2] = Math.max(b[2]!, c[0]!);
            b[3] = Math.max(b[3]!, c[1]!);
          }
      st.run([
        encodeGpkgGeometry(f.geometry, srsId),
        ...layer.columns.map((c) => f.properties[c.name] ?? null),
      ]);
    }
    st.free();
    db.run(
      "INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?)",
      [layer.table, layer.table, ...b, srsId],
    );
    return db.export();
  } finally {
    db.close();
  }
}
