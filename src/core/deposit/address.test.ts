import { describe, expect, it } from "vitest";
import type { DatasetField } from "../convention/model.js";
import { addressColumns, addressRoleOf, composeAddress } from "./address.js";
import { accountForFields, proposeMapping } from "./mapping.js";

const fields: DatasetField[] = [
  { nom: "index", type: "identifiant" },
  { nom: "adresse", type: "adresse" },
  { nom: "commune", type: "texte" },
  { nom: "age_mere", type: "entier" },
];

describe("address from several columns", () => {
  it("gives each annex field its address role, the commune code included", () => {
    expect(fields.map(addressRoleOf)).toEqual([null, "ligne", "commune", null]);
    expect(addressRoleOf({ nom: "insee", type: "code_commune" })).toBe("code_commune");
    expect(addressRoleOf({ nom: "cp", type: "texte" })).toBe("code_postal");
  });

  it("proposes the file's other address columns as parts, and composes them in reading order", () => {
    const header = ["Index", "Ville", "Adresse", "Code postal", "Âge de la mère", "Code INSEE", "Complément"];
    const m = proposeMapping(fields, header);
    expect(m).toMatchObject({ index: 0, commune: 1, adresse: 2, "adresse.code_postal": 3, age_mere: 4 });
    expect(m["adresse.code_commune"]).toBe(5);
    expect(m["adresse.complement"]).toBe(6);
    const a = composeAddress(addressColumns(fields, m), [
      "X1",
      "Aix",
      "12 rue A",
      "13100",
      "31",
      "1001",
      "Bât B",
    ]);
    expect(a).toEqual({ parts: ["12 rue A", "Bât B", "13100", "Aix"], codeCommune: "01001" });
    expect(composeAddress(addressColumns(fields, m), ["", "", "", "", "", "2a004", ""]).codeCommune).toBe(
      "2A004",
    );
    expect(composeAddress(addressColumns(fields, m), ["", "", "", "", "", "abc", ""]).codeCommune).toBeNull();
  });

  it("asks about every data field neither mapped nor declared absent; the address needs a street", () => {
    const d = { titre: "Certificats", champs: fields, protocole: 2 as const };
    const header = ["Index", "Ville", "Adresse"];
    expect(accountForFields(d, header, { index: 0, commune: 1, adresse: 2 }, new Set())).toEqual([
      "Quelle colonne du fichier contient « age mere » (champ age_mere de l'annexe « Certificats ») ? S'il manque dans ce dépôt, déclarez-le absent : il sera « non renseigné » pour toutes les lignes.",
    ]);
    expect(accountForFields(d, header, { index: 0, commune: 1, adresse: 2 }, new Set(["age_mere"]))).toEqual(
      [],
    );
    expect(accountForFields(d, header, { index: 0, commune: 1 }, new Set(["age_mere"]))[0]).toContain(
      "Aucune colonne du fichier pour l'adresse",
    );
    expect(accountForFields(d, header, { commune: 1, adresse: 2 }, new Set(["age_mere"]))[0]).toContain(
      "« index » : ce champ est indispensable",
    );
    // Protocol 1: neither identifier nor address, but the IRIS.
    const p1 = {
      titre: "P1",
      champs: [...fields, { nom: "code_iris", type: "code_iris" as const }],
      protocole: 1 as const,
    };
    expect(accountForFields(p1, ["IRIS", "Âge"], { code_iris: 0, age_mere: 1 }, new Set())).toEqual([]);
  });
});
