import { describe, expect, it } from "vitest";
import { parseAddress } from "./address-parser.js";
import { editDistance } from "./edit-distance.js";
import { fold, streetKey } from "./normalize.js";

describe("address normalisation", () => {
  it("folds case, accents, ligatures, apostrophes and punctuation", () => {
    expect(fold("L'Église-Saint-Ouen")).toBe("l eglise saint ouen");
    expect(fold("  ŒUVRE   Cœur; Ça ")).toBe("oeuvre coeur ca");
  });

  it("gives the same street key to abbreviations and full spellings", () => {
    const key = streetKey("Boulevard du Général de Gaulle");
    for (const typed of [
      "bd du gal de gaulle",
      "BLD GENERAL DE GAULLE",
      "Bd. du Gén. de Gaulle",
      "boulevard general gaulle",
    ])
      expect(streetKey(typed)).toBe(key);
    expect(streetKey("Rue St-Sever")).toBe(streetKey("Rue Saint-Sever"));
    expect(streetKey("Fbg Ste-Anne")).toBe(streetKey("Faubourg Sainte-Anne"));
    expect(streetKey("Imp. des Lilas")).toBe(streetKey("Impasse des Lilas"));
  });

  it("reads bis, ter, quater and letters in every spelling", () => {
    for (const [typed, suffix] of [
      ["3 bis rue du Nord", "bis"],
      ["3bis rue du Nord", "bis"],
      ["3B rue du Nord", "b"],
      ["3 B rue du Nord", "b"],
      ["3 ter rue du Nord", "ter"],
      ["3 quater rue du Nord", "quater"],
      ["03 rue du Nord", null],
    ] as const) {
      const p = parseAddress([typed]);
      expect(p.numero, typed).toBe(3);
      expect(p.suffixe, typed).toBe(suffix);
      expect(p.voie, typed).toEqual(["rue", "du", "nord"]);
    }
  });

  it("strips flats, floors, buildings, residences, BP, CEDEX and « chez »", () => {
    const cases = [
      "Apt 12, 3 rue du Nord 76000 Rouen",
      "Résidence Les Tilleuls 3 rue du Nord 76000 Rouen",
      "3 rue du Nord, bât. B, 2e étage 76000 Rouen",
      "chez Mme Martin, 3 rue du Nord 76000 Rouen CEDEX 1",
      "3 rue du Nord BP 123 76000 Rouen",
      "n° 3 rue du Nord 76000 ROUEN",
    ];
    for (const c of cases) {
      const p = parseAddress([c]);
      expect({ n: p.numero, v: p.voie, cp: p.codePostal, c: p.commune }, c).toEqual({
        n: 3,
        v: ["rue", "du", "nord"],
        cp: "76000",
        c: ["rouen"],
      });
    }
  });

  it("keeps a street that is itself a « Résidence » and numbers inside street names", () => {
    expect(parseAddress(["12 Résidence du 11 Novembre 76000 Rouen"]).voie).toEqual([
      "residence",
      "du",
      "11",
      "novembre",
    ]);
    const p = parseAddress(["4 rue du 8 Mai 1945"]);
    expect(p.numero).toBe(4);
    expect(p.voie).toEqual(["rue", "du", "8", "mai", "1945"]);
  });

  it("reads an address split across columns the same as in one column", () => {
    const one = parseAddress(["3 bis rue du Nord 76000 Rouen"]);
    const split = parseAddress(["3", "bis", "rue du Nord", "", "76000", "Rouen"]);
    expect(split).toEqual(one);
    const noCp = parseAddress(["3 bis", "rue du Nord", "Rouen"]);
    expect({ n: noCp.numero, v: noCp.voie, c: noCp.commune }).toEqual({
      n: 3,
      v: ["rue", "du", "nord"],
      c: ["rouen"],
    });
  });

  it("reads a number after the street, in its own column or with its suffix, and a house number before a street named by a date", () => {
    const cases: [string[], number, string | null, string[]][] = [
      [["Rue Charles Baudelaire 2", "", "Rouen"], 2, null, ["rue", "charles", "baudelaire"]],
      [["Passage des Chênes 24 q", "76000", "Rouen"], 24, "q", ["passage", "des", "chenes"]],
      [["Rue Capitaine Dreyfus, 11, Apt 12 Rouen"], 11, null, ["rue", "capitaine", "dreyfus"]],
      [["Square du 8 Mai 1945 66", "", "Rouen"], 66, null, ["square", "du", "8", "mai", "1945"]],
      [["84", "8 Mai 1945", "", "76000", "Rouen"], 84, null, ["8", "mai", "1945"]],
      [["30", "Résidence Hector Berlioz", "", "", "Rouen"], 30, null, ["residence", "hector", "berlioz"]],
      [["16 8 Mai 1945 76000 Rouen"], 16, null, ["8", "mai", "1945"]],
      [["02 b 19 Mars 1962 76000 Rouen"], 2, "b", ["19", "mars", "1962"]],
      [["Avneue du 19 Mars 1962, 21bis, 76000 Rouen"], 21, "bis", ["avneue", "du", "19", "mars", "1962"]],
      [["Allée du 14 Juillet, 19 Rouen"], 19, null, ["allee", "du", "14", "juillet"]],
    ];
    for (const [parts, n, suffix, voie] of cases) {
      const p = parseAddress(parts);
      expect({ n: p.numero, s: p.suffixe, v: p.voie }, parts.join(" | ")).toEqual({ n, s: suffix, v: voie });
    }
    expect(parseAddress(["Rue Capitaine Dreyfus, 11, Apt 12 Rouen"]).commune).toEqual(["rouen"]);
  });

  it("drops an institution written before the address, its name included", () => {
    for (const typed of [
      "EHPAD Les Tilleuls, 3 rue du Nord 76000 Rouen",
      "Ehpad du Parc 3 rue du Nord 76000 Rouen",
      "Résidence autonomie Bellevue Rue du Nord, 3 76000 Rouen",
      "MARPA Le Clos Rue du Nord, 3 76000 Rouen",
      "Foyer de vie La Source 3 rue du Nord 76000 Rouen",
      "chez Mme Martin Rue du Nord, 3 76000 Rouen",
    ]) {
      const p = parseAddress([typed]);
      expect({ n: p.numero, v: p.voie, c: p.commune }, typed).toEqual({
        n: 3,
        v: ["rue", "du", "nord"],
        c: ["rouen"],
      });
    }
  });

  it("measures typos as edits, transpositions included, and stops early past the bound", () => {
    expect(editDistance("republique", "republique")).toBe(0);
    expect(editDistance("republique", "reupblique")).toBe(1);
    expect(editDistance("jaures", "jaurs")).toBe(1);
    expect(editDistance("victor", "hugo", 2)).toBe(3);
  });
});
