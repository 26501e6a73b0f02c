import type { ZoneCategory, ZoneUnits } from "../core/territory/zones.js";
import { one, type Queryable } from "./db.js";

export interface Zone {
  id: string;
  organisationId: string;
  nom: string;
  kind: ZoneUnits;
  categorie: ZoneCategory;
  description: string | null;
  membres: string[];
  /** Releases whose tables hold the zone: it is part of the published history. */
  diffusions: number;
}

export async function createZone(
  q: Queryable,
  z: {
    organisationId: string;
    nom: string;
    kind: ZoneUnits;
    categorie?: ZoneCategory;
    description?: string | null;
    membres: string[];
  },
): Promise<string> {
  const r = await one<{ id: string }>(
    q,
    "INSERT INTO zone (organisation_id, nom, kind, categorie, description) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [z.organisationId, z.nom, z.kind, z.categorie ?? "autre", z.description ?? null],
  );
  await q.query("INSERT INTO zone_member (zone_id, code) SELECT $1, unnest($2::text[])", [r!.id, z.membres]);
  return r!.id;
}

/** Member codes that do not exist in the referential (communes or IRIS). */
export async function unknownMembers(
  q: Queryable,
  kind: "communes" | "iris",
  codes: readonly string[],
): Promise<string[]> {
  const table = kind === "communes" ? "commune" : "iris";
  const rows = await q.query<{ code: string }>(
    `SELECT c AS code FROM unnest($1::text[]) AS c WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.code = c)`,
    [codes],
  );
  return rows.map((r) => r.code);
}

/**
 * How many releases hold the zone: a released table names it `Z<id>` among
 * its territories (individual and aggregated releases alike). A release
 * destroyed with its data no longer counts.
 */
export async function releasesOfZone(q: Queryable, id: string): Promise<number> {
  const r = await one<{ n: number }>(
    q,
    `SELECT count(*)::int AS n FROM diffusion d
     WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(d.tableaux) t
                   WHERE jsonb_exists(t->'libelles'->'territoire', 'Z' || $1::text))`,
    [id],
  );
  return r?.n ?? 0;
}

/** The zone, locked for an edit when `forUpdate` (so that two edits do not cross). */
export async function getZone(q: Queryable, id: string, forUpdate = false): Promise<Zone | undefined> {
  const z = await one<{
    id: string;
    organisation_id: string;
    nom: string;
    kind: ZoneUnits;
    categorie: ZoneCategory;
    description: string | null;
  }>(
    q,
    `SELECT id, organisation_id, nom, kind, categorie, description FROM zone WHERE id = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [id],
  );
  if (!z) return undefined;
  const m = await q.query<{ code: string }>("SELECT code FROM zone_member WHERE zone_id = $1 ORDER BY code", [
    id,
  ]);
  return {
    id: z.id,
    organisationId: z.organisation_id,
    nom: z.nom,
    kind: z.kind,
    categorie: z.categorie,
    description: z.description,
    membres: m.map((x) => x.code),
    diffusions: await releasesOfZone(q, id),
  };
}

/** Replaces what an edit gives (name, category, description, units and members). */
export async function updateZone(
  q: Queryable,
  id: string,
  z: {
    nom: string;
    kind: ZoneUnits;
    categorie: ZoneCategory;
    description: string | null;
    membres: readonly string[];
    at: Date;
  },
): Promise<void> {
  await q.query(
    "UPDATE zone SET nom = $2, kind = $3, categorie = $4, description = $5, modifiee_le = $6 WHERE id = $1",
    [id, z.nom, z.kind, z.categorie, z.description, z.at],
  );
  await q.query("DELETE FROM zone_member WHERE zone_id = $1 AND NOT (code = ANY($2::text[]))", [
    id,
    z.membres,
  ]);
  await q.query(
    "INSERT INTO zone_member (zone_id, code) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
    [id, z.membres],
  );
}

export async function deleteZone(q: Queryable, id: string): Promise<void> {
  await q.query("DELETE FROM zone WHERE id = $1", [id]);
}

/** Whether another zone of the organisation already has this name. */
export async function zoneNameTaken(
  q: Queryable,
  organisationId: string,
  nom: string,
  except?: string,
): Promise<boolean> {
  const rows = await q.query(
    "SELECT 1 FROM zone WHERE organisation_id = $1 AND nom = $2 AND ($3::uuid IS NULL OR id <> $3::uuid)",
    [organisationId, nom, except ?? null],
  );
  return rows.length > 0;
}

export async function listZones(
  q: Queryable,
  organisationIds: readonly string[],
): Promise<
  {
    id: string;
    organisationId: string;
    nom: string;
    kind: string;
    categorie: string;
    membres: number;
    diffusions: number;
  }[]
> {
  return q.query(
    `SELECT z.id, z.organisation_id AS "organisationId", z.nom, z.kind, z.categorie,
            (SELECT count(*) FROM zone_member m WHERE m.zone_id = z.id)::int AS membres,
            (SELECT count(*) FROM diffusion d WHERE EXISTS (
               SELECT 1 FROM jsonb_array_elements(d.tableaux) t
               WHERE jsonb_exists(t->'libelles'->'territoire', 'Z' || z.id::text)))::int AS diffusions
     FROM zone z WHERE z.organisation_id = ANY($1::uuid[]) ORDER BY z.nom`,
    [organisationIds],
  );
}
