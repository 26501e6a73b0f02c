import { describe, expect, it } from "vitest";
import { filterRows, formatGap, gap, normalise, rankOf, sortRows } from "./comparison.js";
import { chartGeometry, niceTicks } from "./series.js";
import { carteSvg } from "./svg-map.js";

const rows = [
  { code: "62119", nom: "Béthune", valeur: 31.5, statut: "publie", ecart: 4.1 },
  { code: "62178", nom: "Bruay-la-Buissière", valeur: 29.0, statut: "publie", ecart: 1.6 },
  { code: "62004", nom: "Ablain-Saint-Nazaire", valeur: null, statut: "secret", ecart: null },
  { code: "62055", nom: "Annezin", valeur: 18.2, statut: "publie", ecart: -9.2 },
];

describe("comparison table", () => {
  it("sorts by value either way with secret territories last", () => {
    expect(sortRows(rows, "valeur", true).map((r) => r.nom)).toEqual([
      "Béthune",
      "Bruay-la-Buissière",
      "Annezin",
      "Ablain-Saint-Nazaire",
    ]);
    expect(sortRows(rows, "valeur", false).map((r) => r.code)).toEqual(["62055", "62178", "62119", "62004"]);
    expect(sortRows(rows, "nom", false)[0]!.nom).toBe("Ablain-Saint-Nazaire");
  });

  it("filters ignoring accents, hyphens and word order", () => {
    expect(filterRows(rows, "buissiere bruay").map((r) => r.code)).toEqual(["62178"]);
    expect(filterRows(rows, "BETHUNE")).toHaveLength(1);
    expect(filterRows(rows, "62")).toHaveLength(4);
    expect(normalise("Saint-Aubin-des-Prés")).toBe("saint aubin des pres");
  });

  it("writes the gap in points for a share, none for a secret value, and the rank among published ones", () => {
    expect(gap(31.5, 27.4)).toBeCloseTo(4.1);
    expect(gap(null, 27.4)).toBeNull();
    expect(formatGap(4.1, "%")).toBe("+4,1 pts");
    expect(formatGap(-0.5, "%")).toBe("−0,5 pt");
    expect(formatGap(-12, "pour 1 000", 0)).toBe("−12 pour 1 000");
    expect(formatGap(null, "%")).toBe("—");
    expect(rankOf(rows, "62178")).toEqual({ rang: 2, sur: 3 });
    expect(rankOf(rows, "62004")).toBeNull();
  });
});

describe("time series chart", () => {
  const box = { width: 600, height: 300, left: 50, right: 10, top: 10, bottom: 30 };

  it("places every vintage, cuts the line at a secret year and marks a break between two vintages", () => {
    const g = chartGeometry(
      [
        {
          code: "62119",
          nom: "Béthune",
          points: [
            { millesime: 2017, valeur: 40 },
            { millesime: 2018, valeur: 42 },
            { millesime: 2019, valeur: null },
            { millesime: 2020, valeur: 45 },
            { millesime: 2021, valeur: 47 },
          ],
        },
      ],
      [{ millesime: 2020, motif: "nouveau zonage" }],
      box,
    );
    expect(g.years.map((y) => y.millesime)).toEqual([2017, 2018, 2019, 2020, 2021]);
    expect(g.years[0]!.x).toBe(50);
    expect(g.years[4]!.x).toBe(590);
    expect(g.lines[0]!.paths).toHaveLength(2);
    expect(g.lines[0]!.dots).toHaveLength(4);
    expect(g.breaks).toEqual([{ x: 387.5, millesime: 2020, motif: "nouveau zonage" }]);
    // The axis starts at 0 and covers the highest value.
    expect(g.yTicks[0]!.value).toBe(0);
    expect(g.yTicks.at(-1)!.value).toBeGreaterThanOrEqual(47);
  });

  it("has round ticks", () => {
    expect(niceTicks(0, 47)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0, 0.8)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });
});

describe("map as SVG", () => {
  const square = (x: number, y: number) => ({
    type: "Polygon" as const,
    coordinates: [
      [
        [x, y],
        [x + 0.01, y],
        [x + 0.01, y + 0.01],
        [x, y + 0.01],
        [x, y],
      ],
    ],
  });

  it("carries its title, legend and source, hatches secret areas and escapes text", () => {
    const svg = carteSvg({
      titre: "Part des allocataires à bas revenus <2021>",
      areas: [
        { geometry: square(2.6, 50.5), fill: "#ffffcc" },
        { geometry: square(2.61, 50.5), fill: "#9e9e9e", secret: true },
      ],
      symbols: [{ lng: 2.605, lat: 50.505, radius: 12 }],
      legende: [
        { libelle: "moins de 20 %", couleur: "#ffffcc" },
        { libelle: "secret statistique", couleur: "#9e9e9e", hachure: true },
      ],
      source: "Source : CAF du Pas-de-Calais & CABBALR, données au 31/12/2021",
    });
    expect(svg).toContain("Part des allocataires à bas revenus &lt;2021&gt;");
    expect(svg).toContain("secret statistique");
    expect(svg).toContain("CAF du Pas-de-Calais &amp; CABBALR");
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('fill="url(#hachure-secret)"');
    expect(svg).toContain("<circle ");
  });

  it("draws a map without any area (nothing imported) without failing", () => {
    const svg = carteSvg({ titre: "Vide", areas: [], legende: [], source: "Source : —" });
    expect(svg).toContain("<svg");
    expect(svg).not.toContain("NaN");
  });
});
