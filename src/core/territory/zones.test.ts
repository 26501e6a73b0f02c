import { describe, expect, it } from "vitest";
import { SocleError } from "../errors.js";
import { membersChange, zoneChangeRefusal, zoneMembers } from "./zones.js";

describe("custom zones", () => {
  it("stores each member once, trimmed, upper case and sorted", () => {
    expect(zoneMembers("communes", ["00004", " 2a004", "00002", "00004"])).toEqual([
      "00002",
      "00004",
      "2A004",
    ]);
    expect(zoneMembers("iris", ["000010012", "000010009"])).toEqual(["000010009", "000010012"]);
  });

  it("refuses malformed codes in French, naming them and what a code of the zone's units looks like", () => {
    const e = zoneMembers("iris", ["00001", "000010009", "ABC"]);
    expect(e).toBeInstanceOf(SocleError);
    expect((e as SocleError).message).toBe(
      "Codes mal formés : 00001, ABC ; attendu : code IRIS à 9 caractères.",
    );
    expect((zoneMembers("communes", ["765400101"]) as SocleError).message).toBe(
      "Code mal formé : 765400101 ; attendu : code commune à 5 caractères.",
    );
  });

  it("refuses a zone without any unit", () => {
    expect((zoneMembers("communes", []) as SocleError).message).toBe("Au moins une unité (commune ou IRIS).");
  });

  it("counts the units an edit adds and removes", () => {
    expect(membersChange(["00001", "00002"], ["00002", "00003", "00004"])).toEqual({
      ajoutes: 2,
      retires: 1,
    });
    expect(membersChange(["00001"], ["00001"])).toEqual({ ajoutes: 0, retires: 0 });
  });

  it("lets a zone no release published change, and freezes a published one", () => {
    expect(zoneChangeRefusal("modification", 0)).toBeUndefined();
    expect(zoneChangeRefusal("suppression", 0)).toBeUndefined();
    const edit = zoneChangeRefusal("modification", 1)!;
    expect(edit.kind).toBe("conflit");
    expect(edit.message).toBe(
      "Zone déjà diffusée (1 diffusion) : son nom et ses unités sont figés dans l'historique publié ; créez une nouvelle zone.",
    );
    expect(zoneChangeRefusal("suppression", 3)!.message).toBe(
      "Zone déjà diffusée (3 diffusions) : elle reste dans l'historique publié et ne peut être supprimée.",
    );
  });
});
