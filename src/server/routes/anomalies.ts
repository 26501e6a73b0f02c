/**
 * Anomalies reported on a deposit or a release to the data's provider, and
 * their thread (both sides see it). Who writes and which status follows are
 * decided in core/convention/anomalies; every route goes through
 * conventionRoute first (parties only: the platform administrator sees no
 * convention data).
 */

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  ANOMALIE_STATUT_FR,
  afterMessage,
  checkLines,
  close,
  MAX_LIGNES,
  providerOf,
  reporter,
  sideOf,
} from "../../core/convention/anomalies.js";
import { formatDateFr } from "../../core/convention/dates.js";
import type { Convention } from "../../core/convention/model.js";
import { interdit } from "../../core/errors.js";
import {
  type Anomalie,
  addMessage,
  createAnomaly,
  getAnomaly,
  listAnomalies,
  listTargets,
  resolveTarget,
  setAnomalyStatus,
} from "../../store/anomalies.js";
import type { Queryable } from "../../store/db.js";
import { type ConventionAccess, orHidden } from "../access.js";
import { conventionRoute } from "../api.js";
import * as R from "../responses.js";
import { byConvention, type ConventionDeps, ConvId } from "./convention-context.js";
import { Uuid } from "./params.js";

const byAnomaly = async (p: { id: string }, q: Queryable) => (await getAnomaly(q, p.id)).conventionId;

const Texte = z
  .string()
  .trim()
  .min(1, { message: "Décrivez l'anomalie ou la réponse." })
  .max(8000, { message: "Message trop long (8 000 caractères au plus)." });
const Lignes = z
  .array(z.number().int({ message: "Numéro de ligne entier attendu." }))
  .max(MAX_LIGNES, { message: `Au plus ${MAX_LIGNES} numéros de ligne.` })
  .optional();

const noReader = (acces: ConventionAccess) => {
  if (acces.role === "lecteur") throw interdit("role_insuffisant", "Un compte lecteur consulte seulement.");
};

const view = (c: Convention, a: Anomalie, mine: readonly string[]) => {
  const nom = (id: string) => c.parties.find((p) => p.id === id)?.nom ?? id;
  return {
    ...a,
    statutLibelle: ANOMALIE_STATUT_FR[a.statut],
    signaleParNom: nom(a.signalePar),
    fournisseurNom: nom(a.fournisseur),
    monCote: sideOf(a, mine),
    messages: a.messages.map((m) => ({ ...m, partieNom: nom(m.partie) })),
  };
};

export function anomalyRoutes(app: FastifyInstance, deps: ConventionDeps): void {
  const { db } = deps;

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/conventions/:id/anomalies",
      response: R.AnomalieCreee,
      summary: "Signaler une anomalie sur un dépôt ou une diffusion à son fournisseur",
      tag: "Anomalies",
      params: z.object({ id: ConvId }),
      body: z.object({
        cible: z.object({
          type: z.enum(["depot", "diffusion"], { message: "Cible attendue : depot ou diffusion." }),
          id: Uuid,
        }),
        texte: Texte,
        lignes: Lignes,
      }),
      action: "voir_sorties_protegees",
      conventionOf: byConvention,
    },
    async ({ body, acces, principal }) => {
      noReader(acces);
      const c = acces.stored.convention;
      const target = await orHidden(resolveTarget(db, c.id, body.cible));
      const fournisseur = providerOf(c, target.annexe);
      const signalePar = reporter(c, acces.parties, fournisseur);
      const lignes = checkLines(body.lignes, target.depotLignes);
      const id = await createAnomaly(db, {
        conventionId: c.id,
        jeuId: target.jeuId,
        cible: body.cible,
        signalePar,
        fournisseur,
        texte: body.texte,
        lignes,
        auteurId: principal.userId,
        at: deps.now(),
      });
      return { id, statut: "ouverte" };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id/anomalies",
      response: R.Anomalies,
      summary: "Anomalies signalées sous la convention et leurs échanges",
      tag: "Anomalies",
      params: z.object({ id: ConvId }),
      action: "voir_sorties_protegees",
      conventionOf: byConvention,
    },
    async ({ params, acces }) =>
      (await listAnomalies(db, params.id)).map((a) => view(acces.stored.convention, a, acces.parties)),
  );

  conventionRoute(
    app,
    deps,
    {
      method: "GET",
      url: "/api/conventions/:id/anomalies/cibles",
      response: R.CiblesAnomalie,
      summary: "Dépôts et diffusions sur lesquels l'utilisateur peut signaler une anomalie",
      tag: "Anomalies",
      params: z.object({ id: ConvId }),
      action: "voir_sorties_protegees",
      conventionOf: byConvention,
    },
    async ({ params, acces }) => {
      const c = acces.stored.convention;
      // Only data another party provides: a provider corrects its own data by a new deposit.
      return (await listTargets(db, params.id))
        .filter((t) => !acces.parties.includes(providerOf(c, t.annexe)))
        .map((t) => ({
          type: t.type,
          id: t.id,
          lignes: t.lignes,
          libelle:
            t.type === "depot"
              ? `Dépôt du ${formatDateFr(t.le.slice(0, 10))} — ${t.jeu}${t.annee ? ` (${t.annee})` : ""}${t.lignes ? `, ${t.lignes} lignes` : ""}`
              : `Diffusion du ${formatDateFr(t.le.slice(0, 10))} — ${t.jeu} (${t.annee})`,
        }));
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/anomalies/:id/messages",
      response: R.StatutAnomalie,
      summary: "Répondre à une anomalie (fournisseur) ou la relancer (partie qui l'a signalée)",
      tag: "Anomalies",
      params: z.object({ id: Uuid }),
      body: z.object({ texte: Texte, lignes: Lignes }),
      action: "voir_sorties_protegees",
      conventionOf: byAnomaly,
    },
    async ({ params, body, acces, principal }) => {
      noReader(acces);
      const a = await getAnomaly(db, params.id);
      const statut = afterMessage(a, acces.parties);
      const side = sideOf(a, acces.parties)!;
      const target = await resolveTarget(db, a.conventionId, a.cible).catch(() => null);
      const lignes = checkLines(body.lignes, target?.depotLignes ?? null);
      await addMessage(
        db,
        a.id,
        {
          partie: side === "fournisseur" ? a.fournisseur : a.signalePar,
          auteurId: principal.userId,
          texte: body.texte,
          lignes,
          at: deps.now(),
        },
        statut,
      );
      return { statut, statutLibelle: ANOMALIE_STATUT_FR[statut] };
    },
  );

  conventionRoute(
    app,
    deps,
    {
      method: "POST",
      url: "/api/anomalies/:id/cloture",
      response: R.StatutAnomalie,
      summary: "Clore une anomalie (l'une ou l'autre partie de l'échange)",
      tag: "Anomalies",
      params: z.object({ id: Uuid }),
      action: "voir_sorties_protegees",
      conventionOf: byAnomaly,
    },
    async ({ params, acces }) => {
      noReader(acces);
      const a = await getAnomaly(db, params.id);
      const statut = close(a, acces.parties);
      await setAnomalyStatus(db, a.id, statut, deps.now());
      return { statut, statutLibelle: ANOMALIE_STATUT_FR[statut] };
    },
  );
}
