/**
 * Classes of a choropleth map for any indicator: quantiles, natural breaks
 * (Jenks), equal intervals or breaks typed by the analyst, with French
 * legend labels in the indicator's unit. Secret and missing values are not
 * classed: the caller passes published values only and shows the others
 * apart in the legend.
 */

export type ClassMethod = "quantiles" | "jenks" | "egales" | "manuelles";

export const CLASS_METHODS: readonly { id: ClassMethod; libelle: string }[] = [
  { id: "quantiles", libelle: "Quantiles (effectifs égaux)" },
  { id: "jenks", libelle: "Seuils naturels (Jenks)" },
  { id: "egales", libelle: "Amplitudes égales" },
  { id: "manuelles", libelle: "Seuils manuels" },
];

export interface MapClasses {
  /** Upper bounds of every class but the last (k-1 breaks for k classes), increasing. */
  breaks: number[];
  labels: string[];
  /** Number of values in each class. */
  counts: number[];
}

/** Significant digits kept in a break so that the legend reads well. */
function rounded(n: number, span: number): number {
  if (n === 0 || span === 0) return n;
  const e = Math.floor(Math.log10(Math.abs(span))) - 2;
  // toFixed removes the binary noise of the product (15.2, not 15.200000000000001).
  return e >= 0
    ? Math.round(n / 10 ** e) * 10 ** e
    : Number((Math.round(n / 10 ** e) / 10 ** -e).toFixed(-e));
}

function increasing(bs: readonly number[], min: number, max: number): number[] {
  const out: number[] = [];
  for (const b of bs)
    if (Number.isFinite(b) && b > min && b <= max && (out.length === 0 || b > out[out.length - 1]!))
      out.push(b);
  return out;
}

/** Quantile breaks: each class holds about the same number of territories. */
export function quantileBreaks(sorted: readonly number[], k: number): number[] {
  const bs: number[] = [];
  for (let i = 1; i < k; i++)
    bs.push(sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / k))]!);
  return bs;
}

/** Equal intervals between the smallest and the largest value. */
export function equalBreaks(sorted: readonly number[], k: number): number[] {
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return Array.from({ length: k - 1 }, (_, i) => min + ((i + 1) * (max - min)) / k);
}

/**
 * Jenks natural breaks (Fisher's exact dynamic programme): the partition of
 * the sorted values into k classes with the least within-class variance.
 * O(k·n²): 1,500 IRIS in a few tens of milliseconds.
 *
 * @example jenksBreaks([1, 2, 3, 10, 11, 12, 30, 31], 3) // [10, 30]
 */
export function jenksBreaks(sorted: readonly number[], k: number): number[] {
  const n = sorted.length;
  if (k <= 1 || n <= k) return [...new Set(sorted)].slice(1);
  // Prefix sums for the variance of any run [i, j).
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    s1[i + 1] = s1[i]! + sorted[i]!;
    s2[i + 1] = s2[i]! + sorted[i]! * sorted[i]!;
  }
  const ssd = (i: number, j: number) => {
    const m = j - i;
    const s = s1[j]! - s1[i]!;
    return s2[j]! - s2[i]! - (s * s) / m;
  };
  // cost[c][j]: best cost of the first j values in c+1 classes; from[c][j]: start of the last class.
  let cost = new Float64Array(n + 1);
  for (let j = 1; j <= n; j++) cost[j] = ssd(0, j);
  const from: Int32Array[] = [];
  for (let c = 1; c < k; c++) {
    const next = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
    const arg = new Int32Array(n + 1);
    for (let j = c + 1; j <= n; j++) {
      for (let i = c; i < j; i++) {
        const v = cost[i]! + ssd(i, j);
        if (v < next[j]!) {
          next[j] = v;
          arg[j] = i;
        }
      }
    }
    from.push(arg);
    cost = next;
  }
  const starts: number[] = [];
  let j = n;
  for (let c = k - 2; c >= 0; c--) {
    const i = from[c]![j]!;
    starts.unshift(i);
    j = i;
  }
  return starts.map((i) => sorted[i]!);
}

/** How a value of the indicator is written: French digits, its unit. */
export function formatValue(n: number, unite: string, decimals: number): string {
  const s = new Intl.NumberFormat("fr-FR", {
    minimumFractionDigits: 0,
    maximumFractionDigits: decimals,
  }).format(n);
  return unite === "%" ? `${s} %` : unite === "nombre" || unite === "" ? s : `${s} ${unite}`;
}

/** Decimals that tell the breaks apart: counts none, rates one or two. */
export function decimalsFor(values: readonly number[], unite: string): number {
  if (unite === "nombre" && values.every((v) => Number.isInteger(v))) return 0;
  const span = Math.max(...values) - Math.min(...values);
  return span >= 100 ? 0 : span >= 10 ? 1 : 2;
}

export function classLabels(
  breaks: readonly number[],
  min: number,
  max: number,
  unite: string,
  decimals: number,
) {
  const f = (n: number) => formatValue(n, unite, decimals);
  if (breaks.length === 0) return [min === max ? f(min) : `${f(min)} à ${f(max)}`];
  const labels = [`moins de ${f(breaks[0]!)}`];
  for (let i = 1; i < breaks.length; i++) labels.push(`${f(breaks[i - 1]!)} à moins de ${f(breaks[i]!)}`);
  labels.push(`${f(breaks[breaks.length - 1]!)} et plus`);
  return labels;
}

/** Index of the class of a value: the first class whose upper bound is above it. */
export function classIndex(value: number, breaks: readonly number[]): number {
  let i = 0;
  while (i < breaks.length && value >= breaks[i]!) i++;
  return i;
}

/**
 * Classes of published values by a method; `manual` breaks (any order, out
 * of range ignored) for the « manuelles » method. Fewer classes come back
 * when values repeat (never two classes with the same bound); none without
 * values (a map where every territory is secret).
 *
 * @example classify([1, 2, 3, 4], "egales", 2, "%").labels // ["moins de 2,5 %", "2,5 % et plus"]
 */
export function classify(
  values: readonly number[],
  method: ClassMethod,
  k: number,
  unite: string,
  manual: readonly number[] = [],
): MapClasses {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { breaks: [], labels: [], counts: [] };
  const min = v[0]!;
  const max = v[v.length - 1]!;
  const kk = Math.max(1, Math.min(9, Math.floor(k)));
  const raw =
    method === "manuelles"
      ? [...manual].sort((a, b) => a - b)
      : min === max
        ? []
        : method === "quantiles"
          ? quantileBreaks(v, kk)
          : method === "jenks"
            ? jenksBreaks(v, kk)
            : equalBreaks(v, kk);
  const span = max - min;
  // Typed breaks are kept even outside the values' range (the same classes on several maps).
  const breaks =
    method === "manuelles"
      ? increasing(raw, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)
      : increasing(
          raw.map((b) => rounded(b, span)),
          min,
          max,
        );
  const decimals = Math.max(decimalsFor(v, unite), ...breaks.map((b) => decimalsOf(b)));
  const counts = new Array<number>(breaks.length + 1).fill(0);
  for (const x of v) counts[classIndex(x, breaks)]!++;
  return { breaks, labels: classLabels(breaks, min, max, unite, Math.min(decimals, 3)), counts };
}

function decimalsOf(n: number): number {
  const s = String(Math.abs(n));
  const i = s.indexOf(".");
  return i < 0 || s.includes("e") ? 0 : s.length - i - 1;
}

/**
 * Sequential palettes (ColorBrewer YlGnBu) by number of classes, light to
 * dark; colour-blind safe and readable in greyscale print.
 */
const PALETTES: Record<number, string[]> = {
  1: ["#41b6c4"],
  2: ["#a1dab4", "#225ea8"],
  3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
  4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
  5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
  6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
  7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
  8: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
  9: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"],
};

export function palette(classes: number): string[] {
  return PALETTES[Math.max(1, Math.min(9, classes))]!;
}

/** Fill of a territory under statistical secrecy (hatched on exports) and of one without data. */
export const COULEUR_SECRET = "#9e9e9e";
export const COULEUR_ABSENT = "#ffffff";

/**
 * Radius of a proportional symbol: its area is proportional to the count
 * (Flannery's perceptual correction is not applied: areas stay exact).
 */
export function symbolRadius(value: number, maxValue: number, maxRadius: number): number {
  if (!(value > 0) || !(maxValue > 0)) return 0;
  return maxRadius * Math.sqrt(value / maxValue);
}
