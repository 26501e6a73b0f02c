/**
 * Breaks of a time series: a vintage is not comparable with the one before
 * when its releases have another zoning, come from another convention or
 * dataset, or when the indicator's definition changed at that vintage.
 */

export interface VintageFacts {
  millesime: number;
  /** Zonings of the releases that hold the territory that vintage. */
  zonages: readonly string[];
  /** Convention/dataset of those releases. */
  sources: readonly string[];
}

export interface Rupture {
  millesime: number;
  raison: string;
}

const key = (xs: readonly string[]) => [...new Set(xs)].sort().join(" ; ");

/**
 * @example seriesBreaks([{ millesime: 2019, zonages: ["commune"], sources: ["a"] },
 *   { millesime: 2020, zonages: ["commune+zone"], sources: ["a"] }]) // [{ millesime: 2020, raison: "Changement de zonage : …" }]
 */
export function seriesBreaks(
  vintages: readonly VintageFacts[],
  definitions: readonly { depuis: number; note: string }[] = [],
): Rupture[] {
  const sorted = [...vintages].sort((a, b) => a.millesime - b.millesime);
  const out: Rupture[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const [before, now] = [sorted[i - 1] as VintageFacts, sorted[i] as VintageFacts];
    if (key(before.zonages) !== key(now.zonages))
      out.push({
        millesime: now.millesime,
        raison: `Changement de zonage : ${key(before.zonages)} → ${key(now.zonages)}.`,
      });
    else if (key(before.sources) !== key(now.sources))
      out.push({
        millesime: now.millesime,
        raison: "Changement de source : les données viennent d'une autre convention ou d'un autre jeu.",
      });
  }
  // A new definition breaks the series where it takes effect, unless the series starts there.
  for (const d of definitions)
    if (sorted.some((v) => v.millesime === d.depuis) && sorted[0]?.millesime !== d.depuis)
      out.push({ millesime: d.depuis, raison: `Changement de définition : ${d.note}` });
  return out.sort((a, b) => a.millesime - b.millesime);
}
