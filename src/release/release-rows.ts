/**
 * The rows a release counts, grouped in the database: one row per distinct
 * combination of territory and breakdown fields (a birth date as an age on
 * the observation date), with its count. With a history of data versions,
 * each group also carries its segment: the versions holding those units.
 */
import type { Dataset, DatasetField } from "../core/convention/model.js";
import type { FieldValue } from "../core/deposit/fields.js";
import type { ReleaseRow } from "../core/release/aggregate.js";
import type { HistoryPlan } from "../core/release/history.js";
import type { Queryable } from "../store/db.js";

const isBirth = (f: DatasetField) => f.type === "date" && /naiss/.test(f.nom);

export async function groupedRows(
  q: Queryable,
  dataset: Dataset,
  jeuId: string,
  annee: number,
  obsDate: string,
  plan: HistoryPlan,
): Promise<ReleaseRow[]> {
  const used = dataset.champs.filter((f) => ["sexe", "gir", "oui_non", "date", "entier"].includes(f.type));
  // A birth date is only ever used as an age on the observation date: group by
  // that age, not by the date (thousands of dates, a hundred ages).
  const expr = (f: DatasetField) => {
    const v = `m.valeurs->>'${f.nom.replace(/'/g, "''")}'`;
    return isBirth(f)
      ? `CASE WHEN ${v} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN date_part('year', age($3::date, (${v})::date))::int END`
      : v;
  };
  const cols = used.map((_, k) => `c${k}`);
  const keys = ["code_iris", ...cols].join(", ");
  const depots = [...plan.masks.keys()];
  const masks = depots.map((d) => plan.masks.get(d) as number);
  let grouped: Record<string, string | number | null>[];
  if (plan.versions.length === 1) {
    grouped = await q.query(
      `SELECT m.code_iris, ${used.map((f, k) => `${expr(f)} AS c${k}, `).join("")}count(*)::int AS n
       FROM microdonnee m WHERE m.jeu_id = $1 AND m.annee = $2 AND m.depot_id = ANY($4::uuid[]) AND $3::date IS NOT NULL
       GROUP BY ${keys}`,
      [jeuId, annee, obsDate, depots],
    );
  } else {
    // Units of one identity (pseudonym when the provider gave an identifier,
    // territory and breakdown values) are matched across versions by rank:
    // unit j belongs to every version holding more than j of them.
    const who = "CASE WHEN m.pseudonyme ~ '^l[0-9]+$' THEN '' ELSE m.pseudonyme END";
    grouped = await q.query(
      `WITH dm AS (SELECT * FROM unnest($4::uuid[], $5::int[]) AS t(depot_id, mask)),
       r AS (SELECT ${who} AS who, m.code_iris, ${used.map((f, k) => `${expr(f)} AS c${k}, `).join("")}dm.mask
             FROM microdonnee m JOIN dm ON dm.depot_id = m.depot_id
             WHERE m.jeu_id = $1 AND m.annee = $2 AND $3::date IS NOT NULL),
       kv AS (SELECT who, ${keys}, v, count(*)::int AS cv
              FROM r JOIN generate_series(0, $6::int) AS v ON (r.mask >> v) & 1 = 1
              GROUP BY who, ${keys}, v),
       u AS (SELECT who, ${keys}, j, string_agg(v::text, '.' ORDER BY v) AS segment
             FROM kv CROSS JOIN LATERAL generate_series(0, kv.cv - 1) AS j
             GROUP BY who, ${keys}, j)
       SELECT ${keys}, segment, count(*)::int AS n FROM u GROUP BY ${keys}, segment`,
      [jeuId, annee, obsDate, depots, masks, plan.versions.length - 1],
    );
  }
  const [oy, omd] = [Number(obsDate.slice(0, 4)), obsDate.slice(4)];
  const typed = (f: DatasetField, v: string | number | null): FieldValue => {
    if (v === null) return null;
    // Back to a birth date with exactly that age on the observation date.
    if (isBirth(f)) return `${String(oy - Number(v)).padStart(4, "0")}${omd}`;
    if (f.type === "gir" || f.type === "entier") return Number(v);
    if (f.type === "oui_non") return v === "true";
    return String(v);
  };
  return grouped.map((g) => ({
    codeIris: g.code_iris as string | null,
    count: Number(g.n),
    valeurs: Object.fromEntries(used.map((f, k) => [f.nom, typed(f, g[`c${k}`] ?? null)])),
    ...(g.segment !== undefined ? { segment: String(g.segment) } : {}),
  }));
}
