/**
 * The search index of territories (communes, EPCI, départements of the COG),
 * built once per database and built again when the COG changes (its load
 * date and the number of communes are checked on each search: one cheap
 * query).
 */
import { buildSearchIndex, type SearchEntry, type SearchIndex } from "../core/territory/search.js";
import type { Queryable } from "./db.js";

const cache = new WeakMap<object, { signature: string; index: SearchIndex }>();

export async function territorySearchIndex(q: Queryable): Promise<SearchIndex> {
  const [sig] = await q.query<{ signature: string }>(
    `SELECT concat((SELECT max(loaded_at)::text FROM cog_meta), '/', (SELECT count(*) FROM commune),
                   '/', (SELECT count(*) FROM epci)) AS signature`,
  );
  const signature = sig?.signature ?? "";
  const hit = cache.get(q);
  if (hit && hit.signature === signature) return hit.index;
  const communes = await q.query<{
    code: string;
    nom: string;
    codes_postaux: string[];
    departement_code: string | null;
    population: number | null;
  }>("SELECT code, nom, codes_postaux, departement_code, population FROM commune WHERE kind = 'commune'");
  const epci = await q.query<{ code: string; nom: string; population: number | null }>(
    "SELECT code, nom, population FROM epci",
  );
  const deps = await q.query<{ code: string; nom: string; population: number | null }>(
    `SELECT d.code, d.nom, (SELECT sum(c.population) FROM commune c WHERE c.departement_code = d.code)::float8 AS population
     FROM departement d`,
  );
  const entries: SearchEntry[] = [
    ...deps.map((d) => ({
      niveau: "departement" as const,
      code: d.code,
      nom: d.nom,
      population: d.population,
    })),
    ...epci.map((e) => ({ niveau: "epci" as const, code: e.code, nom: e.nom, population: e.population })),
    ...communes.map((c) => ({
      niveau: "commune" as const,
      code: c.code,
      nom: c.nom,
      codesPostaux: c.codes_postaux,
      ...(c.departement_code ? { departement: c.departement_code } : {}),
      population: c.population,
    })),
  ];
  const index = buildSearchIndex(entries);
  cache.set(q, { signature, index });
  return index;
}
