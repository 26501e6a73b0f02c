/**
 * Datasets and their deposits: listing, deposit (individual or aggregated),
 * preview, microdata summary, destruction with attestation.
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { attestationHtml, attestationLines, attestationText } from "../../core/convention/destruction.js";
import { destroyingParties } from "../../core/convention/model.js";
import { introuvable } from "../../core/errors.js";
import { depositAggregatedFile } from "../../ingest/aggregated-deposit.js";
import {
  depositIndividualFile,
  previewDeposit,
  referenceInThread,
  referenceLoader,
} from "../../ingest/deposit.js";
import { textPdf } from "../../release/pdf.js";
import {
  destroyJeu,
  getJeu,
  JEU_STATUS_FR,
  listJeux,
  microdataSummary,
  storeDeposit,
  verifyDestruction,
} from "../../store/datasets.js";
import { conventionSecret } from "../../store/secrets.js";
import { conventionRoute } from "../api.js";
import * as R from "../responses.js";
import { receiveUpload } from "../uploads.js";
import { byConvention, byJeu, type ConventionDeps, ConvId } from "./convention-context.js";
import { Absents, Correspondance, DateDeclaree, FileName, Uuid } from "./params.js";

export function jeuRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db, files } = deps;

  // Datasets.
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id/jeux",
      response: R.Jeux,
      summary: "Jeux de données de la convention (à collecter, collectés, détruits)",
      tag: "Jeux de données",
      params: z.object({ id: ConvId }),
      action: "voir_convention",
      conventionOf: byConvention,
    },
    async ({ params }) =>
      (await listJeux(db, params.id)).map((j) => ({ ...j, statutLibelle: JEU_STATUS_FR[j.statut] })),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/jeux/:id/depots",
      response: R.Depot,
      summary: "Déposer un fichier pour un jeu de données (corps : le fichier)",
      tag: "Jeux de données",
      params: z.object({ id: Uuid }),
      query: z.object({
        nomFichier: FileName,
        annee: z.coerce.number().int().min(1990).max(2100).optional(),
        correspondance: Correspondance,
        absents: Absents,
        /** A later deposit of the same vintage: « correction » (replaces) or « complement » (adds). */
        mode: z.enum(["correction", "complement"]).optional(),
        /** The actual date of the data when it is not the convention's default (31/12 of the vintage). */
        dateObservation: DateDeclaree("Date d'observation"),
        /** The date of the data's last update, when the provider gives one (else the deposit's date). */
        dateMiseAJour: DateDeclaree("Date de mise à jour"),
      }),
      upload: true,
      action: "deposer",
      conventionOf: byJeu,
    },
    async ({ params, query, request, principal, acces }) => {
      const jeu = await getJeu(db, params.id);
      const dataset = acces.enVigueur.jeux.find((d) => d.id === jeu.annexe);
      const upload = await receiveUpload(request, deps.uploads, deps.uploadLimits.depot, query.nomFichier);
      const file = upload.file;
      try {
        // Aggregated tables are kept as deposited; individual files are processed at once
        // (pseudonymised, geocoded, the address dropped) and never kept.
        const processable =
          dataset?.kind === "individuel" ||
          dataset?.champs.some(
            (f) => f.type === "code_commune" || f.type === "code_iris" || f.nom === "territoire",
          );
        if (!processable)
          return await storeDeposit(
            db,
            files,
            params.id,
            query.nomFichier,
            await readFile(file),
            principal.userId,
            deps.now(),
          );
        const annee = query.annee ?? Number(acces.on.slice(0, 4)) - 1;
        const dates = {
          ...(query.dateObservation ? { dateObservation: query.dateObservation } : {}),
          ...(query.dateMiseAJour ? { miseAJour: query.dateMiseAJour } : {}),
        };
        if (dataset?.kind === "agrege") {
          const r = await depositAggregatedFile({
            db,
            convention: acces.enVigueur,
            jeuId: params.id,
            file,
            annee,
            ...(query.correspondance ? { mappingByName: query.correspondance } : {}),
            ...(query.absents ? { absents: query.absents } : {}),
            ...dates,
            actorId: principal.userId,
            now: deps.now(),
          });
          // The deposit's id, as the anomaly reports and the deposit's page name it.
          return { id: r.depotId, ...r };
        }
        // Geocoding on the other core (a worker thread), over the départements the file needs.
        const r = await depositIndividualFile({
          db,
          convention: acces.enVigueur,
          jeuId: params.id,
          file,
          annee,
          ...(query.correspondance ? { mappingByName: query.correspondance } : {}),
          ...(query.absents ? { absents: query.absents } : {}),
          ...(query.mode ? { mode: query.mode } : {}),
          ...dates,
          secret: await conventionSecret(deps.secrets, acces.stored.convention.id),
          geocoder: referenceLoader(db),
          actorId: principal.userId,
          now: deps.now(),
        });
        return { id: r.depotId, ...r };
      } finally {
        await upload.discard();
      }
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/microdonnees",
      response: R.Microdonnees,
      summary: "Résumé des microdonnées pseudonymisées (prestataire seulement)",
      tag: "Jeux de données",
      params: z.object({ id: Uuid }),
      action: "voir_microdonnees",
      conventionOf: byJeu,
    },
    async ({ params }) => microdataSummary(db, params.id),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/jeux/:id/destruction",
      response: R.Destruction,
      summary: "Détruire un jeu de données (microdonnées, tableaux dérivés, fichiers) et attester",
      tag: "Jeux de données",
      params: z.object({ id: Uuid }),
      body: z.object({
        confirmation: z.literal("DÉTRUIRE", { message: "Confirmation attendue : DÉTRUIRE." }),
      }),
      action: "detruire",
      conventionOf: byJeu,
    },
    async ({ params, principal, acces }) => {
      const bound = destroyingParties(acces.enVigueur);
      const orgId =
        acces.stored.organisations[acces.parties.find((p) => bound.includes(p)) ?? acces.parties[0]!];
      const organisation =
        principal.memberships.find((m) => m.organisationId === orgId)?.organisationNom ?? "";
      const r = await destroyJeu(
        db,
        files,
        params.id,
        { id: principal.userId, nom: principal.nom, organisation },
        deps.now(),
        { diffusionsConservees: acces.enVigueur.obligations.diffusionsConservees ?? true },
      );
      return {
        attestation: r.attestation,
        empreinte: r.empreinte,
        texte: attestationText(r.attestation),
        manifeste: r.manifeste,
      };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/attestation",
      response: R.AttestationVerifiee,
      summary: "Attestation de destruction et sa vérification",
      tag: "Jeux de données",
      params: z.object({ id: Uuid }),
      action: "voir_convention",
      conventionOf: byJeu,
    },
    async ({ params }) => {
      const check = await verifyDestruction(db, files, params.id);
      if (!check.attestation)
        throw introuvable("attestation_introuvable", "Ce jeu de données n'a pas été détruit.");
      return { ...check, texte: attestationText(check.attestation) };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/jeux/:id/depots/apercu",
      response: R.Apercu,
      summary: "Aperçu d'un dépôt : colonnes, correspondance proposée, lisibilité (aucune valeur renvoyée)",
      tag: "Jeux de données",
      params: z.object({ id: Uuid }),
      query: z.object({ nomFichier: FileName, correspondance: Correspondance, absents: Absents }),
      upload: true,
      action: "deposer",
      conventionOf: byJeu,
    },
    async ({ params, query, request, acces }) => {
      const jeu = await getJeu(db, params.id);
      const dataset = acces.enVigueur.jeux.find((d) => d.id === jeu.annexe);
      if (!dataset) throw introuvable("annexe_inconnue", "Annexe introuvable dans la convention.");
      const upload = await receiveUpload(request, deps.uploads, deps.uploadLimits.depot, query.nomFichier);
      try {
        // The départements of the reference the first rows need, to count how many it finds.
        return await previewDeposit(db, acces.enVigueur, dataset, upload.file, {
          ...(query.correspondance ? { mappingByName: query.correspondance } : {}),
          ...(query.absents ? { absents: query.absents } : {}),
          geocoder: dataset.kind === "individuel" ? referenceInThread(db) : null,
        });
      } finally {
        await upload.discard();
      }
    },
  );

  const destroyed = async (jeuId: string) => {
    const check = await verifyDestruction(db, files, jeuId);
    if (!check.attestation)
      throw introuvable("attestation_introuvable", "Ce jeu de données n'a pas été détruit.");
    return check.attestation;
  };

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/attestation/page",
      summary: "Attestation de destruction imprimable (dates en français, blocs de signature)",
      tag: "Jeux de données",
      produces: "text/html",
      params: z.object({ id: Uuid }),
      action: "voir_convention",
      conventionOf: byJeu,
    },
    async ({ params, acces, reply }) =>
      reply.type("text/html; charset=utf-8").send(
        attestationHtml(
          await destroyed(params.id),
          acces.stored.convention.parties.map((p) => p.nom),
        ),
      ),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/jeux/:id/attestation/pdf",
      summary: "Attestation de destruction en PDF",
      tag: "Jeux de données",
      produces: "application/pdf",
      params: z.object({ id: Uuid }),
      action: "voir_convention",
      conventionOf: byJeu,
    },
    async ({ params, acces, reply }) => {
      const a = await destroyed(params.id);
      return reply
        .type("application/pdf")
        .header("content-disposition", `attachment; filename="attestation-destruction-${a.jeu.annexe}.pdf"`)
        .send(
          Buffer.from(
            textPdf({
              title: "Attestation de destruction de données",
              lines: attestationLines(a),
              signatures: acces.stored.convention.parties.map((p) => p.nom),
            }),
          ),
        );
    },
  );
}
