import { describe, expect, it } from "vitest";
import { SocleError } from "../errors.js";
import { COMMENTAIRE_MAX, cleanText, mayRead, nextVersion, portraitKey } from "./commentary.js";

describe("the analyst's commentary of a portrait", () => {
  it("is the same portrait whatever the order the themes were ticked in", () => {
    const a = portraitKey({
      niveau: "commune",
      territoire: "62119",
      reference: "epci:200072460",
      themes: ["Petite enfance", "Familles"],
    });
    const b = portraitKey({
      niveau: "commune",
      territoire: " 62119",
      reference: "epci:200072460",
      themes: ["Familles", "Petite enfance", "Familles"],
    });
    expect(a).toBe(b);
    expect(
      portraitKey({ niveau: "commune", territoire: "62119", reference: "", themes: ["Familles"] }),
    ).not.toBe(a);
  });

  it("refuses a save made over a version somebody else saved meanwhile", () => {
    expect(nextVersion(null, null)).toBe(1);
    expect(nextVersion(3, 3)).toBe(4);
    try {
      nextVersion(4, 3);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SocleError);
      expect((e as SocleError).kind).toBe("conflit");
      expect((e as SocleError).message).toMatch(/modifié entre-temps/);
    }
  });

  it("keeps the text with its paragraphs and refuses one that is too long, in French", () => {
    expect(cleanText("  Premier paragraphe.  \r\n\r\nSecond.\t\n")).toBe("Premier paragraphe.\n\nSecond.");
    expect(() => cleanText("x".repeat(COMMENTAIRE_MAX + 1))).toThrow(/dépasse 20\u202f000 caractères/);
  });

  it("is read only by someone who may read every convention it comments on", () => {
    const v = { conventions: ["rouen", "bethune"] };
    expect(mayRead(v, new Set(["rouen", "bethune", "aix"]))).toBe(true);
    expect(mayRead(v, new Set(["rouen"]))).toBe(false);
    expect(mayRead({ conventions: [] }, new Set(["rouen"]))).toBe(false);
  });
});
