/**
 * « Mes tâches »: what a party has to do under a convention on a date —
 * FED requests to answer, yearly collections due, notices to send before a
 * deadline, anomalies reported to it, approvals of external diffusion asked
 * of it, restitution and destruction due.
 */
import type { IsoDate } from "./dates.js";
import type { FedRequest } from "./fed.js";
import type { Alert } from "./lifecycle.js";
import { type Convention, versionOn } from "./model.js";

export type TaskKind = "fed" | "collecte" | "preavis" | "anomalie" | "accord" | "restitution" | "destruction";

export const TASK_KIND_FR: Readonly<Record<TaskKind, string>> = {
  fed: "FED à répondre",
  collecte: "Collectes attendues",
  preavis: "Préavis et échéances",
  anomalie: "Anomalies ouvertes",
  accord: "Accords de diffusion demandés",
  restitution: "Restitutions à faire",
  destruction: "Destructions dues",
};

export interface Task {
  kind: TaskKind;
  conventionId: string;
  conventionTitre: string;
  date: IsoDate;
  libelle: string;
  /** Page of the web front where the task is done. */
  lien: string;
}

export interface TaskFacts {
  alertes: readonly Alert[];
  feds: readonly FedRequest[];
  /** Anomalies still open, with the provider they are addressed to. */
  anomalies: readonly { id: string; fournisseur: string; creeLe: string }[];
  /** Requests for approval of an external diffusion still awaiting their provider's answer. */
  demandesAccord?: readonly {
    id: string;
    diffusionId: string;
    fournisseur: string;
    destinataire: string;
    demandeLe: string;
  }[];
}

/**
 * The tasks of the user's parties `mine` under one convention.
 *
 * @example conventionTasks(ROUEN, ["caf76"], "2024-09-15", facts) // FED to answer, notice deadline…
 */
export function conventionTasks(
  original: Convention,
  mine: readonly string[],
  on: IsoDate,
  f: TaskFacts,
): Task[] {
  if (mine.length === 0) return [];
  const c = versionOn(original, on);
  const page = `/conventions/${c.id}`;
  const base = { conventionId: c.id, conventionTitre: c.titre };
  const out: Task[] = [];
  const iProvide = (partie: string) => mine.includes(partie);
  for (const r of f.feds)
    if (r.statut === "en_attente" && iProvide(r.feuille1.fournisseur))
      out.push({
        ...base,
        kind: "fed",
        date: r.demandeLe.slice(0, 10),
        libelle: `Demande de données à examiner : « ${r.feuille1.etude} ».`,
        lien: `/fed/${r.id}`,
      });
  const myAnnexes = c.jeux.filter((j) => iProvide(j.fournisseur));
  const parts = new Set(c.parties.filter((p) => mine.includes(p.id)).flatMap((p) => p.parts));
  for (const a of f.alertes) {
    if (a.kind === "collecte") {
      if (myAnnexes.some((j) => a.message.includes(`« ${j.titre} »`)))
        out.push({ ...base, kind: "collecte", date: a.date, libelle: a.message, lien: page });
    } else if (a.kind === "preavis_limite" || a.kind === "reconduction" || a.kind === "echeance")
      out.push({ ...base, kind: "preavis", date: a.date, libelle: a.message, lien: page });
    else if (a.kind === "restitution") {
      if (parts.has("destinataire") || parts.has("prestataire"))
        out.push({ ...base, kind: "restitution", date: a.date, libelle: a.message, lien: page });
    } else if (a.kind === "destruction")
      out.push({ ...base, kind: "destruction", date: a.date, libelle: a.message, lien: page });
  }
  for (const a of f.anomalies)
    if (iProvide(a.fournisseur))
      out.push({
        ...base,
        kind: "anomalie",
        date: a.creeLe.slice(0, 10),
        libelle: "Anomalie signalée sur vos données, en attente de réponse.",
        lien: `${page}#titre-anomalies`,
      });
  for (const d of f.demandesAccord ?? [])
    if (iProvide(d.fournisseur))
      out.push({
        ...base,
        kind: "accord",
        date: d.demandeLe.slice(0, 10),
        libelle: `Accord de diffusion externe demandé (destinataire : ${d.destinataire}).`,
        lien: `/diffusions/${d.diffusionId}`,
      });
  return out;
}
