/**
 * Releases: producing a protected release, the register, reading one (reader
 * view for non-processors) and its exports.
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { doubleSigle, exportMention, internalUseStamp } from "../../core/convention/model.js";
import { interdit, invalide } from "../../core/errors.js";
import { readerView } from "../../core/release/release.js";
import { loadSolver } from "../../core/secrecy/solver.js";
import { tableView } from "../../release/export-rows.js";
import { releaseCsv, releaseGeoJson, releaseGeoPackage, releaseXlsx } from "../../release/exports.js";
import { getFrozenRelease, listReleases, publishRelease } from "../../release/publish.js";
import { approvalRequestsOfRelease, askApproval, refuseApproval } from "../../store/approval-requests.js";
import { appendAudit } from "../../store/audit.js";
import { recordReleaseApproval, releaseApprovals } from "../../store/conventions.js";
import { getJeu } from "../../store/datasets.js";
import { checkAgain } from "../access.js";
import { conventionRoute } from "../api.js";
import { frozen } from "../caching.js";
import * as R from "../responses.js";
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

/** A release view as sent, by its ETag (release, reader or processor, stamps): at most this many kept. */
const SERIALISED_VIEWS = 128;
const serialisedViews = new Map<string, string>();

export function diffusionRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db } = deps;

  // Releases and their exports.
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/jeux/:id/diffusions",
      response: R.DiffusionCreee,
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
      response: R.Diffusions,
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
      response: R.Diffusion,
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
      // The page carries the stamps the convention asks for, as amended today: they are part of the tag.
      const usageInterne = internalUseStamp(acces.enVigueur);
      const sigle = doubleSigle(acces.enVigueur);
      const stamps = createHash("sha256")
        .update(JSON.stringify([usageInterne, sigle]))
        .digest("hex")
        .slice(0, 12);
      const tag = `diffusion-${params.id}-${processor ? "prestataire" : "lecteur"}-${stamps}`;
      if (frozen(request, reply, tag)) return reply.code(304).send();
      // byRelease found the row (within the read cache's delay): the frozen copy in memory may serve.
      // The answer under one tag never changes: serialised once, not on every request.
      let body = serialisedViews.get(tag);
      if (body === undefined) {
        const r = await getFrozenRelease(db, params.id);
        body = JSON.stringify({ ...(processor ? r : readerView(r)), usageInterne, doubleSigle: sigle });
        if (serialisedViews.size >= SERIALISED_VIEWS)
          serialisedViews.delete(serialisedViews.keys().next().value!);
        serialisedViews.set(tag, body);
      }
      return reply.type("application/json; charset=utf-8").send(body);
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
      response: R.AccordCree,
      summary: "Accord du fournisseur à la diffusion externe d'une diffusion (portée, destinataire, date)",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      body: z.object({
        portee: z.string().trim().min(1, { message: "Portée de l'accord requise." }).max(2000),
        destinataire: z.string().trim().min(1, { message: "Destinataire de la diffusion requis." }).max(500),
        accordeLe: DateIso.optional(),
        /** The request for approval this approval answers, if any. */
        demande: Uuid.optional(),
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
        ...(body.demande ? { demandeId: body.demande } : {}),
      });
      return { id, accordeLe };
    },
  );

  // Requests for the provider's approval of an external diffusion (its tasks until answered).
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/diffusions/:id/demandes-accord",
      response: R.DemandeAccordCreee,
      summary: "Demander au fournisseur l'accord de diffusion externe d'une diffusion (portée, destinataire)",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      body: z.object({
        portee: z.string().trim().min(1, { message: "Portée de la diffusion externe requise." }).max(2000),
        destinataire: z.string().trim().min(1, { message: "Destinataire de la diffusion requis." }).max(500),
      }),
      action: "exporter",
      conventionOf: byRelease,
    },
    async ({ params, body, acces, principal }) => {
      const c = acces.enVigueur;
      const jeu = await getJeu(db, (await getFrozenRelease(db, params.id)).jeuId);
      const fournisseur = c.jeux.find((j) => j.id === jeu.annexe)?.fournisseur;
      if (!fournisseur || acces.parties.includes(fournisseur))
        throw interdit(
          "demande_accord_fournisseur",
          "Le fournisseur diffuse ses propres données : il n'a pas d'accord à se demander.",
        );
      const id = await askApproval(db, {
        diffusionId: params.id,
        conventionId: c.id,
        demandeur: acces.parties[0]!,
        fournisseur,
        portee: body.portee,
        destinataire: body.destinataire,
        demandeLe: acces.on,
        demandePar: principal.userId,
      });
      return { id, statut: "en_attente", fournisseur };
    },
  );
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/diffusions/:id/demandes-accord",
      response: R.DemandesAccord,
      summary: "Demandes d'accord de diffusion externe d'une diffusion et leurs réponses",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      action: "voir_sorties_protegees",
      conventionOf: byRelease,
    },
    async ({ params }) => approvalRequestsOfRelease(db, params.id),
  );
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/diffusions/:id/demandes-accord/:demande/refus",
      response: R.DemandeAccord,
      summary: "Refuser une demande d'accord de diffusion externe, motif à l'appui",
      tag: "Diffusions",
      params: z.object({ id: Uuid, demande: Uuid }),
      body: z.object({
        motif: z.string().trim().min(1, { message: "Un refus doit être motivé : motif requis." }).max(2000),
      }),
      action: "accorder_diffusion",
      conventionOf: byRelease,
    },
    async ({ params, body, acces, principal }) => {
      const asked = (await approvalRequestsOfRelease(db, params.id)).find((r) => r.id === params.demande);
      if (asked && !acces.parties.includes(asked.fournisseur))
        throw interdit("demande_accord_autre", "Seul le fournisseur sollicité répond à cette demande.");
      return refuseApproval(db, params.id, params.demande, body.motif, acces.on, principal.userId);
    },
  );
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/diffusions/:id/accords",
      response: R.Accords,
      summary: "Accords de diffusion externe donnés pour une diffusion",
      tag: "Diffusions",
      params: z.object({ id: Uuid }),
      action: "voir_sorties_protegees",
      conventionOf: byRelease,
    },
    async ({ params }) => releaseApprovals(db, params.id),
  );
}
