import { describe, expect, it } from "vitest";
import { buildSearchIndex, type SearchEntry, searchTerritories } from "./search.js";

const ENTRIES: SearchEntry[] = [
  { niveau: "commune", code: "50459", nom: "Saint-Aubin-des-Prés", codesPostaux: ["50380"], population: 400 },
  { niveau: "commune", code: "76540", nom: "Rouen", codesPostaux: ["76000", "76100"], population: 114_000 },
  {
    niveau: "commune",
    code: "76575",
    nom: "Saint-Aubin-lès-Elbeuf",
    codesPostaux: ["76410"],
    population: 8000,
  },
  { niveau: "commune", code: "76561", nom: "Rouelles", codesPostaux: ["76610"], population: 1000 },
  { niveau: "commune", code: "76497", nom: "Le Petit-Quevilly", codesPostaux: ["76140"], population: 22_000 },
  { niveau: "epci", code: "200023414", nom: "Métropole Rouen Normandie", population: 490_000 },
  { niveau: "departement", code: "76", nom: "Seine-Maritime", population: 1_250_000 },
  { niveau: "departement", code: "2A", nom: "Corse-du-Sud", population: 160_000 },
];
const index = buildSearchIndex(ENTRIES);
const names = (q: string) => searchTerritories(index, q).map((h) => h.entry.nom);

describe("territory search", () => {
  it("ignores accents, hyphens and case: « saint aubin des pres » finds Saint-Aubin-des-Prés first", () => {
    expect(names("saint aubin des pres")[0]).toBe("Saint-Aubin-des-Prés");
    expect(names("SAINT-AUBIN-DES-PRÉS")[0]).toBe("Saint-Aubin-des-Prés");
  });

  it("ignores word order and reads « St » as Saint", () => {
    expect(names("des pres saint aubin")).toEqual(["Saint-Aubin-des-Prés"]);
    expect(names("st aubin")).toEqual(["Saint-Aubin-lès-Elbeuf", "Saint-Aubin-des-Prés"]);
  });

  it("finds communes by postcode and by INSEE code", () => {
    expect(names("76100")).toEqual(["Rouen"]);
    expect(names("76540")).toEqual(["Rouen"]);
  });

  it("finds départements by number and by name", () => {
    expect(names("76")).toEqual(["Seine-Maritime"]);
    expect(names("2a")).toEqual(["Corse-du-Sud"]);
    expect(names("seine maritime")).toEqual(["Seine-Maritime"]);
  });

  it("puts the exact name before names that merely start with it", () => {
    expect(names("rouen")).toEqual(["Rouen", "Métropole Rouen Normandie"]);
    expect(names("rou")).toEqual(["Rouen", "Rouelles", "Métropole Rouen Normandie"]);
  });

  it("gives an empty list when nothing matches or nothing is typed", () => {
    expect(names("zzzz")).toEqual([]);
    expect(names("  - ")).toEqual([]);
  });
});
