/**
 * The dates a release states of its data. A convention's annex says when the
 * data are observed (« 31/12/N-1 ou à défaut la dernière date disponible
 * (précisez) »): the provider states the actual date at deposit when it is
 * not the default, and may state the date of the data's last update. The
 * release's source mention then says « données au ‹date stated, or 31/12 of
 * the vintage› » and « mise à jour le ‹date stated, or the deposit's date› ».
 */
import { formatDateFr, type IsoDate, isIsoDate } from "../convention/dates.js";
import { observationDate } from "./release.js";

/** What the provider stated with one deposit. */
export interface DepositDates {
  /** The actual observation date, when it is not the vintage's default. */
  dateObservation: IsoDate | null;
  /** The date of the data's last update, when the provider gives one. */
  miseAJour: IsoDate | null;
  /** The day the file was deposited (Paris). */
  deposeLe: IsoDate;
}

/**
 * Reads a date as a provider writes it: « 30/06/2025 » or « 2025-06-30 ».
 *
 * @example readStatedDate("30/06/2025") // "2025-06-30"
 */
export function readStatedDate(raw: string): IsoDate | null {
  const s = raw.trim();
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = fr ? `${fr[3]}-${fr[2]!.padStart(2, "0")}-${fr[1]!.padStart(2, "0")}` : s;
  return isIsoDate(iso) ? iso : null;
}

/**
 * French problems with the dates stated at deposit (none: they are kept). An
 * observation date lies after the deposit in no case, and within a year of
 * the vintage (the latest available date may fall just before or after it);
 * an update comes after the observation and not after the deposit.
 */
export function statedDatesProblems(
  d: { dateObservation?: IsoDate; miseAJour?: IsoDate },
  o: { annee: number; deposeLe: IsoDate },
): string[] {
  const out: string[] = [];
  const obs = d.dateObservation;
  if (obs !== undefined) {
    const y = Number(obs.slice(0, 4));
    if (obs > o.deposeLe)
      out.push(
        `La date d'observation ${formatDateFr(obs)} est postérieure au dépôt (${formatDateFr(o.deposeLe)}) : donnez la date à laquelle les données ont été observées.`,
      );
    else if (y < o.annee - 1 || y > o.annee + 1)
      out.push(
        `La date d'observation ${formatDateFr(obs)} ne correspond pas au millésime ${o.annee} : donnez une date de ${o.annee - 1} à ${o.annee + 1}, ou déposez pour le millésime de cette date.`,
      );
  }
  const maj = d.miseAJour;
  if (maj !== undefined) {
    if (maj > o.deposeLe)
      out.push(
        `La date de mise à jour ${formatDateFr(maj)} est postérieure au dépôt (${formatDateFr(o.deposeLe)}).`,
      );
    else if (obs !== undefined && maj < obs)
      out.push(
        `La date de mise à jour ${formatDateFr(maj)} précède la date d'observation ${formatDateFr(obs)}.`,
      );
  }
  return out;
}

/**
 * The dates of a release from the deposits it counted (oldest first): the
 * observation date the latest deposit stating one gave, else the vintage's
 * default; the update date the latest deposit gave, else its deposit day.
 * Without any deposit known (older stored tables), the release day.
 *
 * @example releaseDates([{ dateObservation: "2025-06-30", miseAJour: null, deposeLe: "2026-02-03" }], 2025, "2026-03-01")
 * // { dateObservation: "2025-06-30", miseAJour: "2026-02-03", declaree: true }
 */
export function releaseDates(
  deposits: readonly DepositDates[],
  annee: number,
  releaseDay: IsoDate,
): { dateObservation: IsoDate; miseAJour: IsoDate; declaree: boolean } {
  const stated = deposits.filter((d) => d.dateObservation !== null).at(-1)?.dateObservation ?? null;
  const last = deposits.at(-1);
  return {
    dateObservation: stated ?? observationDate(annee),
    miseAJour: last ? (last.miseAJour ?? last.deposeLe) : releaseDay,
    declaree: stated !== null,
  };
}
