import { describe, expect, it } from "vitest";
import { classIndex, classify, jenksBreaks, palette, symbolRadius } from "./classes.js";

describe("map classes", () => {
  const taux = [12.1, 14.8, 15.2, 18.9, 22.4, 23.0, 25.7, 31.2, 33.3, 47.9];

  it("quantiles put about as many territories in each class", () => {
    const c = classify(taux, "quantiles", 5, "%");
    expect(c.counts).toEqual([2, 2, 2, 2, 2]);
    expect(c.labels[0]).toBe("moins de 15,2 %");
    expect(c.labels.at(-1)).toBe("33,3 % et plus");
  });

  it("equal intervals split the range in classes of the same width", () => {
    const c = classify([0, 10, 20, 30, 40], "egales", 4, "%");
    expect(c.breaks).toEqual([10, 20, 30]);
    expect(c.labels).toEqual([
      "moins de 10 %",
      "10 % à moins de 20 %",
      "20 % à moins de 30 %",
      "30 % et plus",
    ]);
  });

  it("natural breaks find the gaps between groups of values", () => {
    expect(jenksBreaks([1, 2, 3, 10, 11, 12, 30, 31], 3)).toEqual([10, 30]);
    const c = classify([5, 6, 7, 50, 51, 52, 53, 90, 91], "jenks", 3, "pour 1 000");
    expect(c.breaks).toEqual([50, 90]);
    expect(c.counts).toEqual([3, 4, 2]);
    expect(c.labels[1]).toBe("50 pour 1 000 à moins de 90 pour 1 000");
  });

  // Its speed is measured by bench:map, not here.
  it("natural breaks on 1,500 values give 7 classes holding every value", () => {
    const v = Array.from({ length: 1500 }, (_, i) => Math.sin(i) * 40 + 50 + (i % 7));
    const c = classify(v, "jenks", 7, "%");
    expect(c.counts.reduce((a, b) => a + b, 0)).toBe(1500);
    expect(c.breaks).toHaveLength(6);
  });

  it("manual breaks are kept as typed, sorted, even outside the values", () => {
    const c = classify(taux, "manuelles", 0, "%", [30, 20, 60, 20]);
    expect(c.breaks).toEqual([20, 30, 60]);
    expect(c.counts).toEqual([4, 3, 3, 0]);
  });

  it("gives no class at all when every territory is secret, one when all values are equal", () => {
    expect(classify([], "jenks", 5, "%")).toEqual({ breaks: [], labels: [], counts: [] });
    expect(classify([Number.NaN], "quantiles", 5, "%").labels).toEqual([]);
    const same = classify([7, 7, 7], "quantiles", 5, "nombre");
    expect(same.labels).toEqual(["7"]);
    expect(same.counts).toEqual([3]);
  });

  it("never has two classes with the same bound when values repeat", () => {
    const c = classify([1, 1, 1, 1, 1, 1, 1, 2, 3], "quantiles", 5, "nombre");
    expect(new Set(c.breaks).size).toBe(c.breaks.length);
    expect(c.counts.reduce((a, b) => a + b, 0)).toBe(9);
  });

  it("a value equal to a break falls in the upper class", () => {
    expect(classIndex(20, [10, 20, 30])).toBe(2);
    expect(classIndex(9.99, [10, 20, 30])).toBe(0);
  });

  it("has a palette per number of classes, and symbols whose area follows the count", () => {
    for (let k = 1; k <= 9; k++) expect(palette(k)).toHaveLength(k);
    expect(symbolRadius(100, 400, 20)).toBe(10);
    expect(symbolRadius(0, 400, 20)).toBe(0);
  });
});
