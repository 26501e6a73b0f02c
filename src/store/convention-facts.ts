/**
 * What the alerts of conventions need from the store (datasets still held,
 * vintages deposited, study sent back, last restitution session), for many
 * conventions in one query: the convention list asked four queries per
 * convention before (38 statements for the nine demo conventions).
 */
import type { Queryable } from "./db.js";

export interface AlertFacts {
  jeuxNonDetruits: string[];
  etudeRestituee: boolean;
  collectes: Record<string, number[]>;
}

export interface ConventionFacts {
  alertes: AlertFacts;
  /** Date of the last restitution session (AAAA-MM-JJ), or null. */
  derniereSeance: string | null;
}

export async function conventionFacts(
  q: Queryable,
  conventionIds: readonly string[],
): Promise<Map<string, ConventionFacts>> {
  const rows = await q.query<{
    id: string;
    jeux: string[];
    depots: { annexe: string; annee: number }[];
    restituee: boolean;
    seance: string | null;
  }>(
    `SELECT c.id,
            (SELECT coalesce(json_agg(j.id ORDER BY j.id), '[]') FROM jeu_donnees j
              WHERE j.convention_id = c.id AND j.statut = 'collecte') AS jeux,
            -- Data at 31/12/N-1 are deposited in year N.
            (SELECT coalesce(json_agg(x ORDER BY x.annexe, x.annee), '[]') FROM (
               SELECT DISTINCT j.annexe, (extract(year FROM d.depose_le)::int - 1) AS annee
               FROM depot d JOIN jeu_donnees j ON j.id = d.jeu_id WHERE j.convention_id = c.id) x) AS depots,
            EXISTS (SELECT 1 FROM restitution r WHERE r.convention_id = c.id) AS restituee,
            (SELECT to_char(max(s.tenue_le), 'YYYY-MM-DD') FROM seance_restitution s
              WHERE s.convention_id = c.id) AS seance
     FROM unnest($1::text[]) AS c(id)`,
    [conventionIds],
  );
  const out = new Map<string, ConventionFacts>();
  for (const r of rows) {
    const collectes: Record<string, number[]> = {};
    for (const d of r.depots) collectes[d.annexe] = [...(collectes[d.annexe] ?? []), Number(d.annee)];
    out.set(r.id, {
      alertes: { jeuxNonDetruits: r.jeux.map(String), etudeRestituee: r.restituee, collectes },
      derniereSeance: r.seance ?? null,
    });
  }
  return out;
}
