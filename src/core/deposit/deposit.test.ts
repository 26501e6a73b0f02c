import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DatasetField } from "../convention/model.js";
import { ageBands, ageOn, bandOf, daysInMonth, readDate, readField, readNumber } from "./fields.js";
import { absentsProblems, mappingProblems, proposeMapping } from "./mapping.js";
import { hmacSha256, normaliseIdentifier, pseudonym } from "./pseudonym.js";
import { ProblemReport, parseRow, requiredFields } from "./validate.js";

describe("reading partner values", () => {
  it("reads dates as partners write them, and refuses impossible ones", () => {
    expect(readDate("05/03/1942")).toBe("1942-03-05");
    expect(readDate("5/3/1942")).toBe("1942-03-05");
    expect(readDate("1942-03-05")).toBe("1942-03-05");
    expect(readDate("29/02/2024")).toBe("2024-02-29");
    expect(readDate("29/02/2023")).toBeNull();
    expect(readDate("15482")).toBe("1942-05-21"); // Excel serial (day 1 = 01/01/1900)
    expect(readDate("12/31/2020")).toBeNull();
  });
  it("reads French numbers and amounts", () => {
    expect(readNumber("1 234,56")).toBe(1234.56);
    expect(readNumber("1\u00a0234,56 €")).toBe(1234.56);
    expect(readNumber("1.234,5")).toBe(1234.5);
    expect(readNumber("12.5")).toBe(12.5);
    expect(readNumber("-3")).toBe(-3);
    expect(readNumber("douze")).toBeNull();
  });
  it("normalises codes, sexes, GIR and yes/no, and says what was expected without echoing the value", () => {
    expect(readField("code_commune", "1004")).toEqual({ ok: true, value: "01004" });
    expect(readField("code_commune", "2a004")).toEqual({ ok: true, value: "2A004" });
    expect(readField("code_iris", "130010101")).toEqual({ ok: true, value: "130010101" });
    expect(readField("sexe", "Femme")).toEqual({ ok: true, value: "F" });
    expect(readField("sexe", "1")).toEqual({ ok: true, value: "M" });
    expect(readField("gir", "GIR 4")).toEqual({ ok: true, value: 4 });
    expect(readField("gir", "7")).toEqual({ ok: false, attendu: "un GIR de 1 à 6" });
    expect(readField("oui_non", "Non")).toEqual({ ok: true, value: false });
    expect(readField("texte", " Œuvre d’Émile ")).toEqual({ ok: true, value: "Œuvre d’Émile" });
    const bad = readField("date", "12 rue de la Paix");
    expect(JSON.stringify(bad)).not.toContain("rue");
  });
  it("refuses a sexe written « constructor » or « __proto__ » like any other unknown value", () => {
    for (const v of ["constructor", "__proto__", "toString"]) expect(readField("sexe", v).ok).toBe(false);
  });

  it("computes ages on the observation date, 29 February included", () => {
    expect(ageOn("1940-12-31", "2015-12-31")).toBe(75);
    expect(ageOn("1941-01-01", "2015-12-31")).toBe(74);
    expect(ageOn("2012-02-29", "2015-02-28")).toBe(3);
    expect(ageOn("2012-02-29", "2015-02-27")).toBe(2);
    const bands = ageBands([0, 60, 75, 85]);
    expect(bands.map((b) => b.code)).toEqual(["0-59", "60-74", "75-84", "85+"]);
    expect(bandOf(bands, 90)?.libelle).toBe("85 ans et plus");
  });

  it("knows every month's length from 1850 to 2200 as the calendar does (2000 leap, 1900 and 2100 not)", () => {
    for (let y = 1850; y <= 2200; y++)
      for (let m = 1; m <= 12; m++) expect(daysInMonth(y, m)).toBe(new Date(Date.UTC(y, m, 0)).getUTCDate());
    expect([1900, 2000, 2100].map((y) => readDate(`29/02/${y}`))).toEqual([null, "2000-02-29", null]);
  });
});

describe("column mapping", () => {
  const fields: DatasetField[] = [
    { nom: "index_dossier", type: "identifiant" },
    { nom: "adresse", type: "adresse" },
    { nom: "code_postal", type: "texte" },
    { nom: "sexe", type: "sexe" },
    { nom: "date_naissance", type: "date" },
    { nom: "gir", type: "gir" },
  ];
  it("maps columns by name and usual synonyms", () => {
    const header = ["N° dossier", "Adresse postale", "CP", "Sexe", "Date de naissance", "GIR"];
    expect(proposeMapping(fields, header)).toEqual({
      adresse: 1,
      code_postal: 2,
      date_naissance: 4,
      gir: 5,
      index_dossier: 0,
      sexe: 3,
    });
    expect(mappingProblems(fields, header, { ...proposeMapping(fields, header), gir: 3 })).toEqual([
      "La colonne « Sexe » est attribuée à « sexe » et à « gir ».",
    ]);
    expect(mappingProblems(fields, header, {})[0]).toBe(
      "Aucune colonne du fichier pour le champ « index_dossier ».",
    );
  });
  it("validates a row and reports line and column, never the value", () => {
    const header = ["id", "adresse", "cp", "sexe", "naissance", "gir"];
    const mapping = { index_dossier: 0, adresse: 1, code_postal: 2, sexe: 3, date_naissance: 4, gir: 5 };
    const report = new ProblemReport();
    const ok = parseRow(
      fields,
      header,
      mapping,
      ["A1", "3 rue X", "13100", "F", "01/02/1930", "2"],
      2,
      requiredFields(fields, 2),
      report.add,
    );
    expect(ok).toMatchObject({ sexe: "F", date_naissance: "1930-02-01", gir: 2 });
    const bad = parseRow(
      fields,
      header,
      mapping,
      ["", "3 rue X", "13100", "Z", "01/02/1930", "2"],
      3,
      requiredFields(fields, 2),
      report.add,
    );
    expect(bad).toBeNull();
    expect(report.first).toEqual([
      { ligne: 3, colonne: "id", probleme: "valeur manquante (champ obligatoire)" },
      {
        ligne: 3,
        colonne: "sexe",
        probleme: "valeur illisible, attendu : un sexe : M ou F (1 ou 2, H, homme, femme)",
      },
    ]);
    expect(report.summary("apa.csv")).toContain("apa.csv, ligne 3, colonne « sexe »");
  });
});

describe("pseudonyms", () => {
  const secret = new TextEncoder().encode("secret de la convention");
  it("computes exactly the HMAC-SHA256 of node:crypto, for secrets and identifiers of every length", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 600 })),
        (key, id) => {
          const own = hmacSha256(key, id);
          expect(own.equals(createHmac("sha256", key).update(id, "utf8").digest())).toBe(true);
          // Twice with the same secret: the kept pads give the same bytes.
          expect(hmacSha256(key, id).equals(own)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
  it("gives the same pseudonym to the same person however the identifier is written, another under another secret", () => {
    expect(normaliseIdentifier(" 00123-45 ")).toBe("12345");
    expect(pseudonym(secret, "0012345")).toBe(pseudonym(secret, "12345"));
    expect(pseudonym(secret, "12345")).toMatch(/^[a-z2-7]{26}$/);
    expect(pseudonym(secret, "12345")).not.toBe(pseudonym(new TextEncoder().encode("autre"), "12345"));
    expect(pseudonym(secret, "12345")).not.toBe(pseudonym(secret, "12346"));
  });
});

describe("fields declared absent from a deposit", () => {
  const annexe = {
    titre: "APA à domicile",
    champs: [
      { nom: "gir", type: "gir", libelle: "Niveau GIR", requis: true },
      { nom: "sexe", type: "sexe" },
    ] as DatasetField[],
  };
  it("refuses a required field declared absent, and a field also mapped to a column, naming each", () => {
    expect(absentsProblems(annexe, ["gir", "sexe"], { sexe: 1 }, ["GIR", "Sexe"])).toEqual([
      "« Niveau GIR » (champ gir) est requis par l'annexe « APA à domicile » : il ne peut être déclaré absent.",
      "« sexe » (champ sexe) est à la fois lu dans la colonne « Sexe » et déclaré absent : retirez la colonne ou la déclaration d'absence.",
    ]);
  });
  it("accepts an optional field declared absent and left without a column", () => {
    expect(absentsProblems(annexe, ["sexe"], { gir: 0 }, ["GIR"])).toEqual([]);
    expect(absentsProblems(annexe, ["sexe"], undefined, ["GIR"])).toEqual([]);
  });
});
