/**
 * The life of a convention on a given date (the date is always a parameter):
 * status, next renewal, last day to give notice, the end after a notice,
 * and the alerts an observatory needs. Pure.
 *
 * Conventions: a period of a tacit convention runs from its anniversary to
 * the day before the next one; a notice « N mois avant l'échéance » may be
 * given up to and including the day N months before the renewal date;
 * `fin` dates are the last day in force.
 */
import { addDays, addMonths, daysBetween, formatDateFr, type IsoDate, minDate } from "./dates.js";
import { type Convention, type Notice, pendingAcceptances, versionOn } from "./model.js";

export type Status =
  | "brouillon"
  | "signee"
  | "active"
  | "preavis"
  | "resiliee"
  | "expiree"
  | "terminee_publication";

export const STATUS_FR: Readonly<Record<Status, string>> = {
  brouillon: "brouillon",
  signee: "signée (pas encore en vigueur)",
  active: "active",
  preavis: "préavis en cours",
  resiliee: "résiliée",
  expiree: "expirée",
  terminee_publication: "terminée (étude publiée)",
};

/** The renewal date (first day of the next period) after `on`, for a tacit convention in force. */
export function nextRenewal(original: Convention, on: IsoDate): IsoDate | null {
  const c = versionOn(original, on);
  if (c.duree.kind !== "tacite" || !c.effetLe) return null;
  const p = c.duree.periodeMois;
  // Anniversaries are computed from the effective date, so a 29 February start comes back in leap years.
  let k = Math.max(1, Math.floor(daysBetween(c.effetLe, on) / (p * 30.44)) - 1);
  while (addMonths(c.effetLe, k * p) <= on) k++;
  return addMonths(c.effetLe, k * p);
}

/** Last day to give notice so that the convention is not renewed at the next renewal after `on`. */
export function lastNoticeDay(c: Convention, on: IsoDate): IsoDate | null {
  const r = nextRenewal(c, on);
  return r ? addMonths(r, -versionOn(c, on).resiliation.preavisMois) : null;
}

/**
 * Last day in force after a notice given on `givenOn`. A breach uses the
 * breach notice; an ordinary notice ends the convention N months later, or,
 * for « a_echeance », at the end of the period it was given in time for.
 */
export function endAfterNotice(
  original: Convention,
  givenOn: IsoDate,
  motif: "ordinaire" | "faute",
): IsoDate {
  const c = versionOn(original, givenOn);
  let end: IsoDate;
  if (motif === "faute" && c.resiliation.preavisFauteMois !== undefined) {
    end = addDays(
      addMonths(givenOn, c.resiliation.preavisFauteMois),
      c.resiliation.preavisFauteMois === 0 ? 0 : -1,
    );
  } else if (c.resiliation.mode === "a_tout_moment" || c.duree.kind !== "tacite") {
    end = addDays(addMonths(givenOn, c.resiliation.preavisMois), -1);
  } else {
    let renewal = nextRenewal(c, givenOn)!;
    // Too late for this renewal: the convention runs one more period.
    if (givenOn > addMonths(renewal, -c.resiliation.preavisMois)) renewal = nextRenewal(c, renewal)!;
    end = addDays(renewal, -1);
  }
  const natural = naturalEnd(c);
  return natural ? minDate(end, natural) : end;
}

/** Why `party` may not give this notice, in French; null when it may. */
export function noticeProblem(c: Convention, party: string, motif: "ordinaire" | "faute"): string | null {
  if (!c.parties.some((p) => p.id === party)) return `Partie inconnue : « ${party} ».`;
  if (motif === "ordinaire" && c.resiliation.ordinaire === false)
    return "Cette convention ne prévoit pas de résiliation ordinaire (seulement pour manquement).";
  if (motif === "faute" && c.resiliation.fautePar && !c.resiliation.fautePar.includes(party))
    return "Cette partie ne peut pas résilier la convention pour manquement.";
  return null;
}

/**
 * The notice in force once `next` is given: the first notice, or a breach
 * notice that ends the convention sooner than the ordinary one already
 * running (the ordinary one is kept as `preavisRemplace`). A French refusal otherwise.
 */
export function giveNotice(c: Convention, next: Notice): Convention | { refus: string } {
  const problem = noticeProblem(versionOn(c, next.donneLe), next.par, next.motif);
  if (problem) return { refus: problem };
  if (!c.preavis) return { ...c, preavis: next };
  if (c.preavis.motif === "faute" || next.motif !== "faute")
    return { refus: "Un préavis est déjà enregistré pour cette convention." };
  const running = endAfterNotice(c, c.preavis.donneLe, c.preavis.motif);
  const shorter = endAfterNotice(c, next.donneLe, "faute");
  if (shorter >= running)
    return {
      refus: `Le préavis pour manquement finirait le ${formatDateFr(shorter)}, pas avant le préavis en cours (fin le ${formatDateFr(running)}).`,
    };
  return { ...c, preavis: next, preavisRemplace: c.preavis };
}

/** The last day in force without any notice, when there is one. */
export function naturalEnd(c: Convention): IsoDate | null {
  if (c.duree.kind === "echeance") return c.duree.fin;
  if (c.duree.kind === "publication" && c.publieeLe) return c.publieeLe;
  return null;
}

export function statusOn(original: Convention, on: IsoDate): Status {
  const c = versionOn(original, on);
  // Registered by one organisation, the convention binds the others only once their référent accepted it.
  if (!c.signeeLe || on < c.signeeLe || pendingAcceptances(c).length > 0) return "brouillon";
  if (!c.effetLe || on < c.effetLe) return "signee";
  if (c.preavis && c.preavis.donneLe <= on) {
    const end = endAfterNotice(c, c.preavis.donneLe, c.preavis.motif);
    const natural = naturalEnd(c);
    if (on > end) {
      if (natural && natural <= end)
        return c.duree.kind === "publication" ? "terminee_publication" : "expiree";
      return "resiliee";
    }
    return "preavis";
  }
  if (c.duree.kind === "echeance" && on > c.duree.fin) return "expiree";
  if (c.duree.kind === "publication" && c.publieeLe && on > c.publieeLe) return "terminee_publication";
  return "active";
}

/** Whether data may be deposited and outputs exported under the convention on `on`. */
export const isInForce = (c: Convention, on: IsoDate): boolean => {
  const s = statusOn(c, on);
  return s === "active" || s === "preavis";
};

export interface Alert {
  kind: "reconduction" | "preavis_limite" | "echeance" | "destruction" | "restitution" | "collecte";
  date: IsoDate;
  message: string;
}

export interface AlertContext {
  /** The datasets still holding data (destroyed ones are not listed). */
  jeuxNonDetruits?: string[];
  /** A copy of the study was sent to each provider. */
  etudeRestituee?: boolean;
  /** Years already collected, per annual dataset. */
  collectes?: Readonly<Record<string, readonly number[]>>;
}

/** Alerts on `on` for events within `horizonDays` days (and overdue obligations). */
export function alerts(original: Convention, on: IsoDate, horizonDays = 60, ctx: AlertContext = {}): Alert[] {
  const c = versionOn(original, on);
  const out: Alert[] = [];
  const status = statusOn(c, on);
  const soon = (d: IsoDate) => d >= on && daysBetween(on, d) <= horizonDays;
  if (status === "active" && c.duree.kind === "tacite") {
    const r = nextRenewal(c, on);
    const last = lastNoticeDay(c, on);
    if (last && soon(last))
      out.push({
        kind: "preavis_limite",
        date: last,
        message: `Dernier jour pour dénoncer la convention avant sa reconduction : ${formatDateFr(last)}.`,
      });
    if (r && soon(r))
      out.push({
        kind: "reconduction",
        date: r,
        message: `Reconduction tacite le ${formatDateFr(r)} pour ${c.duree.periodeMois} mois.`,
      });
  }
  if (status === "active" && c.duree.kind === "echeance" && soon(c.duree.fin))
    out.push({
      kind: "echeance",
      date: c.duree.fin,
      message: `La convention expire le ${formatDateFr(c.duree.fin)}.`,
    });
  if (status === "preavis" && c.preavis) {
    const end = endAfterNotice(c, c.preavis.donneLe, c.preavis.motif);
    out.push({
      kind: "echeance",
      date: end,
      message: `Préavis en cours : fin de la convention le ${formatDateFr(end)}.`,
    });
  }
  const ended = status === "resiliee" || status === "expiree" || status === "terminee_publication";
  if (ended && c.obligations.destructionFinEtude && (ctx.jeuxNonDetruits?.length ?? 0) > 0)
    out.push({
      kind: "destruction",
      date: on,
      message: `Données à détruire (fin de la convention) : ${ctx.jeuxNonDetruits!.length} jeu(x) de données encore présent(s).`,
    });
  if (c.obligations.copieEtude && c.publieeLe && c.publieeLe <= on && !ctx.etudeRestituee)
    out.push({
      kind: "restitution",
      date: c.publieeLe,
      message: "Copie de l'étude à transmettre aux fournisseurs.",
    });
  if (status === "active")
    for (const j of c.jeux) {
      if (j.periodicite !== "annuelle") continue;
      const year = Number(on.slice(0, 4));
      // The data at 31/12/N-1 are due in year N.
      if (!(ctx.collectes?.[j.id] ?? []).includes(year - 1))
        out.push({
          kind: "collecte",
          date: on,
          message: `Collecte annuelle attendue : « ${j.titre} », données au 31/12/${year - 1}.`,
        });
    }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
