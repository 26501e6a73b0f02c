/**
 * Releases: producing a protected release, the register, reading one (reader
 * view for non-processors) and its exports.
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { readerView } from "../../core/release/release.js";
import { loadSolver } from "../../core/secrecy/solver.js";
import { releaseCsv, releaseGeoJson, releaseGeoPackage, releaseXlsx } from "../../release/exports.js";
import { getRelease, listReleases, publishRelease } from "../../release/publish.js";
import { getJeu } from "../../store/datasets.js";
import { conventionRoute } from "../api.js";
import { frozen } from "../caching.js";
import { byConvention, byJeu, byRelease, type ConventionDeps, ConvId } from "./convention-context.js";
import { Uuid } from "./params.js";

export function diffusionRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db } = deps;

  // Releases and their exports.
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/jeux/:id/diffusions",
      summary: "Produire une diffusion protégée d'un jeu de données (secret statistique et audit)",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      body: z.object({ annee: z.number().int().min(1990).max(2100) }),
      action: "publier",
      conventionOf: byJeu,
    },
    async ({ params, body, acces, principal }) => {
      const r = await publishRelease({
        db,
        highs: await loadSolver(),
        convention: acces.stored.convention,
        jeuId: params.id,
        annee: body.annee,
        actorId: principal.userId,
        now: deps.now(),
      });
      return { id: r.id, mentionSource: r.mentionSource, audit: r.audit, tableaux: r.tableaux.length };
    },
  );
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id/diffusions",
      summary: "Registre des diffusions de la convention",
      tag: "Diffusions",
      params: z.object({ id: ConvId }),
      action: "voir_sorties_protegees",
      conventionOf: byConvention,
    },
    async ({ params }) => listReleases(db, params.id),
  );
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/diffusions/:id",
      summary: "Une diffusion : tableaux protégés et mention de la source",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      action: "voir_sorties_protegees",
      conventionOf: byRelease,
    },
    async ({ params, acces, request, reply }) => {
      // Only the processor learns why a cell is secret.
      const c = acces.stored.convention;
      const processor = acces.parties.some((id) =>
        c.parties.find((x) => x.id === id)?.parts.includes("prestataire"),
      );
      if (frozen(request, reply, `diffusion-${params.id}-${processor ? "prestataire" : "lecteur"}`))
        return reply.code(304).send();
      const r = await getRelease(db, params.id);
      return processor ? r : readerView(r);
    },
  );
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/diffusions/:id/export/:format",
      summary: "Exporter une diffusion : xlsx, csv, geojson ou gpkg (IRIS)",
      tag: "Diffusions",
      produces: "application/octet-stream",
      params: z.object({
        id: Uuid,
        format: z.enum(["xlsx", "csv", "geojson", "gpkg"], {
          message: "Format attendu : xlsx, csv, geojson ou gpkg.",
        }),
      }),
      query: z.object({ tableau: z.coerce.number().int().min(0).default(0) }),
      action: "exporter",
      conventionOf: byRelease,
    },
    async ({ params, query, acces, request, reply }) => {
      if (frozen(request, reply, `diffusion-${params.id}-${params.format}-${query.tableau}`))
        return reply.code(304).send();
      // Exports leave Socle: a secret cell is « s », whatever its kind.
      const r = readerView(await getRelease(db, params.id));
      const jeu = await getJeu(db, r.jeuId);
      const base = `diffusion-${jeu.annexe}-${r.annee}`;
      if (params.format === "csv")
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="${base}.csv"`)
          .send(releaseCsv(r));
      if (params.format === "gpkg")
        return reply
          .type("application/geopackage+sqlite3")
          .header("content-disposition", `attachment; filename="${base}.gpkg"`)
          .send(Buffer.from(await releaseGeoPackage(db, r, Math.min(query.tableau, r.tableaux.length - 1))));
      if (params.format === "geojson")
        return reply
          .type("application/geo+json")
          .header("content-disposition", `attachment; filename="${base}.geojson"`)
          .send(JSON.stringify(await releaseGeoJson(db, r, Math.min(query.tableau, r.tableaux.length - 1))));
      return reply
        .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("content-disposition", `attachment; filename="${base}.xlsx"`)
        .send(await releaseXlsx(r, { convention: acces.stored.convention.titre, jeu: jeu.titre }));
    },
  );
}
