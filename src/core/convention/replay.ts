/**
 * Demo replays of the reference conventions: the same parties, annexes and
 * rules, moved to the current year so that each can be driven in the demo
 * (Dijon's expired in 2009). The data of a replay are fictitious, on the
 * fictional Val de Socle territory.
 */
import { addMonths, type IsoDate } from "./dates.js";
import type { Convention } from "./model.js";

/** The identifier of a reference convention's replay. */
export const replayId = (referenceId: string): string => `demo-${referenceId}`.slice(0, 63);

const shift = (d: IsoDate, years: number): IsoDate => addMonths(d, 12 * years);

/**
 * The reference convention moved by whole years so that it took effect
 * this year (or last year if its day is still to come), and in force on `today`.
 *
 * @example replayOn(DIJON, "2026-12-01").effetLe // "2026-03-02"
 */
export function replayOn(c: Convention, today: IsoDate): Convention {
  const start = c.effetLe ?? c.signeeLe ?? today;
  let years = Number(today.slice(0, 4)) - Number(start.slice(0, 4));
  if (shift(start, years) > today) years -= 1;
  const move = (d: IsoDate | undefined) => (d === undefined ? undefined : shift(d, years));
  const duree =
    c.duree.kind === "echeance"
      ? {
          kind: "echeance" as const,
          fin: shift(c.duree.fin, years) < today ? `${today.slice(0, 4)}-12-31` : shift(c.duree.fin, years),
        }
      : c.duree;
  const replay: Convention = {
    ...c,
    id: replayId(c.id),
    titre: `${c.titre} — rejouée sur le Val de Socle (démo)`,
    objet: `${c.objet} Démonstration : données fictives sur le territoire fictif du Val de Socle.`,
    duree,
    avenants: [],
  };
  delete replay.preavis;
  delete replay.publieeLe;
  const signeeLe = move(c.signeeLe);
  const effetLe = move(c.effetLe);
  if (signeeLe) replay.signeeLe = signeeLe;
  if (effetLe) replay.effetLe = effetLe;
  return replay;
}
