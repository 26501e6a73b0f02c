/**
 * Releases: producing a protected release, the register, reading one (reader
 * view for non-processors) and its exports.
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { exportMention } from "../../core/convention/model.js";
import { invalide } from "../../core/errors.js";
import { readerView } from "../../core/release/release.js";
import { loadSolver } from "../../core/secrecy/solver.js";
import { tableView } from "../../release/export-rows.js";
import { releaseCsv, releaseGeoJson, releaseGeoPackage, releaseXlsx } from "../../release/exports.js";
import { getFrozenRelease, listReleases, publishRelease } from "../../release/publish.js";
import { appendAudit } from "../../store/audit.js";
import { recordReleaseApproval, releaseApprovals } from "../../store/conventions.js";
import { getJeu } from "../../store/datasets.js";
import { checkAgain } from "../access.js";
import { conventionRoute } from "../api.js";
import { frozen } from "../caching.js";
import {
  byConvention,
  byJeu,
  byRelease,
  type ConventionDeps,
  ConvId,
  DateIso,
  userParty,
} from "./convention-context.js";
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
        // Read as amended: an annex added by avenant is released under its own fields.
        convention: acces.enVigueur,
        jeuId: params.id,
        annee: body.annee,
        actorId: principal.userId,
        now: deps.now(),
      });
      return {
        id: r.id,
        mentionSource: r.mentionSource,
        dateObservation: r.dateObservation,
        miseAJour: r.miseAJour,
        champsAbsents: r.champsAbsents,
        audit: r.audit,
        tableaux: r.tableaux.length,
      };
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
      // byRelease found the row in this request: the frozen copy in memory may serve.
      const r = await getFrozenRelease(db, params.id);
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
      query: z.object({
        // Absent: every table (CSV, GeoPackage: a layer per table); GeoJSON: the first.
        tableau: z.coerce.number().int().min(0).optional(),
        // GeoPackage only: WGS84 (GPS, web maps) or Lambert-93 (the French GIS default).
        epsg: z
          .enum(["4326", "2154"], { message: "Projection attendue : 4326 (WGS84) ou 2154 (Lambert-93)." })
          .optional(),
        /** « externe »: the export is handed outside the parties, under the provider's approval of this release. */
        usage: z
          .enum(["interne", "externe"], { message: "Usage attendu : interne ou externe." })
          .default("interne"),
      }),
      action: "exporter",
      conventionOf: byRelease,
    },
    async ({ params, query, acces, request, reply, principal }) => {
      if (query.epsg !== undefined && params.format !== "gpkg")
        throw invalide("projection_inutile", "La projection (epsg) ne s'applique qu'au GeoPackage.");
      if (query.tableau !== undefined && params.format === "xlsx")
        throw invalide(
          "tableau_inutile",
          "Le classeur XLSX contient toujours tous les tableaux (une feuille chacun).",
        );
      // The map layer and the table may go to different services (Dijon).
      checkAgain(acces, "exporter", {
        sortie: params.format === "csv" || params.format === "xlsx" ? "tableau" : "carte",
      });
      const tag = `diffusion-${params.id}-${params.format}-${query.tableau ?? "tous"}-${query.epsg ?? "4326"}`;
      if (query.usage === "externe") {
        const approvals = await releaseApprovals(db, params.id);
        checkAgain(acces, "diffuser_externe", approvals.length > 0 ? { accordDiffusion: true } : {});
        await appendAudit(db, {
          actorId: principal.userId,
          action: "diffusion_externe",
          target: params.id,
          detail: {
            convention: acces.stored.convention.id,
            format: params.format,
            accords: approvals.map((a) => a.id),
          },
          at: deps.now(),
        });
      } else if (frozen(request, reply, tag)) return reply.code(304).send();
      // Exports leave Socle: a secret cell is « s », whatever its kind; the mention carries
      // the double sigle and the internal-use stamp where the convention asks for them.
      // byRelease found the row in this request: the frozen copy in memory may serve.
      const released = readerView(await getFrozenRelease(db, params.id));
      const r = { ...released, mentionSource: exportMention(acces.enVigueur, released.mentionSource) };
      if (query.tableau !== undefined && query.tableau >= r.tableaux.length)
        throw invalide(
          "tableau_absent",
          `Tableau ${query.tableau} absent : la diffusion en compte ${r.tableaux.length} (numérotés à partir de 0).`,
        );
      const jeu = await getJeu(db, r.jeuId);
      const base = `diffusion-${jeu.annexe}-${r.annee}${query.tableau === undefined ? "" : `-${tableView(r.tableaux[query.tableau]!).slug}`}`;
      if (params.format === "csv")
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="${base}.csv"`)
          .send(releaseCsv(r, query.tableau));
      if (params.format === "gpkg") {
        const lambert = query.epsg === "2154";
        return reply
          .type("application/geopackage+sqlite3")
          .header("content-disposition", `attachment; filename="${base}${lambert ? "-lambert93" : ""}.gpkg"`)
          .send(
            Buffer.from(await releaseGeoPackage(db, r, query.tableau, lambert ? { crs: "EPSG:2154" } : {})),
          );
      }
      if (params.format === "geojson")
        return reply
          .type("application/geo+json")
          .header("content-disposition", `attachment; filename="${base}.geojson"`)
          .send(JSON.stringify(await releaseGeoJson(db, r, query.tableau ?? 0)));
      return reply
        .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("content-disposition", `attachment; filename="${base}.xlsx"`)
        .send(await releaseXlsx(r, { convention: acces.stored.convention.titre, jeu: jeu.titre }));
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/diffusions/:id/accords",
      summary: "Accord du fournisseur à la diffusion externe d'une diffusion (portée, destinataire, date)",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      body: z.object({
        portee: z.string().trim().min(1, { message: "Portée de l'accord requise." }).max(2000),
        destinataire: z.string().trim().min(1, { message: "Destinataire de la diffusion requis." }).max(500),
        accordeLe: DateIso.optional(),
      }),
      action: "accorder_diffusion",
      conventionOf: byRelease,
    },
    async ({ params, body, acces, principal }) => {
      const accordeLe = body.accordeLe ?? acces.on;
      if (accordeLe > acces.on)
        throw invalide("date_future", "Un accord ne peut pas être daté dans le futur.");
      const id = await recordReleaseApproval(db, {
        diffusionId: params.id,
        conventionId: acces.stored.convention.id,
        partie: userParty(acces, ["fournisseur"]),
        portee: body.portee,
        destinataire: body.destinataire,
        accordeLe,
        accordePar: principal.userId,
      });
      return { id, accordeLe };
    },
  );
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/diffusions/:id/accords",
      summary: "Accords de diffusion externe donnés pour une diffusion",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      action: "voir_sorties_protegees",
      conventionOf: byRelease,
    },
    async ({ params }) => releaseApprovals(db, params.id),
  );
}
