/**
 * Geographic exports of a release: GeoJSON (WGS84, RFC 7946) and GeoPackage
 * (WGS84 or Lambert-93, a layer per table). Both carry the same properties on
 * every feature: code, nom, niveau, code_commune, commune, one column per
 * value (null when secret), `secret` listing the secret columns, and the
 * source mention.
 */
import type { Feature, FeatureCollection, Geometry } from "geojson";
import { neutralise } from "../core/release/release.js";
import type { AreaGeometry, Crs } from "../core/territory/geometry.js";
import { type GpkgLayer, writeGeoPackage } from "../geo/geopackage.js";
import { bothProjections } from "../geo/projection.js";
import type { Queryable } from "../store/db.js";
import { type ExportRow, type TableView, tableViews } from "./export-rows.js";
import type { Release } from "./publish.js";

type Level = "iris" | "commune";
type Props = Record<string, string | number | null>;

function properties(v: TableView, row: ExportRow, source: string): Props {
  const p: Props = {
    code: row.code,
    nom: neutralise(row.name),
    niveau: row.levelFr,
    code_commune: row.communeCode,
    commune: neutralise(row.communeName),
  };
  v.columns.forEach((c, k) => {
    p[c.key] = row.values[k] ?? null;
  });
  p.secret = v.columns
    .filter((_, k) => row.values[k] === null)
    .map((c) => c.key)
    .join(", ");
  p.source = source;
  return p;
}

/** IRIS geometries in `crs`: Lambert-93 is the stored metric form, except overseas (stored in UTM). */
async function irisGeometries(
  q: Queryable,
  where: string,
  codes: readonly string[],
  crs: Crs,
): Promise<{ code: string; commune: string; geom: AreaGeometry }[]> {
  const rows = await q.query<{
    code: string;
    commune: string;
    wgs84: AreaGeometry;
    metric: AreaGeometry;
    srid: number;
  }>(
    `SELECT code, commune_code AS commune, geom_wgs84 AS wgs84, geom_l93 AS metric, srid_metrique AS srid
     FROM iris WHERE ${where} = ANY($1::text[]) ORDER BY code`,
    [codes],
  );
  return rows.map((r) => ({
    code: r.code,
    commune: r.commune,
    geom:
      crs === "EPSG:4326" ? r.wgs84 : r.srid === 2154 ? r.metric : bothProjections(r.wgs84, "EPSG:4326").l93,
  }));
}

async function geometries(
  q: Queryable,
  level: Level,
  codes: readonly string[],
  crs: Crs,
): Promise<Map<string, AreaGeometry>> {
  if (level === "iris") {
    const rows = await irisGeometries(q, "code", codes, crs);
    return new Map(rows.map((r) => [r.code, r.geom]));
  }
  // A commune is the union of its IRIS: a MultiPolygon of their polygons.
  const rows = await irisGeometries(q, "commune_code", codes, crs);
  const out = new Map<string, number[][][][]>();
  for (const r of rows) {
    const polys = r.geom.type === "Polygon" ? [r.geom.coordinates] : r.geom.coordinates;
    out.set(r.commune, [...(out.get(r.commune) ?? []), ...polys]);
  }
  return new Map([...out].map(([code, coordinates]) => [code, { type: "MultiPolygon", coordinates }]));
}

async function features(
  q: Queryable,
  r: Release,
  v: TableView,
  level: Level,
  crs: Crs,
): Promise<{ properties: Props; geometry: AreaGeometry }[]> {
  const rows = v.rows.filter((row) => row.level === level);
  const geoms = await geometries(
    q,
    level,
    rows.map((row) => row.code),
    crs,
  );
  return rows
    .filter((row) => geoms.has(row.code))
    .map((row) => ({ properties: properties(v, row, r.mentionSource), geometry: geoms.get(row.code)! }));
}

/**
 * The IRIS (or communes) of one table of the release with their released
 * values, WGS84. `champs` gives the French label of every value property.
 */
export async function releaseGeoJson(
  q: Queryable,
  r: Release,
  tableIndex = 0,
  level: Level = "iris",
): Promise<
  FeatureCollection & {
    name: string;
    source: string;
    champs: { nom: string; libelle: string }[];
    dateObservation: string;
    miseAJour: string;
    champsAbsents: { nom: string; libelle: string }[];
  }
> {
  const v = tableViews(r.tableaux)[tableIndex];
  if (!v) throw new Error("tableau absent");
  const fs = await features(q, r, v, level, "EPSG:4326");
  const out: Feature[] = fs.map((f) => ({
    type: "Feature",
    id: String(f.properties.code),
    properties: f.properties,
    geometry: f.geometry as Geometry,
  }));
  return {
    type: "FeatureCollection",
    name: v.slug,
    features: out,
    source: r.mentionSource,
    champs: v.columns.map((c) => ({ nom: c.key, libelle: c.label })),
    dateObservation: r.dateObservation,
    miseAJour: r.miseAJour,
    champsAbsents: r.champsAbsents,
  };
}

/**
 * A GeoPackage of the release for QGIS: a layer per table (or only
 * `tableIndex`), named after the table, at the IRIS level (communes for a
 * table without IRIS), in WGS84 or Lambert-93. The same release gives the
 * same bytes on every download.
 */
export async function releaseGeoPackage(
  q: Queryable,
  r: Release,
  tableIndex?: number,
  options: { crs?: Crs } = {},
): Promise<Uint8Array> {
  const crs = options.crs ?? "EPSG:4326";
  const views = tableViews(r.tableaux);
  const chosen = tableIndex === undefined ? views : views.slice(tableIndex, tableIndex + 1);
  const layers: GpkgLayer[] = [];
  for (const v of chosen) {
    const level: Level = v.rows.some((row) => row.level === "iris") ? "iris" : "commune";
    const fs = await features(q, r, v, level, crs);
    layers.push({
      table: v.slug,
      crs,
      // Identifiers are unique in a GeoPackage: two tables of the same name differ by their layer name.
      identifier: `${v.name.slice(0, 100)} (${level === "iris" ? "IRIS" : "communes"}, ${r.annee})${chosen.some((o) => o !== v && o.name === v.name) ? ` [${v.slug}]` : ""}`,
      description: `${v.name}. ${r.mentionSource}. s : secret statistique.`,
      columns: [
        { name: "code", type: "TEXT", title: "Code" },
        { name: "nom", type: "TEXT", title: "Territoire" },
        { name: "niveau", type: "TEXT", title: "Niveau" },
        { name: "code_commune", type: "TEXT", title: "Code commune" },
        { name: "commune", type: "TEXT", title: "Commune" },
        ...v.columns.map((c) => ({ name: c.key, type: "INTEGER" as const, title: c.label })),
        { name: "secret", type: "TEXT", title: "Valeurs sous secret statistique" },
        { name: "source", type: "TEXT", title: "Source" },
      ],
      features: fs,
    });
  }
  return writeGeoPackage(layers, { lastChange: r.diffuseLe });
}
