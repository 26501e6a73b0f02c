import type { Series } from "../../../src/core/observatory/series";
import type { SerieReponse } from "../api-indicateurs";

/**
 * The territory's line, then one line per reference (EPCI, département,
 * France) found in the points; a reference with no value in any vintage
 * (France « non disponible ») draws no line: the table beside says so.
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
  for (const p of r.points)
    for (const ref of p.references) {
      const key = `${ref.niveau}:${ref.code}`;
      const s = refs.get(key) ?? { code: key, nom: ref.nom, points: [] };
      s.points.push({ millesime: p.millesime, valeur: ref.valeur });
      refs.set(key, s);
    }
  return [...out, ...[...refs.values()].filter((s) => s.points.some((p) => p.valeur !== null))];
}
