import { describe, expect, it } from "vitest";
import { classOf, niceRound, quantileClasses } from "./classification.js";

describe("choropleth classes", () => {
  it("rounds breaks to two significant digits", () => {
    expect(niceRound(1234)).toBe(1200);
    expect(niceRound(87)).toBe(87);
  });

  it("splits values into quantile classes with French legend labels", () => {
    const c = quantileClasses([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], 5);
    expect(c.breaks).toEqual([300, 500, 700, 900]);
    expect(c.labels[0]).toBe("moins de 300");
    expect(c.labels[4]).toBe("900 et plus");
    expect(classOf(100, c)).toBe(0);
    expect(classOf(300, c)).toBe(1);
    expect(classOf(1000, c)).toBe(4);
  });

  it("gives a single class when all values are equal", () => {
    const c = quantileClasses([5, 5, 5]);
    expect(c.breaks).toEqual([]);
    expect(c.labels).toEqual(["5 à 5"]);
  });
});
