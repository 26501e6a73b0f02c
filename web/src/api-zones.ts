/** Calls for the custom zones of the user's organisations. */
import { call } from "./api";

export type Unites = "communes" | "iris";

export interface ZoneResume {
  id: string;
  organisationId: string;
  nom: string;
  kind: Unites;
  categorie: string;
  categorieLibelle: string;
  membres: number;
  /** Releases that published the zone: it is then frozen. */
  diffusions: number;
}

export interface ZoneDetail extends Omit<ZoneResume, "membres"> {
  description: string | null;
  membres: string[];
}

export interface ZoneSaisie {
  nom: string;
  type: Unites;
  categorie: string;
  description?: string;
  membres: string[];
}

export const zones = {
  liste: () => call<ZoneResume[]>("GET", "/api/zones"),
  lire: (id: string) => call<ZoneDetail>("GET", `/api/zones/${id}`),
  creer: (organisationId: string, z: ZoneSaisie) =>
    call<{ id: string }>("POST", "/api/zones", { organisationId, ...z }),
  modifier: (id: string, z: Partial<ZoneSaisie>) => call<ZoneDetail>("PATCH", `/api/zones/${id}`, z),
  supprimer: (id: string) => call<{ ok: true }>("DELETE", `/api/zones/${id}`),
};
