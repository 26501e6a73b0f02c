/** A territory as the API presents it (shared with the web front). */
export type TerritoryKind = "commune" | "epci" | "departement";

export interface TerritoryInfo {
  kind: TerritoryKind;
  code: string;
  nom: string;
  fictif: boolean;
  parents: { kind: string; code: string; nom: string }[];
  communes: number;
  iris: number;
  population: number | null;
  anneePopulation: number | null;
}
