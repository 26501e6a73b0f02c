import { describe, expect, it } from "vitest";
import { DIJON } from "../convention/reference.js";
import { IrisTableReader, isIrisTableAnnex } from "./iris-table.js";
import type { RowProblem } from "./validate.js";

const annex = DIJON.jeux[0]!;

function read(header: string[], rows: string[][], mapping: Record<string, number>) {
  const r = new IrisTableReader(annex, header, mapping);
  const problems: RowProblem[] = [];
  rows.forEach((values, k) => {
    r.add(values, k + 2, (p) => {
      problems.push(p);
    });
  });
  return { reader: r, problems, result: r.result() };
}

describe("IRIS tables (Dijon)", () => {
  it("recognises Dijon's annexes as IRIS tables, not a commune table", () => {
    expect(DIJON.jeux.every(isIrisTableAnnex)).toBe(true);
  });

  it("reads the long form into one row per IRIS; counts apart from values that do not add up", () => {
    const { reader, problems, result } = read(
      ["code_iris", "indicateur", "valeur"],
      [
        ["212310101", "allocataires", "120"],
        ["212310101", "revenu_median", "19 850"],
        ["212310102", "allocataires", "s"],
        ["212310102", "revenu_median", "17420,5"],
        ["212310103", "part_familles_monoparentales", "12"],
      ],
      { code_iris: 0, indicateur: 1, valeur: 2 },
    );
    expect(reader.form).toBe("longue");
    expect(problems).toEqual([]);
    expect(result.indicateurs).toEqual(["allocataires"]);
    expect(result.taux).toEqual(["revenu_median", "part_familles_monoparentales"]);
    expect(result.lignes).toEqual([
      {
        territoire: { kind: "iris", code: "212310101" },
        valeurs: { allocataires: 120, revenu_median: 19850, part_familles_monoparentales: null },
      },
      {
        territoire: { kind: "iris", code: "212310102" },
        valeurs: { allocataires: null, revenu_median: 17420.5, part_familles_monoparentales: null },
      },
      {
        territoire: { kind: "iris", code: "212310103" },
        valeurs: { allocataires: null, revenu_median: null, part_familles_monoparentales: 12 },
      },
    ]);
  });

  it("reads the wide form: every other column is an indicator; a decimal makes a value, not a count", () => {
    const { reader, problems, result } = read(
      ["IRIS", "demandeurs_emploi", "indice_jeunesse"],
      [
        ["2A0040101", "35", "1,2"],
        ["2A0040102", "8", "0,9"],
      ],
      { code_iris: 0 },
    );
    expect(reader.form).toBe("large");
    expect(problems).toEqual([]);
    expect(result.indicateurs).toEqual(["demandeurs_emploi"]);
    expect(result.taux).toEqual(["indice_jeunesse"]);
    expect(result.lignes[1]).toEqual({
      territoire: { kind: "iris", code: "2A0040102" },
      valeurs: { demandeurs_emploi: 8, indice_jeunesse: 0.9 },
    });
  });

  it("names the line and column of an unreadable IRIS code, a repeated IRIS or pair, a value that is not a number — never the value", () => {
    const long = read(
      ["code_iris", "indicateur", "valeur"],
      [
        ["21231010", "allocataires", "1"],
        ["212310101", "allocataires", "1"],
        ["212310101", "allocataires", "2"],
        ["212310102", "", "2"],
        ["212310103", "allocataires", "beaucoup"],
      ],
      { code_iris: 0, indicateur: 1, valeur: 2 },
    );
    expect(long.problems).toEqual([
      {
        ligne: 2,
        colonne: "code_iris",
        probleme: "code IRIS illisible, attendu : 9 caractères (code de la commune puis 4 chiffres)",
      },
      {
        ligne: 4,
        colonne: "indicateur",
        probleme: "cet IRIS a déjà une valeur pour cet indicateur sur une ligne précédente",
      },
      { ligne: 5, colonne: "indicateur", probleme: "nom d'indicateur manquant" },
      {
        ligne: 6,
        colonne: "valeur",
        probleme: "valeur illisible, attendu : un nombre (ex. 12,5), vide ou « s » si masqué",
      },
    ]);
    expect(JSON.stringify(long.problems)).not.toContain("beaucoup");
    const wide = read(
      ["code_iris", "a"],
      [
        ["212310101", "1"],
        ["212310101", "2"],
      ],
      { code_iris: 0 },
    );
    expect(wide.problems).toEqual([
      { ligne: 3, colonne: "code_iris", probleme: "IRIS déjà présent ligne 2" },
    ]);
  });
});
