import { describe, expect, it } from "vitest";
import { isSocleError } from "../errors.js";
import { AIX, ROUEN } from "./reference.js";
import { checkSeance, seanceAlerts } from "./restitution.js";

describe("restitution sessions", () => {
  it("announces Aix's yearly session a year after it took effect, then a year after the last one", () => {
    expect(seanceAlerts(AIX, "2016-10-01", 60, null)).toEqual([]);
    expect(seanceAlerts(AIX, "2017-01-15", 60, null)).toEqual([
      {
        kind: "restitution",
        date: "2017-02-01",
        message:
          "Séance annuelle de restitution aux fournisseurs à tenir d'ici le 01/02/2017 (aucune séance enregistrée).",
      },
    ]);
    expect(seanceAlerts(AIX, "2017-01-15", 60, "2016-12-12")).toEqual([]);
    expect(seanceAlerts(AIX, "2018-01-15", 60, "2016-12-12")[0]!.message).toBe(
      "Séance annuelle de restitution aux fournisseurs en retard depuis le 12/12/2017 (dernière le 12/12/2016).",
    );
  });

  it("asks no yearly session of a convention that does not", () => {
    expect(seanceAlerts(ROUEN, "2024-06-01", 60, null)).toEqual([]);
  });

  it("records a session once held, with its participants", () => {
    expect(
      checkSeance(
        AIX,
        { tenueLe: "2016-12-12", participants: [" CD13 ", "CCAS", "CD13", ""], compteRendu: " ok " },
        "2017-01-01",
      ),
    ).toEqual({ tenueLe: "2016-12-12", participants: ["CD13", "CCAS"], compteRendu: "ok" });
    const refused = (f: () => unknown) => {
      try {
        f();
        return "accepté";
      } catch (e) {
        return isSocleError(e) ? e.message : String(e);
      }
    };
    expect(
      refused(() =>
        checkSeance(AIX, { tenueLe: "2017-02-01", participants: ["CD13"], compteRendu: "" }, "2017-01-01"),
      ),
    ).toBe("Une séance s'enregistre une fois tenue : sa date est passée.");
    expect(
      refused(() =>
        checkSeance(AIX, { tenueLe: "2015-02-01", participants: ["CD13"], compteRendu: "" }, "2017-01-01"),
      ),
    ).toBe("La séance précède l'entrée en vigueur de la convention (01/02/2016).");
    expect(
      refused(() =>
        checkSeance(AIX, { tenueLe: "2016-12-12", participants: [" "], compteRendu: "" }, "2017-01-01"),
      ),
    ).toBe("Indiquez au moins un participant.");
  });
});
