import type { Series } from "../../../src/core/observatory/series";
import type { SerieReponse } from "../api-indicateurs";

/**
 * The territory's line, then one line per reference (EPCI, département,
 * France) found in the points; a reference « non disponible » in every
 * vintage (France without national figures) draws no line: the table beside
 * says so. A secret one keeps its (empty) line and its legend entry.
 */
export function seriesDe(r: SerieReponse): Series[] {
  const out: Series[] = [
    {
      code: `${r.territoire.niveau}:${r.territoire.code}`,
      nom: r.territoire.nom,
      points: r.points.map((p) => ({ millesime: p.millesime, valeur: p.valeur })),
    },
  ];
  const refs = new Map<string, Series>();
  const known = new Set<string>();
  for (const p of r.points)
    for (const ref of p.references) {
      if (ref.statut !== "manquant") known.add(`${ref.niveau}:${ref.code}`);
      const key = `${ref.niveau}:${ref.code}`;
      const s = refs.get(key) ?? { code: key, nom: ref.nom, points: [] };
      s.points.push({ millesime: p.millesime, valeur: ref.valeur });
      refs.set(key, s);
    }
  return [...out, ...[...refs.values()].filter((s) => known.has(s.code))];
}
