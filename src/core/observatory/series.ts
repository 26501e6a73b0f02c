/**
 * Geometry of a time-series chart: every vintage of an indicator for a
 * territory and its references, in SVG coordinates. A secret or missing
 * vintage cuts the line (never interpolated); a break (definition or
 * zoning changed) is a vertical mark between two vintages.
 */

export interface SeriesPoint {
  millesime: number;
  valeur: number | null;
}

export interface Series {
  code: string;
  nom: string;
  points: SeriesPoint[];
}

export interface SeriesBreak {
  /** First vintage under the new definition or zoning. */
  millesime: number;
  motif: string;
}

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface ChartGeometry {
  years: { millesime: number; x: number }[];
  yTicks: { value: number; y: number }[];
  lines: {
    code: string;
    nom: string;
    paths: string[];
    dots: { x: number; y: number; valeur: number; millesime: number }[];
  }[];
  breaks: { x: number; millesime: number; motif: string }[];
}

/** Round tick values (1, 2, 5 × 10^n) covering [min, max]. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (min === max) {
    const d = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - d, max + d, target);
  }
  const raw = (max - min) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  for (let v = start; v <= max + step * 0.5; v += step) ticks.push(Number(v.toFixed(digits)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toFixed(digits)));
  return ticks;
}

export function chartGeometry(
  series: readonly Series[],
  breaks: readonly SeriesBreak[],
  box: ChartBox,
): ChartGeometry {
  const years = [...new Set(series.flatMap((s) => s.points.map((p) => p.millesime)))].sort((a, b) => a - b);
  const values = series.flatMap((s) => s.points.map((p) => p.valeur).filter((v): v is number => v !== null));
  const innerW = box.width - box.left - box.right;
  const innerH = box.height - box.top - box.bottom;
  const x = (m: number) =>
    years.length <= 1
      ? box.left + innerW / 2
      : box.left + ((m - years[0]!) / (years[years.length - 1]! - years[0]!)) * innerW;
  const ticks = values.length ? niceTicks(Math.min(0, ...values), Math.max(...values)) : [0, 1];
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  const y = (v: number) => box.top + innerH - ((v - lo) / (hi - lo)) * innerH;
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    years: years.map((m) => ({ millesime: m, x: r(x(m)) })),
    yTicks: ticks.map((value) => ({ value, y: r(y(value)) })),
    lines: series.map((s) => {
      const pts = [...s.points].sort((a, b) => a.millesime - b.millesime);
      const paths: string[] = [];
      let current: string[] = [];
      for (const p of pts) {
        if (p.valeur === null) {
          if (current.length) paths.push(current.join(" "));
          current = [];
          continue;
        }
        current.push(`${current.length ? "L" : "M"}${r(x(p.millesime))},${r(y(p.valeur))}`);
      }
      if (current.length) paths.push(current.join(" "));
      return {
        code: s.code,
        nom: s.nom,
        paths,
        dots: pts
          .filter((p): p is { millesime: number; valeur: number } => p.valeur !== null)
          .map((p) => ({
            x: r(x(p.millesime)),
            y: r(y(p.valeur)),
            valeur: p.valeur,
            millesime: p.millesime,
          })),
      };
    }),
    // Half-way between the last vintage before the break and the first after it.
    breaks: breaks
      .filter((b) => years.includes(b.millesime))
      .map((b) => {
        const i = years.indexOf(b.millesime);
        const before = i > 0 ? x(years[i - 1]!) : x(b.millesime);
        return { x: r((before + x(b.millesime)) / 2), millesime: b.millesime, motif: b.motif };
      }),
  };
}
