/**
 * A release built by hand on the demo territory, with the disorders the
 * users met: territories listed communes, Ensemble, IRIS, EPCI; age bands
 * starting with « 85 ans et plus »; long table names sharing their first
 * words; secret cells of both kinds (which no export may tell apart).
 */
import type { ReleasedCell, ReleasedTable } from "../../src/core/release/release.js";
import { DEMO_EPCI, demoTerritory } from "../../src/core/territory/demo-territory.js";
import type { Release } from "../../src/release/publish.js";

export const MENTION =
  "Source : CAF fictive – ABS de démonstration, données au 31/12/2025, mise à jour le 02/03/2026";

function table(
  nom: string,
  variable: { nom: string; libelle: string },
  modalities: [string, string][],
  value: (territory: number, modality: number) => number,
): ReleasedTable {
  const t = demoTerritory();
  const communes = t.communes.map((c) => [`C${c.code}`, c.nom] as [string, string]);
  const iris = t.iris.map((i) => [i.code, i.nom] as [string, string]);
  const territories: [string, string][] = [
    ...communes,
    ["Ensemble", "Ensemble du territoire"],
    ...iris,
    [`E${DEMO_EPCI.code}`, DEMO_EPCI.nom],
  ];
  const mods: [string, string][] = [...modalities, ["Total", "Total"]];
  const cellules: ReleasedCell[] = [];
  territories.forEach(([code], i) => {
    mods.forEach(([m], j) => {
      const v = value(i, j);
      // Every 7th cell is secret, alternately primary and secondary.
      const secret = (i * mods.length + j) % 7 === 3;
      cellules.push({
        codes: [code, m],
        valeur: secret ? null : v,
        statut: secret ? ((i + j) % 2 === 0 ? "A" : "D") : "V",
      });
    });
  });
  return {
    nom,
    variables: [{ nom: "territoire", libelle: "Territoire" }, variable],
    libelles: { territoire: Object.fromEntries(territories), [variable.nom]: Object.fromEntries(mods) },
    cellules,
  };
}

export function demoRelease(): Release {
  const age = table(
    "Effectifs par territoire et âge au 31/12/2025",
    { nom: "tranche_age", libelle: "Âge au 31/12/2025" },
    [
      ["85+", "85 ans et plus"],
      ["60-74", "60 à 74 ans"],
      ["75-84", "75 à 84 ans"],
    ],
    (i, j) => 5 + ((i * 37 + j * 11) % 2000),
  );
  const gir = table(
    "Effectifs par territoire et GIR",
    { nom: "gir", libelle: "GIR" },
    [6, 5, 4, 3, 2, 1].map((g) => [`GIR${g}`, `GIR ${g}`]),
    (i, j) => 5 + ((i * 13 + j) % 300),
  );
  const sexe = table(
    "Effectifs par territoire et sexe de l'allocataire principal du foyer",
    { nom: "sexe", libelle: "Sexe" },
    [
      ["F", "Femmes"],
      ["M", "Hommes"],
    ],
    (i, j) => 1200 + i * 3 + j,
  );
  return {
    id: "00000000-0000-4000-8000-000000000001",
    conventionId: "conv",
    jeuId: "jeu",
    annee: 2025,
    zonage: "IRIS",
    mentionSource: MENTION,
    tableaux: [age, gir, sexe],
    audit: { ok: true, primaires: 10, secondaires: 12, secondes: 0.1, methode: "test" },
    nonLocalises: 3,
    diffuseLe: "2026-03-02T10:15:00.000Z",
    dateObservation: "2025-12-31",
    miseAJour: "2026-03-02",
    champsAbsents: [{ nom: "rang_naissance", libelle: "rang de naissance" }],
  };
}
