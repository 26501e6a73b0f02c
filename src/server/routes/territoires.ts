import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { RechercheReponse } from "../../core/indicator/api.js";
import { searchTerritories as searchIndex } from "../../core/territory/search.js";
import type { Db } from "../../store/db.js";
import { irisFeatures, searchTerritories } from "../../store/territories.js";
import { cachedByReferential, cachedTerritoryInfo, referentielVersion } from "../../store/territory-cache.js";
import { territorySearchIndex } from "../../store/territory-search.js";
import { route } from "../api.js";
import { compressedJson, sendCompressedJson } from "../caching.js";
import { readThrough } from "../read-cache.js";
import * as R from "../responses.js";

const Kind = z.enum(["commune", "epci", "departement"], {
  message: "Type de territoire attendu : commune, epci ou departement.",
});
const Code = z.string().regex(/^[0-9AB]{2,9}$/, { message: "Code de territoire invalide." });

export function territoireRoutes(app: FastifyInstance, db: Db): void {
  // The referential's counter, read once per request at most (through the read cache on a GET).
  const referentiel = (request: FastifyRequest) =>
    readThrough(request, "referentiel", () => referentielVersion(db));
  route(
    app,
    {
      method: "GET",
      url: "/api/territoires",
      response: R.TerritoiresTrouves,
      summary: "Rechercher une commune ou un EPCI",
      tag: "Territoires",
      query: z.object({ q: z.string().trim().min(2, { message: "Au moins 2 caractères." }).max(80) }),
    },
    async ({ query }) => searchTerritories(db, query.q),
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/territoires/recherche",
      response: R.Recherche,
      summary:
        "Rechercher une commune, un EPCI ou un département (accents, tirets et ordre des mots ignorés ; code postal, code INSEE, numéro de département)",
      tag: "Territoires",
      query: z.object({ q: z.string().max(80, { message: "80 caractères au plus." }).default("") }),
    },
    async ({ query }): Promise<RechercheReponse> => {
      const hits = searchIndex(await territorySearchIndex(db), query.q);
      return {
        resultats: hits.map(({ entry: e }) => ({
          niveau: e.niveau,
          code: e.code,
          nom: e.nom,
          detail:
            e.niveau === "commune"
              ? [`Commune (${e.departement ?? ""})`, ...(e.codesPostaux ?? []).slice(0, 3)].join(" · ")
              : e.niveau === "epci"
                ? "Intercommunalité (EPCI)"
                : "Département",
        })),
      };
    },
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/territoires/:type/:code",
      response: R.Territoire,
      summary: "Fiche d'un territoire (rattachements, nombre d'IRIS, population)",
      tag: "Territoires",
      params: z.object({ type: Kind, code: Code }),
    },
    async ({ params, request }) =>
      cachedTerritoryInfo(db, params.type, params.code, await referentiel(request)),
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/territoires/:type/:code/iris",
      response: R.IrisGeoJson,
      summary: "Contours des IRIS du territoire (GeoJSON WGS84) avec leur population",
      tag: "Territoires",
      params: z.object({ type: Kind, code: Code }),
    },
    async ({ params, request, reply }) => {
      // Kept serialised and compressed while the referential is unchanged (a département's
      // contours weigh megabytes of JSON); the ETag lets a browser revalidate without a body.
      const version = await referentiel(request);
      const body = await cachedByReferential(
        db,
        `iris-gzip:${params.type}:${params.code}`,
        async () => {
          await cachedTerritoryInfo(db, params.type, params.code, version); // 404 when unknown
          return compressedJson(await irisFeatures(db, params.type, params.code));
        },
        version,
      );
      return sendCompressedJson(request, reply, body);
    },
  );
}
