/** Calls to the Socle API; errors carry the server's French message. */
import type { FeatureCollection } from "geojson";
import type { TerritoryInfo } from "../../src/core/territory/territory";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = (await res.json().catch(() => null)) as { erreur?: { message?: string } } | null;
  if (!res.ok) throw new ApiError(res.status, data?.erreur?.message ?? `Erreur ${res.status}`);
  return data as T;
}

export interface Moi {
  id: string;
  email: string;
  nom: string;
  administrateurPlateforme: boolean;
  organisations: { id: string; nom: string; type: string; role: string; roleLibelle: string }[];
}

export type Territoire = TerritoryInfo;

export interface Resultat {
  kind: "commune" | "epci";
  code: string;
  nom: string;
  iris: number;
}

export const api = {
  moi: () => call<Moi>("GET", "/api/moi"),
  connexion: (email: string, motDePasse: string) =>
    call<Moi>("POST", "/api/auth/connexion", { email, motDePasse }),
  deconnexion: () => call<{ ok: true }>("POST", "/api/auth/deconnexion"),
  sante: () => call<{ ok: boolean; demo: boolean }>("GET", "/api/sante"),
  chercher: (q: string) => call<Resultat[]>("GET", `/api/territoires?q=${encodeURIComponent(q)}`),
  territoire: (type: string, code: string) => call<Territoire>("GET", `/api/territoires/${type}/${code}`),
  iris: (type: string, code: string) =>
    call<FeatureCollection>("GET", `/api/territoires/${type}/${code}/iris`),
};
