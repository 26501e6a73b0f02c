import { describe, expect, it } from "vitest";
import {
  buildAddressIndex,
  deserialiseIndex,
  type ReferenceAddress,
  serialiseIndex,
} from "./address-index.js";
import { Geocoder } from "./geocoder.js";

/** A small reference where every certainty rule has a case. */
function reference(): ReferenceAddress[] {
  const rows: ReferenceAddress[] = [];
  const add = (
    communeCode: string,
    communeNom: string,
    codePostal: string,
    nomVoie: string,
    numero: number | null,
    iris: string,
    extra: Partial<ReferenceAddress> = {},
  ) =>
    rows.push({
      communeCode,
      communeNom,
      codePostal,
      ancienneCode: "",
      ancienneNom: "",
      libelleAcheminement: communeNom.toUpperCase(),
      nomVoie,
      numero,
      rep: "",
      iris,
      ...extra,
    });
  // Ville (irisée): a street crossing two IRIS, a street in one IRIS.
  for (let n = 1; n <= 20; n++)
    add("96001", "Ville", "96100", "Rue Victor Hugo", n, n <= 10 ? "960010001" : "960010002");
  add("96001", "Ville", "96100", "Rue Victor Hugo", 3, "960010001", { rep: "bis" });
  for (const n of [2, 4, 8]) add("96001", "Ville", "96100", "Impasse des Lilas", n, "960010003");
  add("96001", "Ville", "96100", "Rue La Fontaine", 1, "960010001");
  add("96001", "Ville", "96100", "Rue de la Fontaine", 1, "960010002");
  // Two villages sharing a postcode, both with a Rue de l'Église; one is a commune nouvelle.
  add("96002", "Bourg", "96200", "Rue de l'Église", 1, "960020000");
  add("96003", "Val-de-Seine", "96200", "Rue de l'Église", 1, "960030000", {
    ancienneCode: "96004",
    ancienneNom: "Ancienne-Paroisse",
  });
  add("96003", "Val-de-Seine", "96200", "Chemin du Moulin", 5, "960030000");
  // Same-named streets with different types (« 7 Forge » is ambiguous, « 40 Forge » is not),
  // and streets two typos apart from what a partner types.
  for (let n = 1; n <= 45; n++) add("96002", "Bourg", "96200", "Rue de la Forge", n, "960020000");
  for (let n = 1; n <= 8; n++) add("96001", "Ville", "96100", "Impasse de la Forge", n, "960010003");
  for (let n = 1; n <= 50; n++)
    add("96001", "Ville", "96100", "Rue de la Forge", n, n <= 25 ? "960010001" : "960010002");
  for (let n = 1; n <= 9; n++) add("96001", "Ville", "96100", "Rue Lavoisier", n, "960010001");
  for (let n = 1; n <= 9; n++) add("96001", "Ville", "96100", "Rue du Lavoir", n, "960010002");
  for (let n = 1; n <= 9; n++) add("96001", "Ville", "96100", "Allée des Prés", n, "960010003");
  for (let n = 1; n <= 9; n++) add("96001", "Ville", "96100", "Rue Jacques Brel", n, "960010002");
  // The same street name in both villages of a postcode, numbered far apart.
  for (let n = 1; n <= 30; n++) add("96002", "Bourg", "96200", "Rue du Stade", n, "960020000");
  for (let n = 1; n <= 4; n++) add("96003", "Val-de-Seine", "96200", "Rue du Stade", n, "960030000");
  // What a person reads past (issue 14): a mistyped type, a type word that is another street
  // type, a name typed exactly beside a name two typos from it, two communes whose keys tie.
  for (let n = 1; n <= 20; n++) add("96001", "Ville", "96100", "Avenue des Tilleuls", n, "960010001");
  for (let n = 1; n <= 30; n++) add("96001", "Ville", "96100", "Rue du Clos Fleuri", n, "960010001");
  for (let n = 1; n <= 6; n++) add("96001", "Ville", "96100", "Impasse du Clos Fleuri", n, "960010002");
  for (let n = 1; n <= 15; n++) add("96001", "Ville", "96100", "Rue des Mouettes", n, "960010001");
  for (let n = 1; n <= 15; n++) add("96001", "Ville", "96100", "Chemin des Alouettes", n, "960010002");
  for (let n = 1; n <= 9; n++) add("96001", "Ville", "96100", "Rue Kléber", n, "960010003");
  for (let n = 1; n <= 9; n++) add("96001", "Ville", "96100", "Rue du Havre", n, "960010003");
  for (let n = 1; n <= 9; n++) add("96001", "Ville", "96100", "Rue de la Côte", n, "960010001");
  for (let n = 1; n <= 5; n++) add("96005", "Le Hameau", "96500", "Rue du Puits", n, "960050000");
  for (let n = 1; n <= 5; n++) add("96006", "Hameau", "96600", "Rue du Puits", n, "960060000");
  // An arrondissement of a city.
  add("96381", "Grandville 1er Arrondissement", "96001", "Quai du Port", 1, "963810001");
  add("96382", "Grandville 2e Arrondissement", "96002", "Quai du Port", 1, "963820001");
  return rows;
}

const g = new Geocoder(buildAddressIndex(["96"], reference()));

describe("geocoder", () => {
  it("finds a house number exactly, whatever the spelling", () => {
    for (const a of [
      "15 rue Victor Hugo 96100 Ville",
      "15 R. VICTOR HUGO 96100 VILLE",
      "15, r victor-hugo, ville",
    ]) {
      const r = g.geocode([a]);
      expect(r, a).toMatchObject({
        type: "housenumber",
        codeIris: "960010002",
        codeCommune: "96001",
        score: 1,
      });
    }
    expect(g.geocode(["3bis rue Victor Hugo 96100 Ville"])).toMatchObject({
      type: "housenumber",
      codeIris: "960010001",
    });
    expect(g.geocode(["3 B rue Victor Hugo 96100 Ville"]).codeIris).toBe("960010001");
  });

  it("reads words a lookup table could inherit (« constructor », « __proto__ ») like any other word", () => {
    for (const w of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      for (const parts of [[`12 rue ${w} 96100 Ville`], ["12", `${w} rue Victor Hugo`, "", "96100", w]]) {
        const r = g.geocode(parts);
        expect(r.codeIris === null || /^\d{9}$/.test(r.codeIris)).toBe(true);
      }
      expect(g.geocode([`${w} 12 rue Victor Hugo 96100 Ville`]).codeIris).toBe("960010002");
    }
  });

  it("corrects typos in street and commune names", () => {
    expect(g.geocode(["15 rue Victro Hugo 96100 Ville"]).codeIris).toBe("960010002");
    expect(g.geocode(["15 avneue Victor Hugo 96100 Vile"]).codeCommune).toBe("96001");
    expect(g.geocode(["2 Chemin du Moulni 96200 Val de Seine"]).codeIris).toBe("960030000");
  });

  it("interpolates a missing number only between neighbours of the same IRIS", () => {
    expect(g.geocode(["6 impasse des Lilas 96100 Ville"])).toMatchObject({
      type: "interpolated",
      codeIris: "960010003",
    });
    // 21 is past the end of a street that crosses two IRIS: unknown.
    expect(g.geocode(["23 rue Victor Hugo 96100 Ville"])).toMatchObject({
      type: "interpolated",
      codeIris: null,
    });
  });

  it("gives a street without number an IRIS only when the street lies in one IRIS", () => {
    expect(g.geocode(["impasse des Lilas 96100 Ville"])).toMatchObject({
      type: "street",
      codeIris: "960010003",
    });
    expect(g.geocode(["rue Victor Hugo 96100 Ville"])).toMatchObject({ type: "street", codeIris: null });
  });

  it("gives a commune-level result an IRIS only for a commune non irisée", () => {
    expect(g.geocode(["Lieu inconnu 96100 Ville"])).toMatchObject({ type: "municipality", codeIris: null });
    expect(g.geocode(["Lieu inconnu", "Bourg"])).toMatchObject({
      type: "municipality",
      codeIris: "960020000",
    });
  });

  it("says unknown when two communes of one postcode both have the street", () => {
    expect(g.geocode(["1 rue de l'Eglise 96200"])).toMatchObject({ codeIris: null, codeCommune: null });
    expect(g.geocode(["1 rue de l'Eglise 96200 Bourg"]).codeIris).toBe("960020000");
  });

  it("trusts the commune name over a wrong postcode, and knows former communes", () => {
    expect(g.geocode(["1 rue de l'Eglise 96100 Bourg"]).codeIris).toBe("960020000");
    expect(g.geocode(["1 rue de l'Eglise", "Ancienne-Paroisse"]).codeIris).toBe("960030000");
  });

  it("tells « Rue La Fontaine » from « Rue de la Fontaine » by the full spelling", () => {
    expect(g.geocode(["1 rue La Fontaine 96100 Ville"]).codeIris).toBe("960010001");
    expect(g.geocode(["1 rue de la Fontaine 96100 Ville"]).codeIris).toBe("960010002");
  });

  it("resolves arrondissements by postcode, and the city name alone by the street", () => {
    expect(g.geocode(["1 quai du Port 96002 Grandville"]).codeIris).toBe("963820001");
    // The same street in two arrondissements, no postcode: unknown rather than a guess.
    expect(g.geocode(["1 quai du Port", "Grandville"]).codeIris).toBeNull();
  });

  it("reads a street typed without its type when the number leaves one street of that name", () => {
    // Impasse de la Forge stops at 8: number 40 can only be on the Rue.
    expect(g.geocode(["40 Forge 96100 Ville"]).codeIris).toBe("960010002");
    expect(g.geocode(["Forge, 40", "96100", "Ville"]).codeIris).toBe("960010002");
    // Both streets hold a 7, in different IRIS: unknown, never a guess.
    expect(g.geocode(["7 Forge 96100 Ville"])).toMatchObject({ codeIris: null, raison: "voie_ambigue" });
  });

  it("corrects two typos in a word only when one street of the commune is that close", () => {
    expect(g.geocode(["5 rue Jacuqls Brel 96100 Ville"]).codeIris).toBe("960010002");
    // « Lasoiir » is two edits from both Lavoir and Lavoisier: unknown.
    expect(g.geocode(["5 rue du Lasoiir 96100 Ville"]).codeIris).toBeNull();
    // A typed word the reference street lacks makes another street (« Prés » is not « Président Wiln »).
    expect(g.geocode(["5 allée Président Wiln 96100 Ville"]).codeIris).toBeNull();
  });

  it("tells the village of a shared postcode by the number when only one of its same-named streets holds it", () => {
    expect(g.geocode(["20 rue du Stade 96200"]).codeIris).toBe("960020000");
    // Both streets hold a 3: unknown.
    expect(g.geocode(["3 rue du Stade 96200"])).toMatchObject({ codeIris: null, raison: "voie_ambigue" });
  });

  it("reads a street within one typo only when no street of another name is within two", () => {
    expect(g.geocode(["5 rue Victr Hugo 96100 Ville"]).codeIris).toBe("960010001");
    // « Lavoisr »: Lavoir within one edit, Lavoisier within two, in another IRIS.
    expect(g.geocode(["5 rue Lavoisr 96100 Ville"]).codeIris).toBeNull();
  });

  it("gives no IRIS for a number past the listed houses of a street, even one lying in one IRIS", () => {
    expect(g.geocode(["4 impasse des Lilas 96100 Ville"]).codeIris).toBe("960010003");
    expect(g.geocode(["12 impasse des Lilas 96100 Ville"])).toMatchObject({
      codeIris: null,
      raison: "numero_hors_voie",
    });
  });

  it("reads a street without its type before the number and the commune, and a commune after a complement", () => {
    expect(g.geocode(["Victor Hugo, 15 Ville"]).codeIris).toBe("960010002");
    expect(g.geocode(["Rue Victor Hugo, 15, Résidence du Parc Ville"]).codeIris).toBe("960010002");
    expect(g.geocode(["15 rue Victor Hugo, chez Mme Martin Ville"]).codeIris).toBe("960010002");
  });

  it("reads the number after the street and an institution before the address", () => {
    for (const a of [
      ["Rue Victor Hugo 15", "", "", "96100", "Ville"],
      ["Rue Victor Hugo, 15, Apt 3 Ville"],
      ["EHPAD Les Tilleuls, 15 rue Victor Hugo 96100 Ville"],
      ["Résidence autonomie Bellevue Rue Victor Hugo, 15 96100 Ville"],
      ["Foyer logement Les Acacias", "15 rue Victor Hugo", "", "96100", "Ville"],
    ])
      expect(g.geocode(a).codeIris, a.join(" | ")).toBe("960010002");
  });

  it("reads a mistyped street type when the name leaves one street", () => {
    expect(g.geocode(["12 Aeue des Tilleuls 96100 Ville"]).codeIris).toBe("960010001");
    expect(g.geocode(["12", "Avneeu des Tilleuls", "", "96100", "Ville"]).codeIris).toBe("960010001");
  });

  it("tells streets of one name by the typed spelling or the number when a typo hides the type", () => {
    expect(g.geocode(["1 rue La Fnteine 96100 Ville"]).codeIris).toBe("960010001");
    expect(g.geocode(["1 rue de la Fnteine 96100 Ville"]).codeIris).toBe("960010002");
    // « Clos » is a type too, but neither of the Clos Fleuri streets': the number decides.
    expect(g.geocode(["20 Clos Fleuri 96100 Ville"]).codeIris).toBe("960010001");
    expect(g.geocode(["3 Clos Fleuri 96100 Ville"])).toMatchObject({
      codeIris: null,
      raison: "voie_ambigue",
    });
  });

  it("reads a name typed exactly without its type even beside a name two typos from it", () => {
    // Mouettes / Alouettes: two edits apart, but « Mouettes » has no typo.
    expect(g.geocode(["11 Mouettes 96100 Ville"]).codeIris).toBe("960010001");
    expect(g.geocode(["11 Alouettes 96100 Ville"]).codeIris).toBe("960010002");
  });

  it("reads four letters typed for a longer name word of the same initial, never the other way round", () => {
    expect(g.geocode(["4 rue Kébr 96100 Ville"]).codeIris).toBe("960010003");
    // « Ceotte » (six letters) is not Côte (four): two letters added are not read.
    expect(g.geocode(["4 rue Ceotte 96100 Ville"]).codeIris).toBeNull();
  });

  it("reads a second typo only in a word of the same initial", () => {
    // « Lavro » (for Lavoir, three edits away as measured) is two edits from Havre, another initial.
    expect(g.geocode(["5 rue du Lavro 96100 Ville"]).codeIris).toBeNull();
    expect(g.geocode(["5 rue du Hvare 96100 Ville"]).codeIris).toBe("960010003");
  });

  it("reads a street typed without its type after a complement that runs to the number", () => {
    expect(g.geocode(["Résidence Les Tilleuls 12 Mouettes 96100 Ville"]).codeIris).toBe("960010001");
    expect(g.geocode(["Résidence du Parc 12 Aeue des Tilleuls 96100 Ville"]).codeIris).toBe("960010001");
  });

  it("tells a misspelt commune with an article from its namesake without, with no postcode", () => {
    expect(g.geocode(["3 rue du Puits Le Hamaeu"]).codeIris).toBe("960050000");
    expect(g.geocode(["3", "rue du Puits", "", "", "Hamaeu"]).codeIris).toBe("960060000");
  });

  it("returns not found for text that is not an address", () => {
    expect(g.geocode(["azertyuiop"])).toMatchObject({ type: "not_found", codeIris: null });
    expect(g.geocode([""])).toMatchObject({ type: "not_found" });
  });

  it("serialises the index to a compact blob and back without loss", () => {
    const ix = buildAddressIndex(["96"], reference());
    const back = deserialiseIndex(serialiseIndex(ix));
    expect(back).toEqual(ix);
    expect(new Geocoder(back).geocode(["15 rue Victor Hugo 96100 Ville"]).codeIris).toBe("960010002");
  });
});
