/**
 * Conventions: registration, reading as of a date, history, notices, avenants,
 * publication and the provider's approval of external diffusion.
 * Every route on a convention's data goes through conventionRoute: the user's
 * rights come from its organisation's parts in that convention, on the date.
 */

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Principal } from "../../core/account/model.js";
import { type IsoDate, isoDateInParis } from "../../core/convention/dates.js";
import {
  alerts,
  endAfterNotice,
  lastNoticeDay,
  naturalEnd,
  nextRenewal,
  STATUS_FR,
  statusOn,
} from "../../core/convention/lifecycle.js";
import { PART_FR, pendingAcceptances, processingParty, versionOn } from "../../core/convention/model.js";
import { seanceAlerts } from "../../core/convention/restitution.js";
import { ACTIONS, type Action, decide } from "../../core/convention/rights.js";
import { AvenantChangesSchema, ConventionSchema, ReferentSchema } from "../../core/convention/schema.js";
import { interdit, invalide } from "../../core/errors.js";
import { type ConventionFacts, conventionFacts } from "../../store/convention-facts.js";
import {
  conventionHistory,
  createConvention,
  openAnnexDatasets,
  recordAcceptance,
  recordAvenant,
  recordNotice,
  recordPublication,
  recordReferents,
  type StoredConvention,
} from "../../store/conventions.js";
import type { Queryable } from "../../store/db.js";
import { partiesOf } from "../access.js";
import { conventionRoute, route } from "../api.js";
import { readThrough } from "../read-cache.js";
import * as R from "../responses.js";
import {
  byConvention,
  type ConventionDeps,
  ConvId,
  conventionsOfUser,
  DateIso,
  orgNames,
} from "./convention-context.js";
import { Uuid } from "./params.js";

/** What a convention looks like to one user on one date: status, dates, alerts, its rights. */
async function present(
  q: Queryable,
  stored: StoredConvention,
  principal: Principal,
  on: IsoDate,
  orgNames: Map<string, string>,
  /** Prefetched for a list (one query for all the conventions). */
  prefetched?: ConventionFacts,
) {
  const c = stored.convention;
  const mine = partiesOf(principal, stored);
  const status = statusOn(c, on);
  const { alertes: facts, derniereSeance } = prefetched ?? (await conventionFacts(q, [c.id])).get(c.id)!;
  const permis = Object.fromEntries(
    ACTIONS.map((a: Action) => [
      a,
      decide(c, a, {
        parties: mine.parties,
        on,
        ...(mine.role ? { role: mine.role } : {}),
        ...(mine.service ? { service: mine.service } : {}),
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
    alertes: [...alerts(c, on, 90, facts), ...seanceAlerts(c, on, 90, derniereSeance)].sort((a, b) =>
      a.date.localeCompare(b.date),
    ),
    mesParties: mine.parties,
    mesRoles: [
      ...new Set(
        c.parties.filter((p) => mine.parties.includes(p.id)).flatMap((p) => p.parts.map((x) => PART_FR[x])),
      ),
    ],
    permis,
    parties: c.parties.map((p) => {
      const acceptation = c.acceptations?.find((a) => a.partie === p.id);
      return {
        id: p.id,
        nom: p.nom,
        roles: p.parts.map((x) => PART_FR[x]),
        organisation: orgNames.get(stored.organisations[p.id] ?? "") ?? null,
        // Signatures: null when the party had nothing to accept (it registered the convention).
        acceptation: acceptation ? { accepteeLe: acceptation.accepteeLe ?? null } : null,
      };
    }),
    acceptationsAttendues: pendingAcceptances(c),
    traitement: processingParty(versionOn(c, on)) ?? null,
  };
}

export function conventionRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db } = deps;
  const today = () => isoDateInParis(deps.now());

  route(
    app,
    {
      method: "GET",
      url: "/api/conventions",
      response: R.Conventions,
      summary: "Conventions dont l'organisation de l'utilisateur est partie",
      tag: "Conventions",
    },
    async ({ principal, request }) => {
      const on = today();
      const names = await orgNames(request, db);
      const all = await conventionsOfUser(request, db, principal, principal.platformAdmin);
      const visible = all.filter(
        (s) => principal.platformAdmin || partiesOf(principal, s).parties.length > 0,
      );
      const ids = visible.map((s) => s.convention.id);
      const facts = await readThrough(request, `faits:${ids.join(",")}`, () => conventionFacts(db, ids));
      return Promise.all(
        visible.map((s) => present(db, s, principal, on, names, facts.get(s.convention.id))),
      );
    },
  );

  route(
    app,
    {
      method: "POST",
      url: "/api/conventions",
      response: R.ConventionCreee,
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
      // One organisation does not commit another: each party the registering user does not manage
      // (as administrator or référent) has to accept; until then the convention is a draft.
      const managed = new Set(
        principal.memberships
          .filter((m) => m.role === "admin" || m.role === "referent")
          .map((m) => m.organisationId),
      );
      const acceptations = body.convention.parties
        .filter((p) => !managed.has(body.organisations[p.id] ?? ""))
        .map((p) => ({ partie: p.id }));
      const c = { ...body.convention, ...(acceptations.length > 0 ? { acceptations } : {}) };
      await createConvention(db, c, body.organisations, principal.userId);
      const on = today();
      await openAnnexDatasets(db, c, on);
      return { id: c.id, statut: statusOn(c, on), acceptationsAttendues: acceptations.map((a) => a.partie) };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id",
      response: R.ConventionDetail,
      summary: "Une convention : parties, annexes, règles, dates, statut et alertes",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "voir_convention",
      conventionOf: byConvention,
    },
    async ({ acces, principal, request }) => ({
      ...(await present(db, acces.stored, principal, acces.on, await orgNames(request, db))),
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
      response: R.Historique,
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
      response: R.Preavis,
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
      response: R.AvenantEnregistre,
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
    async ({ params, body, principal, acces }) => {
      if (body.effetLe < body.signeLe)
        throw invalide("avenant_dates", "La date d'effet de l'avenant précède sa signature.");
      const c = await recordAvenant(db, params.id, body, principal.userId);
      // Annexes the avenant adds open their datasets from its effective date on.
      const opened = body.effetLe <= acces.on ? await openAnnexDatasets(db, c, acces.on) : [];
      return { numero: c.avenants.length, jeuxOuverts: opened };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/publication",
      response: R.Ok,
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
      url: "/api/conventions/:id/acceptation",
      response: R.Acceptation,
      summary: "Accepter la convention au nom de sa partie (signature du référent)",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      action: "accepter_convention",
      conventionOf: byConvention,
    },
    async ({ params, acces, principal }) => {
      const pending = pendingAcceptances(acces.stored.convention);
      const partie = acces.parties.find((p) => pending.includes(p))!;
      const c = await recordAcceptance(db, params.id, partie, acces.on, principal.userId);
      const jeux = await openAnnexDatasets(db, c, acces.on);
      return {
        partie,
        accepteeLe: acces.on,
        statut: statusOn(c, acces.on),
        acceptationsAttendues: pendingAcceptances(c),
        jeuxOuverts: jeux,
      };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "PUT",
      url: "/api/conventions/:id/referents",
      response: R.Referents,
      summary: "Mettre à jour les référents de sa partie (annexe 2), l'historique gardant les précédents",
      tag: "Conventions",
      params: z.object({ id: ConvId }),
      body: z.object({
        partie: z.string().max(100),
        referents: z.array(ReferentSchema).max(10),
      }),
      action: "gerer_convention",
      conventionOf: byConvention,
    },
    async ({ params, body, acces, principal }) => {
      if (!acces.parties.includes(body.partie))
        throw interdit("autre_partie", "Chaque partie met à jour ses propres référents.");
      const c = await recordReferents(db, params.id, body.partie, body.referents, principal.userId);
      return { referents: c.parties.find((p) => p.id === body.partie)?.referents ?? [] };
    },
  );
}
