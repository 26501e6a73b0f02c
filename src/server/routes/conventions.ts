/**
 * Conventions, FED data requests, datasets (deposit, microdata summary,
 * destruction with attestation) and restitution of the study. Every route on
 * a convention's data goes through conventionRoute: the user's rights come
 * from its organisation's parts in that convention, on today's date.
 */

import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Principal } from "../../core/account/model.js";
import { type IsoDate, isIsoDate, isoDateInParis } from "../../core/convention/dates.js";
import { attestationText } from "../../core/convention/destruction.js";
import { FED_STATUS_FR, type FedRequest, renderFedForm } from "../../core/convention/fed.js";
import {
  alerts,
  endAfterNotice,
  lastNoticeDay,
  naturalEnd,
  nextRenewal,
  STATUS_FR,
  statusOn,
} from "../../core/convention/lifecycle.js";
import { type Convention, PART_FR, versionOn } from "../../core/convention/model.js";
import { ACTIONS, type Action, decide } from "../../core/convention/rights.js";
import { AvenantChangesSchema, ConventionSchema } from "../../core/convention/schema.js";
import { interdit, introuvable, invalide } from "../../core/errors.js";
import { readerView } from "../../core/release/release.js";
import { loadSolver } from "../../core/secrecy/solver.js";
import {
  depositAggregatedFile,
  depositIndividualFile,
  previewDeposit,
  referenceInThread,
  referenceLoader,
} from "../../ingest/deposit.js";
import { releaseCsv, releaseGeoJson, releaseGeoPackage, releaseXlsx } from "../../release/exports.js";
import { getRelease, listReleases, publishRelease } from "../../release/publish.js";
import {
  conventionHistory,
  createConvention,
  hasDiffusionApproval,
  listConventions,
  recordAvenant,
  recordDiffusionApproval,
  recordNotice,
  recordPublication,
  type StoredConvention,
} from "../../store/conventions.js";
import {
  alertFacts,
  destroyJeu,
  getJeu,
  JEU_STATUS_FR,
  listJeux,
  microdataSummary,
  storeDeposit,
  verifyDestruction,
} from "../../store/datasets.js";
import type { Db, Queryable } from "../../store/db.js";
import { answerFedRequest, fedRequestsOf, fileFedRequest, getFedRequest } from "../../store/fed.js";
import type { FileArea } from "../../store/files.js";
import { listRestitutions, recordRestitution } from "../../store/restitutions.js";
import { conventionSecret, type SecretStore } from "../../store/secrets.js";
import { partiesOf } from "../access.js";
import { conventionRoute, route } from "../api.js";
import { frozen } from "../caching.js";
import { receiveUpload, type UploadLimits } from "../uploads.js";
import { Absents, Correspondance, Uuid } from "./params.js";

export interface ConventionDeps {
  db: Db;
  files: FileArea;
  secrets: SecretStore;
  /** Private folder of uploads in transit (server/uploads.ts). */
  uploads: string;
  uploadLimits: UploadLimits;
  now: () => Date;
}

const ConvId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: "Identifiant de convention invalide." });
const DateIso = z.string().refine(isIsoDate, { message: "Date attendue (AAAA-MM-JJ)." });

const byConvention = async (p: { id: string }) => p.id;
const byFed = async (p: { id: string }, q: Queryable) => (await getFedRequest(q, p.id)).conventionId;
const byJeu = async (p: { id: string }, q: Queryable) => (await getJeu(q, p.id)).conventionId;

/** What a convention looks like to one user on one date: status, dates, alerts, its rights. */
async function present(
  q: Queryable,
  stored: StoredConvention,
  principal: Principal,
  on: IsoDate,
  orgNames: Map<string, string>,
) {
  const c = stored.convention;
  const mine = partiesOf(principal, stored);
  const status = statusOn(c, on);
  const facts = await alertFacts(q, c.id);
  const accordDiffusion = await hasDiffusionApproval(q, c.id);
  const permis = Object.fromEntries(
    ACTIONS.map((a: Action) => [
      a,
      decide(c, a, {
        parties: mine.parties,
        on,
        ...(mine.role ? { role: mine.role } : {}),
        ...(mine.service ? { service: mine.service } : {}),
        ...(accordDiffusion ? { accordDiffusion } : {}),
      }).ok,
    ]),
  );
  return {
    id: c.id,
    titre: c.titre,
    statut: status,
    statutLibelle: STATUS_FR[status],
    prochaineReconduction: nextRenewal(c, on),
    dernierJourPreavis: lastNoticeDay(c, on),
    finPrevue: c.preavis
      ? endAfterNotice(c, c.preavis.donneLe, c.preavis.motif)
      : naturalEnd(versionOn(c, on)),
    alertes: alerts(c, on, 90, facts),
    mesParties: mine.parties,
    mesRoles: [
      ...new Set(
        c.parties.filter((p) => mine.parties.includes(p.id)).flatMap((p) => p.parts.map((x) => PART_FR[x])),
      ),
    ],
    permis,
    parties: c.parties.map((p) => ({
      id: p.id,
      nom: p.nom,
      roles: p.parts.map((x) => PART_FR[x]),
      organisation: orgNames.get(stored.organisations[p.id] ?? "") ?? null,
    })),
  };
}

async function orgNameMap(q: Queryable): Promise<Map<string, string>> {
  const rows = await q.query<{ id: string; nom: string }>("SELECT id, nom FROM organisation");
  return new Map(rows.map((r) => [r.id, r.nom]));
}

function userParty(
  acces: { parties: string[]; stored: StoredConvention },
  wanted: readonly string[],
): string {
  const c = acces.stored.convention;
  const p = acces.parties.find((id) =>
    c.parties.find((x) => x.id === id)?.parts.some((r) => wanted.includes(r)),
  );
  return p ?? acces.parties[0]!;
}

const fedView = (c: Convention, r: FedRequest, mine: readonly string[]) => ({
  ...r,
  statutLibelle: FED_STATUS_FR[r.statut],
  convention: { id: c.id, titre: c.titre },
  demandeurNom: c.parties.find((p) => p.id === r.feuille1.demandeur)?.nom ?? r.feuille1.demandeur,
  fournisseurNom: c.parties.find((p) => p.id === r.feuille1.fournisseur)?.nom ?? r.feuille1.fournisseur,
  sens: mine.includes(r.feuille1.fournisseur)
    ? "recue"
    : mine.includes(r.feuille1.demandeur)
      ? "envoyee"
      : "autre",
  annexesDuFournisseur: c.jeux
    .filter((j) => j.fournisseur === r.feuille1.fournisseur)
    .map((j) => ({ id: j.id, titre: j.titre })),
});

const FileName = z.string().trim().min(1, { message: "Nom du fichier requis." }).max(255);

export function conventionRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db, files } = deps;
  const today = () => isoDateInParis(deps.now());

  route(
    app,
    {
      method: "GET",
      url: "/api/conventions",
      summary: "Conventions dont l'organisation de l'utilisateur est partie",
      tag: "Conventions",
    },
    async ({ principal }) => {
      const on = today();
      const names = await orgNameMap(db);
      const all = await listConventions(db);
      const visible = all.filter(
        (s) => principal.platformAdmin || partiesOf(principal, s).parties.length > 0,
      );
      return Promise.all(visible.map((s) => present(db, s, principal, on, names)));
    },
  );

  route(
    app,
    {
      method: "POST",
      url: "/api/conventions",
      summary: "Enregistrer une convention signée (ou en projet) et ses annexes",
      tag: "Conventions",
      body: z.object({
        convention: ConventionSchema,
        organisations: z.record(z.string(), Uuid),
      }),
    },
    async ({ body, principal }) => {
      const orgs = Object.values(body.organisations);
      const manages = principal.memberships.some(
        (m) => orgs.includes(m.organisationId) && (m.role === "admin" || m.role === "referent"),
      );
      if (!principal.platformAdmin && !manages)
        throw interdit(
          "role_insuffisant",
          "Seuls un administrateur ou un référent d'une organisation partie enregistrent la convention.",
        );
      await createConvention(db, body.convention, body.organisations, principal.userId);
      return { id: body.convention.id };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id",
      summary: "Une convention : parties, annexes, règles, dates, statut et alertes",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "voir_convention",
      conventionOf: byConvention,
    },
    async ({ acces, principal }) => ({
      ...(await present(db, acces.stored, principal, acces.on, await orgNameMap(db))),
      document: acces.stored.convention,
      versionEnVigueur: versionOn(acces.stored.convention, acces.on),
    }),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id/historique",
      summary: "Historique de la convention (création, avenants, préavis, demandes, destructions)",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "voir_convention",
      conventionOf: byConvention,
    },
    async ({ params }) => conventionHistory(db, params.id),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/preavis",
      summary: "Dénoncer la convention (préavis ordinaire ou pour manquement)",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      body: z.object({
        motif: z.enum(["ordinaire", "faute"], { message: "Motif attendu : ordinaire ou faute." }),
        donneLe: DateIso.optional(),
      }),
      action: "gerer_convention",
      conventionOf: byConvention,
    },
    async ({ params, body, acces, principal }) => {
      const donneLe = body.donneLe ?? acces.on;
      if (donneLe > acces.on)
        throw invalide("date_future", "Un préavis ne peut pas être daté dans le futur.");
      if (statusOn(acces.stored.convention, donneLe) === "brouillon")
        throw invalide("preavis_brouillon", "Une convention non signée ne se dénonce pas.");
      const c = await recordNotice(
        db,
        params.id,
        { donneLe, par: acces.parties[0]!, motif: body.motif },
        principal.userId,
      );
      return { fin: endAfterNotice(c, donneLe, body.motif) };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/avenants",
      summary: "Enregistrer un avenant",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      body: z.object({
        objet: z.string().trim().min(1, { message: "Objet de l'avenant requis." }).max(2000),
        signeLe: DateIso,
        effetLe: DateIso,
        modifications: AvenantChangesSchema.optional(),
      }),
      action: "gerer_convention",
      conventionOf: byConvention,
    },
    async ({ params, body, principal }) => {
      if (body.effetLe < body.signeLe)
        throw invalide("avenant_dates", "La date d'effet de l'avenant précède sa signature.");
      const c = await recordAvenant(db, params.id, body, principal.userId);
      return { numero: c.avenants.length };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/publication",
      summary: "Enregistrer la publication de l'étude",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      body: z.object({ publieeLe: DateIso }),
      action: "gerer_convention",
      conventionOf: byConvention,
    },
    async ({ params, body, acces, principal }) => {
      if (body.publieeLe > acces.on)
        throw invalide("date_future", "La date de publication ne peut pas être dans le futur.");
      await recordPublication(db, params.id, body.publieeLe, principal.userId);
      return { ok: true };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/accord-diffusion",
      summary: "Accord préalable du fournisseur à une diffusion externe",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      body: z.object({
        portee: z.string().trim().min(1, { message: "Portée de l'accord requise." }).max(2000),
      }),
      action: "accorder_diffusion",
      conventionOf: byConvention,
    },
    async ({ params, body, acces, principal }) => {
      await recordDiffusionApproval(
        db,
        params.id,
        { par: userParty(acces, ["fournisseur"]), portee: body.portee },
        principal.userId,
      );
      return { ok: true };
    },
  );

  // FED: data requests.
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/fed",
      summary: "Déposer une fiche d'expression des besoins (feuille 1)",
      tag: "FED",
      params: z.object({ id: ConvId }),
      body: z.object({
        fournisseur: z.string().min(1, { message: "Fournisseur sollicité requis." }),
        referent: z.object({
          nom: z.string().trim().max(200),
          fonction: z.string().trim().max(200).optional(),
          email: z.string().trim().max(200).optional(),
          telephone: z.string().trim().max(40).optional(),
        }),
        service: z.string().trim().max(200),
        chefService: z.string().trim().max(200),
        etude: z.string().trim().max(4000),
        indicateurs: z.array(z.string().trim().max(500)).max(200),
        delaiSouhaite: z.string(),
      }),
      action: "demander_donnees",
      conventionOf: byConvention,
    },
    async ({ body, acces, principal }) => {
      const demandeur = userParty(acces, ["destinataire", "prestataire"]);
      const id = await fileFedRequest(db, acces.stored.convention, { ...body, demandeur }, principal.userId);
      return { id };
    },
  );

  route(
    app,
    {
      method: "GET",
      url: "/api/fed",
      summary: "Demandes FED reçues et envoyées par l'organisation",
      tag: "FED",
    },
    async ({ principal }) => {
      const all = await listConventions(db);
      const mine = all
        .map((s) => ({ s, parties: partiesOf(principal, s).parties }))
        .filter((x) => x.parties.length > 0);
      const requests = await fedRequestsOf(
        db,
        mine.map((x) => x.s.convention.id),
      );
      return requests.map((r) => {
        const x = mine.find((m) => m.s.convention.id === r.conventionId)!;
        return fedView(x.s.convention, r, x.parties);
      });
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/fed/:id",
      summary: "Une demande FED et sa réponse",
      tag: "FED",
      params: z.object({ id: Uuid }),
      action: "voir_convention",
      conventionOf: byFed,
    },
    async ({ params, acces }) =>
      fedView(acces.stored.convention, await getFedRequest(db, params.id), acces.parties),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/fed/:id/formulaire",
      summary: "Les deux feuilles de la FED, en formulaire imprimable (HTML)",
      tag: "FED",
      produces: "text/html",
      params: z.object({ id: Uuid }),
      action: "voir_convention",
      conventionOf: byFed,
    },
    async ({ params, acces, reply }) =>
      reply
        .type("text/html; charset=utf-8")
        .send(renderFedForm(acces.stored.convention, await getFedRequest(db, params.id))),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/fed/:id/reponse",
      summary: "Répondre à une demande FED (feuille 2) : avis favorable ou défavorable motivé",
      tag: "FED",
      params: z.object({ id: Uuid }),
      body: z.object({
        avis: z.enum(["favorable", "defavorable"], { message: "Avis attendu : favorable ou defavorable." }),
        motif: z.string().trim().max(4000).optional(),
        indicateursDisponibles: z.array(z.string().trim().max(500)).max(200).default([]),
        delaiLivraison: z.string().optional(),
        annexes: z.array(z.string().max(100)).max(50).default([]),
      }),
      action: "repondre_fed",
      conventionOf: byFed,
    },
    async ({ params, body, acces, principal }) => {
      const request = await getFedRequest(db, params.id);
      if (!acces.parties.includes(request.feuille1.fournisseur))
        throw interdit("pas_le_fournisseur", "Seul le fournisseur sollicité répond à cette demande.");
      const { request: answered, jeux } = await answerFedRequest(
        db,
        acces.stored.convention,
        params.id,
        {
          avis: body.avis,
          ...(body.motif ? { motif: body.motif } : {}),
          indicateursDisponibles: body.indicateursDisponibles,
          ...(body.delaiLivraison ? { delaiLivraison: body.delaiLivraison } : {}),
          annexes: body.annexes,
        },
        principal.userId,
      );
      return { statut: answered.statut, jeux };
    },
  );

  // Datasets.
  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id/jeux",
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
      }),
      upload: true,
      action: "deposer",
      conventionOf: byJeu,
    },
    async ({ params, query, request, principal, acces }) => {
      const jeu = await getJeu(db, params.id);
      const dataset = acces.stored.convention.jeux.find((d) => d.id === jeu.annexe);
      const upload = await receiveUpload(request, deps.uploads, deps.uploadLimits.depot, query.nomFichier);
      const file = upload.file;
      try {
        // Aggregated tables are kept as deposited; individual files are processed at once
        // (pseudonymised, geocoded, the address dropped) and never kept.
        const processable =
          dataset?.kind === "individuel" ||
          dataset?.champs.some((f) => f.type === "code_commune" || f.nom === "territoire");
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
        if (dataset?.kind === "agrege")
          return await depositAggregatedFile({
            db,
            convention: acces.stored.convention,
            jeuId: params.id,
            file,
            annee,
            ...(query.correspondance ? { mappingByName: query.correspondance } : {}),
            ...(query.absents ? { absents: query.absents } : {}),
            actorId: principal.userId,
            now: deps.now(),
          });
        // Geocoding on the other core (a worker thread), over the départements the file needs.
        return await depositIndividualFile({
          db,
          convention: acces.stored.convention,
          jeuId: params.id,
          file,
          annee,
          ...(query.correspondance ? { mappingByName: query.correspondance } : {}),
          ...(query.absents ? { absents: query.absents } : {}),
          ...(query.mode ? { mode: query.mode } : {}),
          secret: await conventionSecret(deps.secrets, acces.stored.convention.id),
          geocoder: referenceLoader(db),
          actorId: principal.userId,
          now: deps.now(),
        });
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
      const orgId = acces.stored.organisations[userParty(acces, ["prestataire", "fournisseur"])];
      const organisation =
        principal.memberships.find((m) => m.organisationId === orgId)?.organisationNom ?? "";
      const r = await destroyJeu(
        db,
        files,
        params.id,
        { id: principal.userId, nom: principal.nom, organisation },
        deps.now(),
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
      const dataset = acces.stored.convention.jeux.find((d) => d.id === jeu.annexe);
      if (!dataset) throw introuvable("annexe_inconnue", "Annexe introuvable dans la convention.");
      const upload = await receiveUpload(request, deps.uploads, deps.uploadLimits.depot, query.nomFichier);
      try {
        // The départements of the reference the first rows need, to count how many it finds.
        return await previewDeposit(db, acces.stored.convention, dataset, upload.file, {
          ...(query.correspondance ? { mappingByName: query.correspondance } : {}),
          ...(query.absents ? { absents: query.absents } : {}),
          geocoder: dataset.kind === "individuel" ? referenceInThread(db) : null,
        });
      } finally {
        await upload.discard();
      }
    },
  );

  // Releases and their exports.
  const byRelease = async (p: { id: string }, q: Queryable) => (await getRelease(q, p.id)).conventionId;
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

  // Restitution of the study.
  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/restitutions",
      summary: "Restituer l'étude aux fournisseurs (corps : le document)",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      query: z.object({
        titre: z.string().trim().min(1, { message: "Titre de l'étude requis." }).max(300),
        nomFichier: FileName,
      }),
      upload: true,
      action: "restituer",
      conventionOf: byConvention,
    },
    async ({ query, request, acces, principal }) => {
      const upload = await receiveUpload(request, deps.uploads, deps.uploadLimits.document, query.nomFichier);
      try {
        const data = await readFile(upload.file);
        const doc = { titre: query.titre, nomFichier: query.nomFichier, data };
        return { id: await recordRestitution(db, files, acces.stored.convention, doc, principal.userId) };
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
      url: "/api/conventions/:id/restitutions",
      summary: "Études restituées et leurs envois aux fournisseurs",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "voir_convention",
      conventionOf: byConvention,
    },
    async ({ params }) => listRestitutions(db, params.id),
  );
}
