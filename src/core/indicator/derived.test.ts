import { describe, expect, it } from "vitest";
import { CATALOGUE, indicatorById } from "./catalogue.js";
import { type Atome, evaluer, type Lecture, SEUIL_FRAGILE, somme } from "./derived.js";
import type { Formule } from "./model.js";
import { jeuxOfIndicator } from "./model.js";

const pub = (valeur: number): Lecture => ({ statut: "publie", valeur });
const SECRET: Lecture = { statut: "secret" };
const reader =
  (cells: Record<string, Lecture>) =>
  (a: Atome): Lecture => {
    const key =
      a.kind === "population"
        ? `pop:${a.tranche}`
        : a.kind === "effectif"
          ? `eff:${a.modalite ?? "total"}`
          : a.colonne;
    return cells[key] ?? { statut: "manquant" };
  };
const bas = indicatorById("part_bas_revenus")!.formule;

describe("derived figures keep the secret of the cells they are made of", () => {
  it("a share of a published total and a published part is published", () => {
    expect(evaluer(bas, reader({ bas_revenus: pub(9100), allocataires: pub(27688) }))).toEqual({
      valeur: (9100 / 27688) * 100,
      statut: "publie",
      numerateur: 9100,
      denominateur: 27688,
    });
  });

  it("a ratio with a secret numerator or a secret denominator is secret, and says nothing of the secret part", () => {
    const a = evaluer(bas, reader({ bas_revenus: SECRET, allocataires: pub(300) }));
    expect(a).toEqual({ valeur: null, statut: "secret", numerateur: null, denominateur: 300 });
    const b = evaluer(bas, reader({ bas_revenus: pub(40), allocataires: SECRET }));
    expect(b).toEqual({ valeur: null, statut: "secret", numerateur: 40, denominateur: null });
  });

  it("a rate on a small denominator is published but flagged « fragile »", () => {
    const v = evaluer(bas, reader({ bas_revenus: pub(12), allocataires: pub(SEUIL_FRAGILE - 1) }));
    expect(v.statut).toBe("fragile");
    expect(v.valeur).toBeCloseTo((12 / 99) * 100);
  });

  it("a figure no release holds is « manquant », a zero denominator too", () => {
    expect(evaluer(bas, reader({ allocataires: pub(300) })).statut).toBe("manquant");
    expect(evaluer(bas, reader({ bas_revenus: pub(0), allocataires: pub(0) })).statut).toBe("manquant");
  });

  it("a complement 1 − p is secret when the part it is taken from is secret", () => {
    const hors: Formule = {
      numerateur: {
        kind: "difference",
        de: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["allocataires"] },
        moins: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["bas_revenus"] },
      },
      denominateur: { kind: "colonnes", jeux: ["socle-caf"], colonnes: ["allocataires"] },
      facteur: 100,
    };
    expect(evaluer(hors, reader({ allocataires: pub(300), bas_revenus: SECRET })).statut).toBe("secret");
    expect(evaluer(hors, reader({ allocataires: pub(300), bas_revenus: pub(100) })).valeur).toBeCloseTo(
      (200 / 300) * 100,
    );
  });

  it("numerators summed over territories are secret as soon as one of them is", () => {
    expect(somme([pub(40), SECRET, pub(12)])).toEqual(SECRET);
    expect(somme([pub(40), { statut: "manquant" }, SECRET])).toEqual(SECRET);
    expect(somme([pub(40), pub(12)])).toEqual(pub(52));
  });

  it("a GIR share sums only the modalities it names, over the published count of the dataset", () => {
    const gir = indicatorById("apa_part_gir1")!.formule;
    expect(evaluer(gir, reader({ "eff:GIR1": pub(30), "eff:total": pub(400) })).valeur).toBeCloseTo(7.5);
    expect(evaluer(gir, reader({ "eff:GIR1": SECRET, "eff:total": pub(400) })).statut).toBe("secret");
  });

  it("APA per 100 people aged 75 and over divides by the INSEE figure of the vintage", () => {
    const apa = indicatorById("apa_domicile_pour_100_75_ans")!.formule;
    expect(evaluer(apa, reader({ "eff:total": pub(400), "pop:75+": pub(8000) })).valeur).toBeCloseTo(5);
  });
});

describe("the catalogue", () => {
  it("has unique ids, French labels, a unit, a source and levels for every indicator", () => {
    const ids = new Set(CATALOGUE.map((i) => i.id));
    expect(ids.size).toBe(CATALOGUE.length);
    for (const i of CATALOGUE) {
      expect(i.libelle.length, i.id).toBeGreaterThan(5);
      expect(i.source.length, i.id).toBeGreaterThan(3);
      expect(i.niveaux.length, i.id).toBeGreaterThan(0);
      expect(jeuxOfIndicator(i).length, i.id).toBeGreaterThan(0);
    }
  });

  it("holds the indicators of the ABS socle", () => {
    for (const id of [
      "taux_couverture",
      "part_familles_monoparentales",
      "part_familles_nombreuses",
      "part_bas_revenus",
      "taux_dependance_50",
      "taux_dependance_100",
      "beneficiaires_rsa",
      "beneficiaires_aah",
      "beneficiaires_aide_logement",
      "enfants_cmg",
      "apa_domicile_pour_100_75_ans",
      "apa_part_gir1",
      "naissances",
      "part_meres_moins_20_ans",
      "places_am_pour_100_moins_3_ans",
      "taux_activite_am",
      "part_am_plus_55_ans",
      "fsl_pour_1000_menages",
      "faj_pour_1000_menages",
      "ase_pour_1000_moins_18_ans",
    ])
      expect(indicatorById(id), id).toBeDefined();
  });
});
