import { one, type Queryable } from "./db.js";

export interface Zone {
  id: string;
  organisationId: string;
  nom: string;
  kind: "communes" | "iris";
  description: string | null;
  membres: string[];
}

export async function createZone(
  q: Queryable,
  z: {
    organisationId: string;
    nom: string;
    kind: "communes" | "iris";
    description?: string | null;
    membres: string[];
  },
): Promise<string> {
  const r = await one<{ id: string }>(
    q,
    "INSERT INTO zone (organisation_id, nom, kind, description) VALUES ($1, $2, $3, $4) RETURNING id",
    [z.organisationId, z.nom, z.kind, z.description ?? null],
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

export async function getZone(q: Queryable, id: string): Promise<Zone | undefined> {
  const z = await one<{
    id: string;
    organisation_id: string;
    nom: string;
    kind: "communes" | "iris";
    description: string | null;
  }>(q, "SELECT id, organisation_id, nom, kind, description FROM zone WHERE id = $1", [id]);
  if (!z) return undefined;
  const m = await q.query<{ code: string }>("SELECT code FROM zone_member WHERE zone_id = $1 ORDER BY code", [
    id,
  ]);
  return {
    id: z.id,
    organisationId: z.organisation_id,
    nom: z.nom,
    kind: z.kind,
    description: z.description,
    membres: m.map((x) => x.code),
  };
}

export async function listZones(
  q: Queryable,
  organisationIds: readonly string[],
): Promise<{ id: string; organisationId: string; nom: string; kind: string; membres: number }[]> {
  return q.query(
    `SELECT z.id, z.organisation_id AS "organisationId", z.nom, z.kind,
            (SELECT count(*) FROM zone_member m WHERE m.zone_id = z.id)::int AS membres
     FROM zone z WHERE z.organisation_id = ANY($1::uuid[]) ORDER BY z.nom`,
    [organisationIds],
  );
}
