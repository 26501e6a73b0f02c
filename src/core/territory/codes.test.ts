import { describe, expect, it } from "vitest";
import { communeOfIris, departementOfCommune, isCodeCommune, isCodeIris, readIrisCode } from "./codes.js";

describe("territorial codes", () => {
  it("accepts Corsican and mainland commune codes as strings", () => {
    expect(isCodeCommune("2A004")).toBe(true);
    expect(isCodeCommune("01001")).toBe(true);
    expect(isCodeCommune("1001")).toBe(false);
  });

  it("recognises 9-character IRIS codes and their commune", () => {
    expect(isCodeIris("765400101")).toBe(true);
    expect(isCodeIris("2B0330000")).toBe(true);
    expect(communeOfIris("693810101")).toBe("69381");
  });

  it("places overseas communes in 3-character départements", () => {
    expect(departementOfCommune("97105")).toBe("971");
    expect(departementOfCommune("2A004")).toBe("2A");
  });

  it("refuses IRIS codes that lost their leading zero instead of guessing", () => {
    expect(readIrisCode(10010101)).toEqual({ kind: "zero_perdu", digits: 8 });
    expect(readIrisCode("10010101")).toEqual({ kind: "zero_perdu", digits: 8 });
    expect(readIrisCode(765400101)).toEqual({ kind: "ok", code: "765400101" });
    expect(readIrisCode(" 765400101 ")).toEqual({ kind: "ok", code: "765400101" });
    expect(readIrisCode("")).toEqual({ kind: "manquant" });
    expect(readIrisCode("76540-0101")).toEqual({ kind: "format" });
  });
});
