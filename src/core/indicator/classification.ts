/**
 * Classes for choropleth maps: quantile breaks rounded to readable values,
 * with French labels for the legend.
 */

export interface Classes {
  /** Upper bounds of every class but the last (k-1 breaks for k classes). */
  breaks: number[];
  labels: string[];
}

const fmt = (n: number) => new Intl.NumberFormat("fr-FR").format(n);

/** Rounds to 2 significant digits so breaks read well in a legend (1 234 → 1 200). */
export function niceRound(n: number): number {
  if (n === 0) return 0;
  const p = 10 ** (Math.floor(Math.log10(Math.abs(n))) - 1);
  return Math.round(n / p) * p;
}

/**
 * @example quantileClasses([1, 2, 3, 4, 5, 6], 3) // breaks [3, 5]
 */
export function quantileClasses(values: readonly number[], k = 5): Classes {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { breaks: [], labels: [] };
  const breaks: number[] = [];
  for (let i = 1; i < k; i++) {
    const b = niceRound(v[Math.min(v.length - 1, Math.floor((i * v.length) / k))]!);
    if (b > v[0]! && (breaks.length === 0 || b > breaks[breaks.length - 1]!)) breaks.push(b);
  }
  const labels: string[] = [];
  for (let i = 0; i <= breaks.length; i++) {
    if (breaks.length === 0) labels.push(`${fmt(v[0]!)} à ${fmt(v[v.length - 1]!)}`);
    else if (i === 0) labels.push(`moins de ${fmt(breaks[0]!)}`);
    else if (i === breaks.length) labels.push(`${fmt(breaks[i - 1]!)} et plus`);
    else labels.push(`${fmt(breaks[i - 1]!)} à moins de ${fmt(breaks[i]!)}`);
  }
  return { breaks, labels };
}

/** Index of the class a value falls in. */
export function classOf(value: number, c: Classes): number {
  let i = 0;
  while (i < c.breaks.length && value >= c.breaks[i]!) i++;
  return i;
}
