/**
 * The analyst's commentary of a territory portrait, kept on the server in
 * versions (author, date): read by whoever may read the protected outputs of
 * every convention the portrait drew on when it was written
 * (core/observatory/commentary.ts). `convention=` narrows the portrait, and
 * so the commentary, to one convention (404 to an outsider, 403 without the
 * right), as for the indicator routes.
 */

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalide } from "../../core/errors.js";
import { CATALOGUE } from "../../core/indicator/catalogue.js";
import type { Niveau as NiveauT } from "../../core/indicator/model.js";
import {
  type CleCommentaire,
  cleanText,
  mayRead,
  nextVersion,
  type VersionCommentaire,
} from "../../core/observatory/commentary.js";
import { territoryPortrait } from "../../release/indicator-values.js";
import { appendComment, commentVersions } from "../../store/portrait-comments.js";
import { route } from "../api.js";
import * as R from "../responses.js";
import { ConventionId, type IndicateurDeps, Niveau, readable, TerritoryCode } from "./indicateurs.js";

const THEMES = [...new Set(CATALOGUE.map((i) => i.theme as string))];
const themesOf = (s: string) =>
  s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
const Themes = z
  .string()
  .max(400)
  .refine((s) => themesOf(s).every((t) => THEMES.includes(t)), {
    message: `Thèmes attendus parmi : ${THEMES.join(", ")} (séparés par des virgules).`,
  });
const Reference = z
  .string()
  .regex(/^((commune|epci|departement|france|zone):[0-9A-Za-z._-]{1,80})?$/, {
    message: "Territoire de référence invalide (attendu niveau:code, par exemple epci:200023414).",
  })
  .default("");
const Key = {
  niveau: Niveau.default("commune"),
  territoire: TerritoryCode,
  reference: Reference,
  themes: Themes.default(""),
  convention: ConventionId,
};

export interface CommentairesReponse {
  /** Newest first; only the versions the user may read. */
  versions: VersionCommentaire[];
}

export function portraitRoutes(app: FastifyInstance, deps: IndicateurDeps): void {
  const keyOf = (k: {
    niveau: string;
    territoire: string;
    reference: string;
    themes: string[];
  }): CleCommentaire => ({
    niveau: k.niveau as NiveauT,
    territoire: k.territoire,
    reference: k.reference,
    themes: k.themes,
  });
  route(
    app,
    {
      method: "GET",
      url: "/api/portraits/commentaire",
      response: R.Commentaires,
      summary:
        "Versions du commentaire de l'analyste d'un portrait (territoire, référence, thèmes) que l'utilisateur peut lire",
      tag: "Indicateurs",
      query: z.object(Key),
    },
    async ({ query, principal }): Promise<CommentairesReponse> => {
      const conventions = await readable(deps, principal, query.convention);
      const ids = new Set(conventions.map((c) => c.id));
      const versions = await commentVersions(deps.db, keyOf({ ...query, themes: themesOf(query.themes) }));
      return { versions: versions.filter((v) => mayRead(v, ids)) };
    },
  );
  route(
    app,
    {
      method: "POST",
      url: "/api/portraits/commentaire",
      response: R.VersionCommentaire,
      summary:
        "Enregistrer une nouvelle version du commentaire d'un portrait (refusée si une autre version a été enregistrée entre-temps)",
      tag: "Indicateurs",
      body: z.object({
        ...Key,
        themes: z.array(z.enum(THEMES as [string, ...string[]], { message: "Thème inconnu." })).max(20),
        texte: z.string({ message: "Texte du commentaire attendu." }).max(40_000, {
          message: "Le commentaire est trop long.",
        }),
        /** The version the analyst edited (null for the first). */
        versionModifiee: z.number().int().min(1).nullable(),
      }),
    },
    async ({ body, principal }): Promise<VersionCommentaire> => {
      const conventions = await readable(deps, principal, body.convention);
      // The conventions it comments on: the one asked, else those whose releases the portrait reads.
      const sur = body.convention
        ? [body.convention]
        : (
            await territoryPortrait(deps.db, conventions, CATALOGUE, {
              niveau: body.niveau as NiveauT,
              code: body.territoire,
            })
          ).conventions;
      if (sur.length === 0)
        throw invalide(
          "portrait_sans_donnees",
          "Aucune diffusion que vous pouvez lire ne porte sur ce territoire : il n'y a rien à commenter.",
        );
      const texte = cleanText(body.texte);
      return appendComment(
        deps.db,
        keyOf(body),
        { texte, auteurId: principal.userId, auteurNom: principal.nom, conventions: sur, at: deps.now() },
        (latest) => nextVersion(latest, body.versionModifiee),
      );
    },
  );
}
