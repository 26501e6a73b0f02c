/**
 * Territories in the store: the COG (régions → départements → EPCI →
 * communes/arrondissements, communes déléguées), IRIS contours and
 * populations. Imports run in one transaction: all or nothing.
 */

import type { Feature, FeatureCollection } from "geojson";
import { introuvable, invalide } from "../core/errors.js";
import type { CogRows } from "../core/territory/cog.js";
import type { AreaGeometry } from "../core/territory/geometry.js";
import type { HouseholdsRow, PopulationRow } from "../core/territory/population.js";
import { simplifyArea } from "../core/territory/simplify.js";
import type { TerritoryInfo, TerritoryKind } from "../core/territory/territory.js";
import type { Db, Queryable } from "./db.js";

export interface CogLoad {
  regions: { code: string; nom: string }[];
  departements: { code: string; nom: string; region: string | null }[];
  epci: { code: string; nom: string; nature: string | null; population: number | null }[];
  rows: CogRows;
  fictif?: boolean;
}

/** Inserts or updates the COG; existing IRIS keep their commune. */
export async function loadCog(db: Db, cog: CogLoad, source: string): Promise<void> {
  const fictif = cog.fictif ?? false;
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO region (code, nom, fictif)
       SELECT code, nom, $2 FROM jsonb_to_recordset($1::jsonb) AS t(code text, nom text)
       ON CONFLICT (code) DO UPDATE SET nom = EXCLUDED.nom`,
      [JSON.stringify(cog.regions), fictif],
    );
    await tx.query(
      `INSERT INTO departement (code, nom, region_code, fictif)
       SELECT code, nom, region, $2 FROM jsonb_to_recordset($1::jsonb) AS t(code text, nom text, region text)
       ON CONFLICT (code) DO UPDATE SET nom = EXCLUDED.nom, region_code = EXCLUDED.region_code`,
      [JSON.stringify(cog.departements), fictif],
    );
    await tx.query(
      `INSERT INTO epci (code, nom, nature, population, fictif)
       SELECT code, nom, nature, population, $2
       FROM jsonb_to_recordset($1::jsonb) AS t(code text, nom text, nature text, population integer)
       ON CONFLICT (code) DO UPDATE SET nom = EXCLUDED.nom, nature = EXCLUDED.nature, population = EXCLUDED.population`,
      [JSON.stringify(cog.epci), fictif],
    );
    await tx.query(
      `INSERT INTO commune (code, nom, kind, commune_parent, departement_code, region_code, epci_code, population, codes_postaux, fictif)
       SELECT code, nom, kind, "communeParent", departement, region, epci, population, "codesPostaux", $2
       FROM jsonb_to_recordset($1::jsonb) AS t(code text, nom text, kind text, "communeParent" text,
         departement text, region text, epci text, population integer, "codesPostaux" text[])
       ON CONFLICT (code) DO UPDATE SET nom = EXCLUDED.nom, kind = EXCLUDED.kind,
         commune_parent = EXCLUDED.commune_parent, departement_code = EXCLUDED.departement_code,
         region_code = EXCLUDED.region_code, epci_code = EXCLUDED.epci_code,
         population = EXCLUDED.population, codes_postaux = EXCLUDED.codes_postaux`,
      [JSON.stringify(cog.rows.communes), fictif],
    );
    await tx.query(
      `INSERT INTO commune_deleguee (code, kind, nom, commune_code)
       SELECT code, kind, nom, commune FROM jsonb_to_recordset($1::jsonb) AS t(code text, kind text, nom text, commune text)
       ON CONFLICT (code, kind) DO UPDATE SET nom = EXCLUDED.nom, commune_code = EXCLUDED.commune_code`,
      [JSON.stringify(cog.rows.deleguees)],
    );
    if (!fictif)
      await tx.query(
        `INSERT INTO cog_meta (source) VALUES ($1)
         ON CONFLICT (singleton) DO UPDATE SET source = EXCLUDED.source, loaded_at = now()`,
        [source],
      );
  });
}

export async function cogSource(q: Queryable): Promise<string | undefined> {
  const r = await q.query<{ source: string }>("SELECT source FROM cog_meta");
  return r[0]?.source;
}

export interface IrisToStore {
  code: string;
  communeCode: string;
  nom: string | null;
  typeIris: string | null;
  wgs84: AreaGeometry;
  /** Metric form for point-in-polygon, in `sridMetrique` (Lambert-93 unless overseas). */
  l93: AreaGeometry;
  /** EPSG code of `l93`: 2154, or 5490, 2972, 2975, 4471 overseas. */
  sridMetrique?: number;
  bbox: [number, number, number, number];
}

export interface IrisImportReport {
  iris: number;
  communes: number;
  replaced: number;
}

/**
 * Replaces the IRIS of every commune present in the file by the file's IRIS,
 * in one transaction. Unknown communes refuse the whole file.
 */
export async function replaceIris(
  db: Db,
  iris: readonly IrisToStore[],
  source: string,
  opts: { fictif?: boolean } = {},
): Promise<IrisImportReport> {
  const prefixes = [...new Set(iris.map((i) => i.communeCode))].sort();
  return db.transaction(async (tx) => {
    // An IRIS of a former commune (merged since the file's vintage) belongs to the current commune.
    const resolved = await tx.query<{ prefix: string; commune: string }>(
      `SELECT p AS prefix, coalesce(c.code, (SELECT d.commune_code FROM commune_deleguee d WHERE d.code = p
                ORDER BY d.kind LIMIT 1)) AS commune
       FROM unnest($1::text[]) AS p LEFT JOIN commune c ON c.code = p`,
      [prefixes],
    );
    const communeOf = new Map(resolved.filter((r) => r.commune).map((r) => [r.prefix, r.commune]));
    const missing = prefixes.filter((c) => !communeOf.has(c));
    if (missing.length > 0)
      throw invalide(
        "commune_inconnue",
        `${source} : ${missing.length} commune(s) absente(s) du Code officiel géographique : ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? "…" : ""}. Chargez le COG ou vérifiez les codes.`,
      );
    const communes = [...new Set(communeOf.values())];
    const deleted = await tx.query<{ code: string }>(
      "DELETE FROM iris WHERE commune_code = ANY($1::text[]) OR code = ANY($2::text[]) RETURNING code",
      [communes, iris.map((i) => i.code)],
    );
    const chunk = 500;
    for (let i = 0; i < iris.length; i += chunk) {
      const part = iris.slice(i, i + chunk).map((r) => ({
        code: r.code,
        commune: communeOf.get(r.communeCode),
        nom: r.nom,
        type: r.typeIris,
        wgs84: r.wgs84,
        l93: r.l93,
        srid: r.sridMetrique ?? 2154,
        bbox: r.bbox,
      }));
      await tx.query(
        `INSERT INTO iris (code, commune_code, nom, type_iris, geom_wgs84, geom_l93, srid_metrique, bbox_wgs84, source, fictif)
         SELECT code, commune, nom, type, wgs84, l93, srid, bbox, $2, $3
         FROM jsonb_to_recordset($1::jsonb) AS t(code text, commune text, nom text, type text,
           wgs84 jsonb, l93 jsonb, srid integer, bbox double precision[])`,
        [JSON.stringify(part), source, opts.fictif ?? false],
      );
    }
    return { iris: iris.length, communes: prefixes.length, replaced: deleted.length };
  });
}

export async function upsertPopulation(
  db: Db,
  rows: readonly PopulationRow[],
  source: string,
): Promise<number> {
  return db.transaction(async (tx) => {
    const chunk = 5000;
    for (let i = 0; i < rows.length; i += chunk)
      await tx.query(
        `INSERT INTO iris_population (iris_code, annee, population, pop_0002, pop_0017, pop_75p, menages, source)
         SELECT iris, annee, population, pop0002, pop0017, pop75p, menages, $2 FROM jsonb_to_recordset($1::jsonb)
           AS t(iris text, annee integer, population double precision, pop0002 double precision,
                pop0017 double precision, pop75p double precision, menages double precision)
         ON CONFLICT (iris_code, annee) DO UPDATE SET population = EXCLUDED.population,
           pop_0002 = coalesce(EXCLUDED.pop_0002, iris_population.pop_0002),
           pop_0017 = coalesce(EXCLUDED.pop_0017, iris_population.pop_0017),
           pop_75p = coalesce(EXCLUDED.pop_75p, iris_population.pop_75p),
           menages = coalesce(EXCLUDED.menages, iris_population.menages),
           source = EXCLUDED.source`,
        [JSON.stringify(rows.slice(i, i + chunk)), source],
      );
    return rows.length;
  });
}

/**
 * Sets the households of IRIS already holding the population of that census
 * vintage (a base-ic « Logement » or « Ménages » file completes the
 * population file of the same year); all rows or none.
 */
export async function updateHouseholds(
  db: Db,
  rows: readonly HouseholdsRow[],
  source: string,
): Promise<{ missing: string[] }> {
  return db.transaction(async (tx) => {
    const missing = await tx.query<{ iris: string }>(
      `SELECT t.iris FROM jsonb_to_recordset($1::jsonb) AS t(iris text, annee integer)
       WHERE NOT EXISTS (SELECT 1 FROM iris_population p WHERE p.iris_code = t.iris AND p.annee = t.annee)
       ORDER BY t.iris`,
      [JSON.stringify(rows.map((r) => ({ iris: r.iris, annee: r.annee })))],
    );
    if (missing.length > 0) return { missing: missing.map((m) => m.iris) };
    await tx.query(
      `UPDATE iris_population p SET menages = t.menages, source = p.source || ' ; ' || $2
       FROM jsonb_to_recordset($1::jsonb) AS t(iris text, annee integer, menages double precision)
       WHERE p.iris_code = t.iris AND p.annee = t.annee`,
      [JSON.stringify(rows), source],
    );
    return { missing: [] };
  });
}

/** The communes (and arrondissements) a territory covers, as a SQL condition on `c`. */
function coverage(kind: TerritoryKind): string {
  if (kind === "commune") return "(c.code = $1 OR c.commune_parent = $1)";
  if (kind === "epci") return "(c.epci_code = $1)";
  return "(c.departement_code = $1)";
}

export async function territoryInfo(q: Queryable, kind: TerritoryKind, code: string): Promise<TerritoryInfo> {
  const table = kind === "commune" ? "commune" : kind;
  const head = await q.query<{ nom: string; fictif: boolean }>(
    `SELECT nom, fictif FROM ${table} WHERE code = $1`,
    [code],
  );
  if (!head[0]) throw introuvable("territoire_introuvable", "Territoire introuvable.");
  const stats = await q.query<{
    communes: number;
    iris: number;
    population: number | null;
    annee: number | null;
  }>(
    `WITH cs AS (SELECT c.code, c.kind FROM commune c WHERE ${coverage(kind)}),
          ir AS (SELECT i.code FROM iris i WHERE i.commune_code IN (SELECT code FROM cs)),
          yr AS (SELECT max(p.annee) AS annee FROM iris_population p WHERE p.iris_code IN (SELECT code FROM ir))
     SELECT (SELECT count(*) FROM cs WHERE cs.kind = 'commune')::int AS communes,
            (SELECT count(*) FROM ir)::int AS iris,
            (SELECT sum(p.population) FROM iris_population p, yr WHERE p.annee = yr.annee
               AND p.iris_code IN (SELECT code FROM ir))::float8 AS population,
            (SELECT annee FROM yr)::int AS annee`,
    [code],
  );
  const parents =
    kind === "commune"
      ? await q.query<{ kind: string; code: string; nom: string }>(
          `SELECT 'epci' AS kind, e.code, e.nom FROM commune c JOIN epci e ON e.code = c.epci_code WHERE c.code = $1
           UNION ALL SELECT 'departement', d.code, d.nom FROM commune c JOIN departement d ON d.code = c.departement_code WHERE c.code = $1
           UNION ALL SELECT 'region', r.code, r.nom FROM commune c JOIN region r ON r.code = c.region_code WHERE c.code = $1`,
          [code],
        )
      : [];
  const s = stats[0]!;
  return {
    kind,
    code,
    nom: head[0].nom,
    fictif: head[0].fictif,
    parents,
    communes: s.communes,
    iris: s.iris,
    population: s.population,
    anneePopulation: s.annee,
  };
}

/** IRIS of a territory as a WGS84 FeatureCollection with their latest population. */
/** Tolerance of the contours sent for display, in degrees (about 2 m). */
export const DISPLAY_TOLERANCE = 2e-5;

export async function irisFeatures(
  q: Queryable,
  kind: TerritoryKind,
  code: string,
): Promise<FeatureCollection> {
  const rows = await q.query<{
    code: string;
    nom: string | null;
    commune_code: string;
    commune_nom: string;
    type_iris: string | null;
    geom: AreaGeometry;
    population: number | null;
    annee: number | null;
  }>(
    `SELECT i.code, i.nom, i.commune_code, c.nom AS commune_nom, i.type_iris, i.geom_wgs84 AS geom,
            p.population::float8 AS population, p.annee::int AS annee
     FROM iris i JOIN commune c ON c.code = i.commune_code
     LEFT JOIN LATERAL (SELECT population, annee FROM iris_population WHERE iris_code = i.code ORDER BY annee DESC LIMIT 1) p ON true
     WHERE ${coverage(kind)}
     ORDER BY i.code`,
    [code],
  );
  const features: Feature[] = rows.map((r) => ({
    type: "Feature",
    id: r.code,
    properties: {
      code: r.code,
      nom: r.nom,
      commune: r.commune_code,
      communeNom: r.commune_nom,
      typeIris: r.type_iris,
      population: r.population,
      annee: r.annee,
    },
    // For display only: about 2 m of tolerance, invisible on a map, far fewer vertices to send and tile.
    geometry: simplifyArea(r.geom, DISPLAY_TOLERANCE),
  }));
  return { type: "FeatureCollection", features };
}

export async function searchTerritories(
  q: Queryable,
  text: string,
  limit = 20,
): Promise<{ kind: TerritoryKind; code: string; nom: string; iris: number }[]> {
  const like = `%${text.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
  return q.query(
    `SELECT * FROM (
       SELECT 'commune' AS kind, c.code, c.nom,
              (SELECT count(*) FROM iris i WHERE i.commune_code = c.code OR i.commune_code IN
                 (SELECT a.code FROM commune a WHERE a.commune_parent = c.code))::int AS iris
       FROM commune c WHERE c.kind = 'commune' AND (c.nom ILIKE $1 OR c.code = $2)
       UNION ALL
       SELECT 'epci', e.code, e.nom,
              (SELECT count(*) FROM iris i JOIN commune c ON c.code = i.commune_code WHERE c.epci_code = e.code)::int
       FROM epci e WHERE e.nom ILIKE $1 OR e.code = $2
     ) t ORDER BY iris DESC, nom LIMIT $3`,
    [like, text, limit],
  );
}
