import { describe, expect, it } from "vitest";
import { statusOn } from "./lifecycle.js";
import { checkConvention } from "./model.js";
import { AIX, DIJON, REFERENCE_CONVENTIONS } from "./reference.js";
import { replayId, replayOn } from "./replay.js";

describe("demo replays of the reference conventions", () => {
  it("puts each reference convention in force today, with its parties, annexes and rules", () => {
    for (const today of ["2026-01-05", "2026-06-15", "2026-12-01"])
      for (const c of REFERENCE_CONVENTIONS) {
        const r = replayOn(c, today);
        expect(checkConvention(r), `${c.id} ${today}`).toEqual([]);
        expect(statusOn(r, today), `${c.id} ${today}`).toBe("active");
        expect(r.id).toBe(replayId(c.id));
        expect(r.parties).toEqual(c.parties);
        expect(r.jeux).toEqual(c.jeux);
        expect(r.secret).toEqual(c.secret);
      }
  });

  it("moves Dijon's 2009 convention by whole years, its end with it", () => {
    const r = replayOn(DIJON, "2026-12-01");
    expect([r.signeeLe, r.effetLe, r.duree]).toEqual([
      "2026-02-16",
      "2026-03-02",
      { kind: "echeance", fin: "2026-12-31" },
    ]);
    expect(replayOn(AIX, "2026-01-15").effetLe).toBe("2025-02-01");
  });
});
