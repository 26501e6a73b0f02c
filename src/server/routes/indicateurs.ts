/**
 * The indicator API: the catalogue, the values of an indicator on every
 * territory of a level (with their references), its time series for one
 * territory. Values come only from the releases of the conventions in which
 * the user may see protected outputs (`voir_sorties_protegees`, decided by
 * core/convention/rights on today's date), in the reader view; `convention=`
 * narrows them to one convention (404 to an outsider, 403 without the right).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Principal } from "../../core/account/model.js";
import { isoDateInParis } from "../../core/convention/dates.js";
import type { Convention } from "../../core/convention/model.js";
import { decide } from "../../core/convention/rights.js";
import { introuvable } from "../../core/errors.js";
import type { CatalogueReponse, PortraitReponse } from "../../core/indicator/api.js";
import { CATALOGUE, indicatorById } from "../../core/indicator/catalogue.js";
import type { Indicateur } from "../../core/indicator/model.js";
import { NIVEAUX } from "../../core/indicator/model.js";
import {
  catalogueEntry,
  indicatorSeries,
  indicatorValues,
  territoryPortrait,
} from "../../release/indicator-values.js";
import { listConventions } from "../../store/conventions.js";
import type { Db } from "../../store/db.js";
import { checkAccess, partiesOf } from "../access.js";
import { route } from "../api.js";
import { type CompressedJson, compressedJson, sendCompressedJson } from "../caching.js";
import * as R from "../responses.js";

export const Niveau = z.enum(NIVEAUX as [string, ...string[]], {
  message: "Niveau attendu : iris, commune, epci, departement ou zone.",
});
const IndicId = z.string().regex(/^[a-z0-9_]{1,60}$/, { message: "Identifiant d'indicateur invalide." });
export const ConventionId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,80}$/, { message: "Identifiant de convention invalide." })
  .optional();
const Millesime = z.coerce
  .number({ message: "Millésime attendu : une année." })
  .int({ message: "Millésime attendu : une année." })
  .min(1990, { message: "Millésime attendu : une année entre 1990 et 2100." })
  .max(2100, { message: "Millésime attendu : une année entre 1990 et 2100." })
  .optional();
export const TerritoryCode = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z' ._-]{1,80}$/, { message: "Code de territoire invalide." });

export interface IndicateurDeps {
  db: Db;
  now: () => Date;
}

function indicator(id: string): Indicateur {
  const i = indicatorById(id);
  if (!i) throw introuvable("indicateur_introuvable", "Indicateur introuvable.");
  return i;
}

/** Conventions whose protected outputs the user may see today (or the one asked, checked). */
export async function readable(
  deps: IndicateurDeps,
  principal: Principal,
  conventionId: string | undefined,
): Promise<Convention[]> {
  const on = isoDateInParis(deps.now());
  if (conventionId) {
    const acces = await checkAccess(deps.db, principal, conventionId, "voir_sorties_protegees", on);
    return [acces.stored.convention];
  }
  const out: Convention[] = [];
  for (const s of await listConventions(deps.db)) {
    const { parties, role, service } = partiesOf(principal, s);
    if (parties.length === 0) continue;
    const d = decide(s.convention, "voir_sorties_protegees", {
      parties,
      on,
      ...(role ? { role } : {}),
      ...(service ? { service } : {}),
    });
    if (d.ok) out.push(s.convention);
  }
  return out;
}

const COMPRESSED_VALUES = new WeakMap<object, CompressedJson>();

export function indicateurRoutes(app: FastifyInstance, deps: IndicateurDeps): void {
  route(
    app,
    {
      method: "GET",
      url: "/api/indicateurs",
      response: R.Catalogue,
      summary: "Catalogue des indicateurs (formules, unités, sources, précautions, niveaux)",
      tag: "Indicateurs",
    },
    async (): Promise<CatalogueReponse> => ({
      themes: [...new Set(CATALOGUE.map((i) => i.theme))],
      indicateurs: CATALOGUE.map(catalogueEntry),
    }),
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/indicateurs/:id/valeurs",
      response: R.Valeurs,
      summary:
        "Valeurs d'un indicateur sur les territoires d'un niveau, avec leur statut (publié, secret, manquant, fragile) et leurs références",
      tag: "Indicateurs",
      params: z.object({ id: IndicId }),
      query: z.object({
        niveau: Niveau.default("commune"),
        millesime: Millesime,
        convention: ConventionId,
      }),
    },
    async ({ params, query, principal, request, reply }) => {
      const ind = indicator(params.id);
      const conventions = await readable(deps, principal, query.convention);
      const answer = await indicatorValues(deps.db, conventions, ind, {
        niveau: query.niveau as Indicateur["niveaux"][number],
        ...(query.millesime !== undefined ? { millesime: query.millesime } : {}),
      });
      // A cached answer is the same object: serialised and compressed once (1,500 IRIS weigh
      // hundreds of kilobytes of JSON), revalidated by the ETag of its bytes.
      let body = COMPRESSED_VALUES.get(answer);
      if (!body) {
        body = compressedJson(answer);
        COMPRESSED_VALUES.set(answer, body);
      }
      return sendCompressedJson(request, reply, body);
    },
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/indicateurs/:id/series",
      response: R.Serie,
      summary: "Série d'un indicateur pour un territoire : chaque millésime, ses références et ses ruptures",
      tag: "Indicateurs",
      params: z.object({ id: IndicId }),
      query: z.object({
        territoire: TerritoryCode,
        niveau: Niveau.default("commune"),
        convention: ConventionId,
      }),
    },
    async ({ params, query, principal }) => {
      const ind = indicator(params.id);
      const conventions = await readable(deps, principal, query.convention);
      return indicatorSeries(deps.db, conventions, ind, {
        niveau: query.niveau as Indicateur["niveaux"][number],
        code: query.territoire,
      });
    },
  );
  route(
    app,
    {
      method: "GET",
      url: "/api/indicateurs/portrait",
      response: R.Portrait,
      summary:
        "Portrait d'un territoire en une requête : chaque indicateur qui le contient au dernier millésime (valeur, références, série) et la carte de ses IRIS",
      tag: "Indicateurs",
      query: z.object({
        territoire: TerritoryCode,
        niveau: Niveau.default("commune"),
        convention: ConventionId,
      }),
    },
    async ({ query, principal }): Promise<PortraitReponse> => {
      const conventions = await readable(deps, principal, query.convention);
      return territoryPortrait(deps.db, conventions, CATALOGUE, {
        niveau: query.niveau as Indicateur["niveaux"][number],
        code: query.territoire,
      });
    },
  );
}
