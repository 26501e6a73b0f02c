/**
 * Restitution sessions: the results presented to the providers (date,
 * who attended, minutes), and the yearly session a convention may ask for
 * (Aix: « résultats présentés aux fournisseurs lors de séances annuelles »).
 */
import { invalide } from "../errors.js";
import { addMonths, daysBetween, formatDateFr, type IsoDate, isIsoDate } from "./dates.js";
import type { Alert } from "./lifecycle.js";
import { statusOn } from "./lifecycle.js";
import { type Convention, versionOn } from "./model.js";

export interface Seance {
  tenueLe: IsoDate;
  participants: string[];
  compteRendu: string;
}

/** A session is in the past (or today), after the convention took effect, with at least one participant. */
export function checkSeance(c: Convention, s: Seance, on: IsoDate): Seance {
  if (!isIsoDate(s.tenueLe)) throw invalide("seance_date", "Date de la séance attendue (AAAA-MM-JJ).");
  if (s.tenueLe > on)
    throw invalide("seance_future", "Une séance s'enregistre une fois tenue : sa date est passée.");
  if (c.effetLe && s.tenueLe < c.effetLe)
    throw invalide(
      "seance_avant_effet",
      `La séance précède l'entrée en vigueur de la convention (${formatDateFr(c.effetLe)}).`,
    );
  const participants = [...new Set(s.participants.map((p) => p.trim()).filter((p) => p !== ""))];
  if (participants.length === 0)
    throw invalide("seance_sans_participant", "Indiquez au moins un participant.");
  return { tenueLe: s.tenueLe, participants, compteRendu: s.compteRendu.trim() };
}

/**
 * The yearly session alert: due one year after the last session (or after
 * the convention took effect), announced `horizonDays` ahead, overdue after.
 *
 * @example seanceAlerts(AIX, "2017-01-20", 60, null) // due 01/02/2017
 */
export function seanceAlerts(
  original: Convention,
  on: IsoDate,
  horizonDays: number,
  derniereSeance: IsoDate | null,
): Alert[] {
  const c = versionOn(original, on);
  if (!c.obligations.seanceAnnuelle || !c.effetLe) return [];
  const status = statusOn(c, on);
  if (status !== "active" && status !== "preavis") return [];
  const due = addMonths(derniereSeance ?? c.effetLe, 12);
  if (due > on && daysBetween(on, due) > horizonDays) return [];
  const last = derniereSeance
    ? ` (dernière le ${formatDateFr(derniereSeance)})`
    : " (aucune séance enregistrée)";
  return [
    {
      kind: "restitution",
      date: due,
      message:
        due < on
          ? `Séance annuelle de restitution aux fournisseurs en retard depuis le ${formatDateFr(due)}${last}.`
          : `Séance annuelle de restitution aux fournisseurs à tenir d'ici le ${formatDateFr(due)}${last}.`,
    },
  ];
}
