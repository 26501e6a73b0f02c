/**
 * « Mes tâches »: what the user's organisations have to do, across every
 * convention they are party to (core/convention/tasks), and the counter of
 * the menu.
 */
import type { FastifyInstance } from "fastify";
import { isoDateInParis } from "../../core/convention/dates.js";
import { alerts } from "../../core/convention/lifecycle.js";
import { seanceAlerts } from "../../core/convention/restitution.js";
import { conventionTasks, TASK_KIND_FR, type Task, type TaskKind } from "../../core/convention/tasks.js";
import { listAnomalies } from "../../store/anomalies.js";
import { pendingApprovalRequests } from "../../store/approval-requests.js";
import { conventionFacts } from "../../store/convention-facts.js";
import type { Db } from "../../store/db.js";
import { fedRequestsOf } from "../../store/fed.js";
import { partiesOf } from "../access.js";
import { route } from "../api.js";
import { readThrough } from "../read-cache.js";
import * as R from "../responses.js";
import { conventionsOfUser } from "./convention-context.js";

export function tacheRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): void {
  const { db } = deps;
  route(
    app,
    {
      method: "GET",
      url: "/api/taches",
      response: R.Taches,
      summary:
        "Mes tâches : FED à répondre, collectes attendues, préavis, anomalies ouvertes, accords demandés, restitutions",
      tag: "Tâches",
    },
    async ({ principal, request }) => {
      const on = isoDateInParis(deps.now());
      const mine = (await conventionsOfUser(request, db, principal))
        .map((s) => ({ s, parties: partiesOf(principal, s).parties }))
        .filter((x) => x.parties.length > 0);
      const feds = await fedRequestsOf(
        db,
        mine.map((x) => x.s.convention.id),
      );
      const demandes = await pendingApprovalRequests(
        db,
        mine.map((x) => x.s.convention.id),
      );
      // The alert facts of every convention in one query (store/convention-facts.ts).
      const ids = mine.map((x) => x.s.convention.id);
      const facts = await readThrough(request, `faits:${ids.join(",")}`, () => conventionFacts(db, ids));
      const taches: Task[] = [];
      for (const { s, parties } of mine) {
        const c = s.convention;
        const f = facts.get(c.id);
        const alertes = [
          ...alerts(c, on, 60, f?.alertes ?? { jeuxNonDetruits: [], etudeRestituee: false, collectes: {} }),
          ...seanceAlerts(c, on, 60, f?.derniereSeance ?? null),
        ];
        const anomalies = (await listAnomalies(db, c.id)).filter((a) => a.statut === "ouverte");
        taches.push(
          ...conventionTasks(c, parties, on, {
            alertes,
            feds: feds.filter((r) => r.conventionId === c.id),
            anomalies,
            demandesAccord: demandes.filter((d) => d.conventionId === c.id),
          }),
        );
      }
      taches.sort((a, b) => a.date.localeCompare(b.date));
      const parType = Object.fromEntries(
        (Object.keys(TASK_KIND_FR) as TaskKind[]).map((k) => [
          k,
          { libelle: TASK_KIND_FR[k], nombre: taches.filter((t) => t.kind === k).length },
        ]),
      );
      return { total: taches.length, parType, taches };
    },
  );
}
