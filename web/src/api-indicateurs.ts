/**
 * Calls to the indicator API (docs/indicators.md): the catalogue, the
 * values of an indicator at a level, the series of a territory; and the
 * IRIS contours a map of those values needs.
 */
import type { FeatureCollection } from "geojson";
import type {
  CatalogueReponse,
  IndicateurCatalogue,
  LignePortrait,
  PortraitReponse,
  SerieReponse,
  ValeursReponse,
  ValeurTerritoire,
} from "../../src/core/indicator/api";
import type { Niveau } from "../../src/core/indicator/model";
import type { VersionCommentaire } from "../../src/core/observatory/commentary";
import { ApiError, api, call } from "./api";

export type { VersionCommentaire };

/** The key of a portrait's commentary: its territory, reference and themes. */
export interface ClePortrait {
  niveau: Niveau;
  territoire: string;
  reference: string;
  themes: string[];
}

export type {
  CatalogueReponse,
  IndicateurCatalogue,
  LignePortrait,
  Niveau,
  PortraitReponse,
  SerieReponse,
  ValeursReponse,
  ValeurTerritoire,
};

async function get<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: "same-origin" });
  const data = (await res.json().catch(() => null)) as { erreur?: { message?: string } } | null;
  if (!res.ok) throw new ApiError(res.status, data?.erreur?.message ?? `Erreur ${res.status}`);
  return data as T;
}

export const NIVEAU_FR: Record<string, string> = {
  iris: "IRIS",
  commune: "Commune",
  epci: "Intercommunalité (EPCI)",
  departement: "Département",
  zone: "Zonage particulier",
  france: "France",
};

export const STATUT_FR: Record<string, string> = {
  publie: "publiée",
  fragile: "fragile (petit effectif)",
  secret: "secret statistique",
  manquant: "non disponible",
};

export const indicateursApi = {
  catalogue: () => get<CatalogueReponse>("/api/indicateurs"),
  valeurs: (id: string, niveau: Niveau, millesime?: number | null) =>
    get<ValeursReponse>(
      `/api/indicateurs/${encodeURIComponent(id)}/valeurs?niveau=${niveau}${millesime ? `&millesime=${millesime}` : ""}`,
    ),
  /** Everything a portrait shows, in one request. */
  portrait: (niveau: Niveau, code: string) =>
    get<PortraitReponse>(`/api/indicateurs/portrait?territoire=${encodeURIComponent(code)}&niveau=${niveau}`),
  commentaires: (k: ClePortrait) =>
    get<{ versions: VersionCommentaire[] }>(
      `/api/portraits/commentaire?${new URLSearchParams({
        niveau: k.niveau,
        territoire: k.territoire,
        reference: k.reference,
        themes: [...k.themes].sort().join(","),
      })}`,
    ),
  enregistrerCommentaire: (k: ClePortrait, texte: string, versionModifiee: number | null) =>
    call<VersionCommentaire>("POST", "/api/portraits/commentaire", {
      ...k,
      themes: [...k.themes].sort(),
      texte,
      versionModifiee,
    }),
  serie: (id: string, niveau: Niveau, code: string) =>
    get<SerieReponse>(
      `/api/indicateurs/${encodeURIComponent(id)}/series?territoire=${encodeURIComponent(code)}&niveau=${niveau}`,
    ),
};

/** Département of a commune or IRIS code (overseas: three characters). */
export const departementDe = (code: string) => (/^97|^98/.test(code) ? code.slice(0, 3) : code.slice(0, 2));

/**
 * The IRIS contours a map of these values needs, each tagged with `cle`, the
 * code of the territory of the level it belongs to (the IRIS itself, its
 * commune, EPCI, département or zone): communes, EPCI and zones are drawn as
 * their IRIS filled with the territory's colour. One request per
 * département (or EPCI). An IRIS in two zones is drawn once for each (its
 * `code` then names the zone too, so that each copy has its own state).
 */
export async function contoursPour(
  niveau: Niveau,
  codes: readonly string[],
  membres: ReadonlyMap<string, readonly string[]> = new Map(),
): Promise<FeatureCollection> {
  const wanted = new Set(codes);
  const out: FeatureCollection = { type: "FeatureCollection", features: [] };
  const add = (fc: FeatureCollection, cle: (p: Record<string, unknown>) => string | null) => {
    for (const f of fc.features) {
      const k = cle((f.properties ?? {}) as Record<string, unknown>);
      if (k !== null && wanted.has(k)) out.features.push({ ...f, properties: { ...f.properties, cle: k } });
    }
  };
  if (niveau === "epci") {
    for (const c of codes) add(await api.iris("epci", c), () => c);
    return out;
  }
  if (niveau === "zone") {
    // Member → its zones (an IRIS code, or a commune code whose IRIS all belong).
    const zonesOf = new Map<string, string[]>();
    for (const [zone, ms] of membres)
      if (wanted.has(zone)) for (const m of ms) zonesOf.set(m, [...(zonesOf.get(m) ?? []), zone]);
    const deps = [...new Set([...zonesOf.keys()].map(departementDe))];
    const all = await Promise.all(deps.map((d) => api.iris("departement", d).catch(() => null)));
    for (const fc of all)
      for (const f of fc?.features ?? []) {
        const p = (f.properties ?? {}) as Record<string, unknown>;
        const zs = [...(zonesOf.get(String(p.code)) ?? []), ...(zonesOf.get(String(p.commune)) ?? [])];
        for (const z of new Set(zs))
          out.features.push({
            ...f,
            id: `${z}|${String(p.code)}`,
            properties: { ...p, code: `${z}|${String(p.code)}`, cle: z },
          });
      }
    return out;
  }
  const deps = [...new Set(codes.map(departementDe))];
  const all = await Promise.all(deps.map((d) => api.iris("departement", d).catch(() => null)));
  for (const fc of all) {
    if (!fc) continue;
    if (niveau === "iris") add(fc, (p) => String(p.code));
    else if (niveau === "commune") add(fc, (p) => String(p.commune));
    else add(fc, (p) => departementDe(String(p.commune)));
  }
  return out;
}
