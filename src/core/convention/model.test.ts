import { describe, expect, it } from "vitest";
import { parseRow, requiredFields } from "../deposit/validate.js";
import { annexProblems, checkConvention, type Dataset, versionOn } from "./model.js";
import { AIX, DIJON } from "./reference.js";

const AIDES_LEGALES = AIX.jeux.find((j) => j.id === "aides-legales")!;

describe("an annex's fields and how its columns add up", () => {
  it("accepts the reference annexes, whose sums name their own count columns", () => {
    for (const j of AIX.jeux) expect(annexProblems(j), j.id).toEqual([]);
  });

  it("refuses a sum naming a field the annex does not describe, naming the sum and the field", () => {
    const bad: Dataset = {
      ...AIDES_LEGALES,
      sommes: [{ total: "ash_total", parties: ["ash_hommes", "ash_autres"] }],
    };
    expect(annexProblems(bad)).toEqual([
      "Annexe « Aides légales PA/PH (ASH, ACTP/PCH) », somme « ash_total » : le champ « ash_autres » n'est pas un champ de l'annexe.",
    ]);
    expect(checkConvention({ ...AIX, jeux: [bad] })).toContain(
      "Annexe « Aides légales PA/PH (ASH, ACTP/PCH) », somme « ash_total » : le champ « ash_autres » n'est pas un champ de l'annexe.",
    );
  });

  it("refuses a sum over a column that is no count, a total among its parts, and a field described twice", () => {
    const bad: Dataset = {
      ...AIDES_LEGALES,
      champs: [...AIDES_LEGALES.champs, { nom: "ash_total", type: "entier" }],
      sommes: [
        { total: "territoire", parties: ["ash_hommes", "ash_femmes"] },
        { total: "ash_total", parties: ["ash_total", "ash_femmes"] },
      ],
    };
    const a = "Annexe « Aides légales PA/PH (ASH, ACTP/PCH) »";
    expect(annexProblems(bad)).toEqual([
      `${a} : le champ « ash_total » est décrit deux fois.`,
      `${a}, somme « territoire » : le champ « territoire » n'est pas un effectif ou un montant (code_commune).`,
      `${a}, somme « ash_total » : le total figure parmi ses propres parties.`,
    ]);
  });

  it("refuses an annex without fields", () => {
    expect(annexProblems({ ...AIDES_LEGALES, champs: [] })[0]).toContain("aucun champ décrit");
    for (const nom of ["constructor", "__proto__", "toString"])
      expect(
        annexProblems({ ...AIDES_LEGALES, champs: [...AIDES_LEGALES.champs, { nom, type: "texte" }] }),
      ).toContainEqual(expect.stringContaining(`le nom de champ « ${nom} » est réservé`));
  });

  it("refuses an empty value of a field the annex marks required, and only of it", () => {
    const champs = [
      { nom: "territoire", type: "code_commune" as const, requis: true },
      { nom: "ash_total", type: "entier" as const },
    ];
    const required = requiredFields(champs, 2);
    expect([...required]).toEqual(["territoire"]);
    const problems: unknown[] = [];
    expect(
      parseRow(champs, ["c", "n"], { territoire: 0, ash_total: 1 }, ["", "3"], 2, required, (p) =>
        problems.push(p),
      ),
    ).toBeNull();
    expect(problems).toEqual([{ ligne: 2, colonne: "c", probleme: "valeur manquante (champ obligatoire)" }]);
    expect(
      parseRow(champs, ["c", "n"], { territoire: 0, ash_total: 1 }, ["13001", ""], 3, required, () => {}),
    ).toEqual({
      territoire: "13001",
      ash_total: null,
    });
  });
});

describe("an avenant that changes the services per output kind and the financing", () => {
  it("restricts a party's outputs from its effective date on, and records the new financing", () => {
    const amended = {
      ...DIJON,
      avenants: [
        {
          numero: 1,
          objet: "Le SIG reçoit aussi la couche",
          signeLe: "2009-05-01",
          effetLe: "2009-06-01",
          modifications: {
            servicesParSortie: { "grand-dijon": { carte: ["SIG"], tableau: ["SIG"] } },
            financement: { objet: "14 000 € chacun", revueLe: "2010-06-01" },
          },
        },
      ],
    };
    expect(checkConvention(amended)).toEqual([]);
    const before = versionOn(amended, "2009-05-31").parties.find((p) => p.id === "grand-dijon")!;
    const after = versionOn(amended, "2009-06-01").parties.find((p) => p.id === "grand-dijon")!;
    expect(before.servicesParSortie?.carte).toEqual(["Observatoire Prospective", "Politique de la Ville"]);
    expect(after.servicesParSortie).toEqual({ carte: ["SIG"], tableau: ["SIG"] });
    expect(versionOn(amended, "2009-06-01").financement?.revueLe).toBe("2010-06-01");
    const unknown = {
      ...amended,
      avenants: [
        { ...amended.avenants[0]!, modifications: { servicesParSortie: { inconnue: { carte: ["SIG"] } } } },
      ],
    };
    expect(checkConvention(unknown)).toContain(
      "Avenant n° 1 : services d'une partie inconnue : « inconnue ».",
    );
  });
});
