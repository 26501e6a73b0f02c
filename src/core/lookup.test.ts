import { describe, expect, it } from "vitest";
import { withoutPrototype } from "./lookup.js";

describe("lookup tables", () => {
  it("answer only their own keys, never what a plain object inherits", () => {
    const t = withoutPrototype({ r: "rue" });
    expect(t.r).toBe("rue");
    for (const k of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])
      expect(t[k]).toBeUndefined();
    expect(Object.isFrozen(t)).toBe(true);
  });
});
