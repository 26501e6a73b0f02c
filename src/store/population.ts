/**
 * INSEE denominators by territory and census vintage, summed from the IRIS
 * rows of `iris_population`: for each territory, the latest vintage not
 * after the data's (a CAF vintage 2024 is divided by the 2021 census when
 * that is the latest imported). A commune, EPCI or département is given only
 * when its communes have the figure in that vintage (a département half
 * imported gives nothing rather than a wrong total); up to 1 % of them may
 * lack a row of their own: a commune restored after a merger (Saint-Lucien,
 * 76601, has no row in the 2013 census) was counted in its former commune.
 */
import type { TranchePopulation } from "../core/indicator/model.js";
import type { Queryable } from "./db.js";

/** Column of each figure (fixed names, never from input). */
const COLUMN: Readonly<Record<TranchePopulation, string>> = {
  total: "population",
  "0-2": "pop_0002",
  "0-17": "pop_0017",
  "75+": "pop_75p",
  menages: "menages",
};

export type DenominatorLevel = "iris" | "commune" | "epci" | "departement" | "france";

/** The one code of France as a denominator level. */
export const FRANCE = "FR";

export interface Denominator {
  valeur: number;
  /** Census vintage the figure comes from. */
  annee: number;
}

/**
 * @example await denominators(db, "commune", "total", 2024, ["76540"]) // Map { "76540" => { valeur: 110754, annee: 2013 } }
 */
export async function denominators(
  q: Queryable,
  level: DenominatorLevel,
  tranche: TranchePopulation,
  millesime: number,
  codes: readonly string[],
): Promise<Map<string, Denominator>> {
  const out = new Map<string, Denominator>();
  if (codes.length === 0) return out;
  const col = `p.${COLUMN[tranche]}`;
  if (level === "iris") {
    const rows = await q.query<{ code: string; annee: number; valeur: number }>(
      `SELECT DISTINCT ON (p.iris_code) p.iris_code AS code, p.annee, ${col}::float8 AS valeur
       FROM iris_population p WHERE p.iris_code = ANY($1::text[]) AND p.annee <= $2 AND ${col} IS NOT NULL
       ORDER BY p.iris_code, p.annee DESC`,
      [codes, millesime],
    );
    for (const r of rows) out.set(r.code, { valeur: r.valeur, annee: r.annee });
    return out;
  }
  // Commune of each IRIS row (an arrondissement counts for its commune), then the level's code.
  const key =
    level === "commune"
      ? "coalesce(c.commune_parent, c.code)"
      : level === "epci"
        ? "coalesce(m.epci_code, c.epci_code)"
        : level === "france"
          ? `'${FRANCE}'::text`
          : "coalesce(m.departement_code, c.departement_code)";
  // France: every commune of the COG must have its figure (a national census import), like a département.
  const memberKey =
    level === "commune"
      ? "x.code"
      : level === "epci"
        ? "x.epci_code"
        : level === "france"
          ? `'${FRANCE}'::text`
          : "x.departement_code";
  const rows = await q.query<{ code: string; annee: number; valeur: number }>(
    `WITH rows AS (
       SELECT ${key} AS code, coalesce(c.commune_parent, c.code) AS commune, p.annee, ${col} AS v
       FROM iris_population p
       -- An IRIS of a former commune (merged since the census) counts for the commune it is now in.
       JOIN commune c ON c.code = coalesce(
         (SELECT x.code FROM commune x WHERE x.code = left(p.iris_code, 5)),
         (SELECT d.commune_code FROM commune_deleguee d WHERE d.code = left(p.iris_code, 5) ORDER BY d.kind LIMIT 1))
       LEFT JOIN commune m ON m.code = c.commune_parent
       WHERE p.annee <= $2),
     sums AS (
       SELECT code, annee, sum(v)::float8 AS valeur, count(*) FILTER (WHERE v IS NULL) AS nuls,
              count(DISTINCT commune) AS communes
       FROM rows WHERE code = ANY($1::text[]) GROUP BY code, annee),
     members AS (
       SELECT ${memberKey} AS code, count(*) AS communes FROM commune x
       WHERE x.kind = 'commune' AND ${memberKey} = ANY($1::text[])${level === "france" ? " AND NOT coalesce(x.fictif, false)" : ""} GROUP BY 1)
     SELECT DISTINCT ON (s.code) s.code, s.annee, s.valeur FROM sums s JOIN members mb ON mb.code = s.code
     WHERE s.nuls = 0 AND s.communes >= 0.99 * mb.communes
     ORDER BY s.code, s.annee DESC`,
    [codes, millesime],
  );
  for (const r of rows) out.set(r.code, { valeur: r.valeur, annee: r.annee });
  return out;
}

/** Census vintages imported, newest first. */
export async function populationVintages(q: Queryable): Promise<number[]> {
  const rows = await q.query<{ annee: number }>(
    "SELECT DISTINCT annee FROM iris_population ORDER BY annee DESC",
  );
  return rows.map((r) => r.annee);
}
