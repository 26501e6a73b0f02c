import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { neutralise } from "./neutralise.js";

describe("formula neutralisation of exported text", () => {
  it("prefixes values that begin with = + - − @, a tab, a carriage return or a line feed", () => {
    for (const v of ["=1+1", "+33 6", "-2", "−2", "@SUM(A1)", "\tx", "\rx", "\nx", "＝1", "＠x"])
      expect(neutralise(v), JSON.stringify(v)).toBe(`'${v}`);
  });

  it("prefixes values whose formula hides behind spaces or line breaks", () => {
    for (const v of [" =1", "   +1", ' \n=HYPERLINK("x")', "\u00a0@x", "\r\n-1", "\u3000=1"])
      expect(neutralise(v), JSON.stringify(v)).toBe(`'${v}`);
  });

  it("leaves ordinary text as it is", () => {
    for (const v of ["Rouen", "Saint-Étienne-du-Rouvray", "12", " 12 ans", "a=b", "", "  ", "IRIS 0101"])
      expect(neutralise(v)).toBe(v);
  });

  it("never lets a value begin, after blanks, with a formula sign", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12, unit: "grapheme" }), (v) => {
        const out = neutralise(v);
        expect(out.endsWith(v)).toBe(true);
        expect(/^[\s\u00a0\u3000]*[=+\-−@]/.test(out) || /^[\t\r\n]/.test(out)).toBe(false);
      }),
      { numRuns: 3000, seed: 8 },
    );
  });
});
