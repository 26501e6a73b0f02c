/**
 * GeoPackage (OGC, SQLite) layers of polygons, read and written with sql.js
 * (SQLite in WASM: no native build). IGN ships CONTOURS-IRIS as GeoPackage.
 */
import { readFileSync } from "node:fs";
import initSqlJs, { type Database, type SqlValue } from "sql.js";
import { invalide } from "../core/errors.js";
import type { AreaGeometry, Crs } from "../core/territory/geometry.js";
import type { SourceFeature } from "../core/territory/iris-contours.js";
import { checkReadSize } from "../ingest/budget.js";
import { identifyCrs } from "./crs.js";
import { type Box, writeRtree } from "./gpkg-rtree.js";
import type { RawContourSource } from "./raw-contours.js";
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

/** A GeoPackage geometry blob: always a MultiPolygon (the declared type), with its XY envelope. */
export function encodeGpkgGeometry(g: AreaGeometry, srsId: number): Uint8Array {
  const multi: AreaGeometry =
    g.type === "Polygon" ? { type: "MultiPolygon", coordinates: [g.coordinates] } : g;
  const wkb = encodeWkb(multi);
  const out = new Uint8Array(40 + wkb.length);
  out.set([0x47, 0x50, 0, 0x03]); // "GP", version 0, little-endian, XY envelope
  const v = new DataView(out.buffer);
  v.setInt32(4, srsId, true);
  for (const [k, x] of envelope(g).entries()) v.setFloat64(8 + 8 * k, x, true);
  out.set(wkb, 40);
  return out;
}

export async function readGeoPackageLayer(file: string, name: string): Promise<RawContourSource> {
  const SQL = await sqlite();
  checkReadSize(file, "geopackage");
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
    let crs: RawContourSource["crs"] = null;
    if (srs && srsId > 0) {
      const org = String(srs.organization ?? "").toUpperCase();
      const id = Number(srs.organization_coordsys_id);
      const byCode = org === "NONE" ? null : identifyCrs(`${org}:${id}`);
      crs =
        byCode && !("unsupported" in byCode)
          ? byCode
          : (identifyCrs(String(srs.definition ?? "")) ?? { unsupported: `${org}:${id}` });
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
  /** Title and description shown by QGIS in the layer list (gpkg_contents). */
  identifier?: string;
  description?: string;
  columns: { name: string; type: "TEXT" | "INTEGER" | "REAL"; title?: string }[];
  features: { properties: Record<string, string | number | null>; geometry: AreaGeometry }[];
}

const SRS: Record<Crs, { name: string; wkt: string }> = {
  "EPSG:2154": {
    name: "RGF93 / Lambert-93",
    wkt: 'PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1],AUTHORITY["EPSG","2154"]]',
  },
  "EPSG:4326": {
    name: "WGS 84",
    wkt: 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]',
  },
};

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function envelope(g: AreaGeometry): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, -Infinity, Infinity, -Infinity];
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  for (const p of polys)
    for (const ring of p)
      for (const c of ring) {
        b[0] = Math.min(b[0], c[0]!);
        b[1] = Math.max(b[1], c[0]!);
        b[2] = Math.min(b[2], c[1]!);
        b[3] = Math.max(b[3], c[1]!);
      }
  return b;
}

/**
 * Writes a GeoPackage 1.3 that passes GDAL's OGC validator (validate_gpkg.py):
 * one layer per entry, MULTIPOLYGON throughout, an R-tree per layer, and
 * `lastChange` as every layer's last change so that the same release gives
 * the same bytes on every download.
 */
export async function writeGeoPackage(
  input: GpkgLayer | readonly GpkgLayer[],
  options: { lastChange?: string } = {},
): Promise<Uint8Array> {
  const layers = Array.isArray(input) ? (input as readonly GpkgLayer[]) : [input as GpkgLayer];
  const lastChange = new Date(options.lastChange ?? 0).toISOString();
  const SQL = await sqlite();
  const db = new SQL.Database();
  try {
    db.run("PRAGMA application_id = 1196444487"); // 'GPKG'
    db.run("PRAGMA user_version = 10300");
    db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
      organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`);
    db.run(`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
      identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
      CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`);
    db.run(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
      geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
      CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
      CONSTRAINT uk_gc_table_name UNIQUE (table_name),
      CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
      CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`);
    db.run(`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
      definition TEXT NOT NULL, scope TEXT NOT NULL,
      CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`);
    db.run(
      "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system')",
    );
    db.run(
      "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system')",
    );
    // The specification wants WGS84 listed in every GeoPackage.
    for (const crs of new Set<Crs>(["EPSG:4326", ...layers.map((l) => l.crs)])) {
      const id = Number(crs.slice(5));
      db.run("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)", [
        SRS[crs].name,
        id,
        id,
        SRS[crs].wkt,
      ]);
    }
    const titled = layers.some((l) => l.columns.some((c) => c.title));
    if (titled) {
      // Schema extension: the French label of each column, shown by QGIS as its alias.
      db.run(`CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT,
        title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT,
        CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))`);
      db.run(`CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL,
        value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
        CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))`);
      for (const t of ["gpkg_data_columns", "gpkg_data_column_constraints"])
        db.run(
          "INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write')",
          [t],
        );
    }
    for (const layer of layers) writeLayer(db, layer, lastChange);
    return db.export();
  } finally {
    db.close();
  }
}

function writeLayer(db: Database, layer: GpkgLayer, lastChange: string): void {
  const srsId = Number(layer.crs.slice(5));
  const t = quote(layer.table);
  const cols = layer.columns.map((c) => `${quote(c.name)} ${c.type}`).join(", ");
  db.run(
    `CREATE TABLE ${t} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON${cols ? `, ${cols}` : ""})`,
  );
  const placeholders = layer.columns.map(() => ", ?").join("");
  const names = layer.columns.map((c) => `, ${quote(c.name)}`).join("");
  const st = db.prepare(`INSERT INTO ${t} (fid, geom${names}) VALUES (?, ?${placeholders})`);
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const boxes: Box[] = [];
  layer.features.forEach((f, k) => {
    const e = envelope(f.geometry);
    b[0] = Math.min(b[0]!, e[0]);
    b[1] = Math.min(b[1]!, e[2]);
    b[2] = Math.max(b[2]!, e[1]);
    b[3] = Math.max(b[3]!, e[3]);
    boxes.push({ id: k + 1, minx: e[0], maxx: e[1], miny: e[2], maxy: e[3] });
    st.run([
      k + 1,
      encodeGpkgGeometry(f.geometry, srsId),
      ...layer.columns.map((c) => f.properties[c.name] ?? null),
    ]);
  });
  st.free();
  const none = layer.features.length === 0;
  db.run(
    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)",
    [
      layer.table,
      layer.identifier ?? layer.table,
      layer.description ?? "",
      lastChange,
      ...(none ? [null, null, null, null] : b),
      srsId,
    ],
  );
  db.run("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)", [
    layer.table,
    srsId,
  ]);
  writeRtree(db, layer.table, "geom", "fid", boxes);
  for (const c of layer.columns)
    if (c.title)
      db.run("INSERT INTO gpkg_data_columns (table_name, column_name, name, title) VALUES (?, ?, ?, ?)", [
        layer.table,
        c.name,
        c.name,
        c.title,
      ]);
}
