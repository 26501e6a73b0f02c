import { formatValue } from "../../../src/core/observatory/classes";
import { chartGeometry, type Series, type SeriesBreak } from "../../../src/core/observatory/series";

/** Line colours: the territory in ink, references in distinct, colour-blind safe hues and dashes. */
const TRAITS = [
  { couleur: "#1f4e5f", tirets: "" },
  { couleur: "#8a5a00", tirets: "6 3" },
  { couleur: "#6a3d9a", tirets: "2 3" },
  { couleur: "#33a02c", tirets: "8 3 2 3" },
  { couleur: "#555555", tirets: "1 2" },
];

/**
 * A hand-made SVG line chart: every vintage of an indicator for a territory
 * and its references; a secret vintage cuts the line; breaks are marked by a
 * dashed vertical line labelled with their reason. The values are also in
 * the table that follows (for screen readers and print).
 */
export function SerieGraphique({
  titre,
  series,
  ruptures,
  unite,
  largeur = 640,
  hauteur = 280,
}: {
  titre: string;
  series: readonly Series[];
  ruptures: readonly SeriesBreak[];
  unite: string;
  largeur?: number;
  hauteur?: number;
}) {
  const box = { width: largeur, height: hauteur, left: 64, right: 16, top: 16, bottom: 36 };
  const g = chartGeometry(series, ruptures, box);
  const fmt = (v: number) => formatValue(v, unite, 1);
  return (
    <figure className="serie">
      <figcaption>{titre}</figcaption>
      <svg
        viewBox={`0 0 ${largeur} ${hauteur}`}
        width="100%"
        style={{ maxWidth: largeur }}
        role="img"
        aria-label={`${titre}. Les valeurs sont dans le tableau qui suit.`}
        className="graphique-serie"
      >
        {g.yTicks.map((t) => (
          <g key={t.value}>
            <line x1={box.left} x2={largeur - box.right} y1={t.y} y2={t.y} stroke="#e0e0e0" />
            <text x={box.left - 6} y={t.y + 4} textAnchor="end" fontSize="11" fill="#444">
              {fmt(t.value)}
            </text>
          </g>
        ))}
        {g.years.map((y) => (
          <text key={y.millesime} x={y.x} y={hauteur - 14} textAnchor="middle" fontSize="11" fill="#444">
            {y.millesime}
          </text>
        ))}
        {g.breaks.map((b) => (
          <g key={b.millesime} className="rupture" data-millesime={b.millesime}>
            <line
              x1={b.x}
              x2={b.x}
              y1={box.top}
              y2={hauteur - box.bottom}
              stroke="#b3261e"
              strokeDasharray="4 3"
            />
            <text x={b.x + 4} y={box.top + 10} fontSize="10" fill="#b3261e">
              rupture
            </text>
            <title>{`Rupture en ${b.millesime} : ${b.motif}`}</title>
          </g>
        ))}
        {g.lines.map((l, i) => {
          const t = TRAITS[i % TRAITS.length]!;
          return (
            <g key={l.code} className="ligne-serie" data-code={l.code}>
              {l.paths.map((d) => (
                <path
                  key={d}
                  d={d}
                  fill="none"
                  stroke={t.couleur}
                  strokeWidth={i === 0 ? 2.5 : 1.8}
                  strokeDasharray={t.tirets}
                />
              ))}
              {l.dots.map((d) => (
                <circle key={d.millesime} cx={d.x} cy={d.y} r={i === 0 ? 3.5 : 2.5} fill={t.couleur}>
                  <title>{`${l.nom}, ${d.millesime} : ${fmt(d.valeur)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <ul className="legende-serie">
        {g.lines.map((l, i) => (
          <li key={l.code}>
            <svg width="28" height="10" aria-hidden="true">
              <line
                x1="0"
                x2="28"
                y1="5"
                y2="5"
                stroke={TRAITS[i % TRAITS.length]!.couleur}
                strokeWidth="2.5"
                strokeDasharray={TRAITS[i % TRAITS.length]!.tirets}
              />
            </svg>{" "}
            {l.nom}
          </li>
        ))}
      </ul>
      {ruptures.length > 0 && (
        <ul className="ruptures">
          {ruptures.map((r) => (
            <li key={r.millesime}>
              Rupture de série en {r.millesime} : {r.motif}
            </li>
          ))}
        </ul>
      )}
      <div className="defilement">
        <table className="table-serie">
          <caption className="visuellement-cache">{titre} : valeurs par millésime</caption>
          <thead>
            <tr>
              <th scope="col">Territoire</th>
              {g.years.map((y) => (
                <th scope="col" key={y.millesime}>
                  {y.millesime}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {series.map((s) => (
              <tr key={s.code}>
                <th scope="row">{s.nom}</th>
                {g.years.map((y) => {
                  const p = s.points.find((x) => x.millesime === y.millesime);
                  return (
                    <td key={y.millesime} className="nombre">
                      {p?.valeur != null ? fmt(p.valeur) : "—"}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
