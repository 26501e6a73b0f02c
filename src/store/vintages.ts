/**
 * A vintage (dataset × year) is one population. A deposit after the first
 * says what it is: a complement adds rows (people already deposited are
 * reported and not counted twice), a correction replaces the deposits before
 * it. Replaced deposits keep their rows until destruction: releases made on
 * them are part of what the attacker knows (docs/secrecy.md).
 */
import { invalide } from "../core/errors.js";
import type { Queryable } from "./db.js";

export type DepositMode = "initial" | "complement" | "correction";

export const DEPOSIT_MODES: readonly DepositMode[] = ["initial", "complement", "correction"];

/** Deposits whose rows make the vintage's data now. */
export async function activeDeposits(q: Queryable, jeuId: string, annee: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    // A deposit without a year (a raw file processed later) belongs to the vintages of its rows.
    `SELECT id FROM depot d WHERE jeu_id = $1 AND remplace_par IS NULL
       AND (annee = $2 OR (annee IS NULL AND EXISTS (SELECT 1 FROM microdonnee m WHERE m.depot_id = d.id AND m.annee = $2)))
     ORDER BY depose_le, id`,
    [jeuId, annee],
  );
  return rows.map((r) => r.id);
}

export interface VintageSettlement {
  mode: DepositMode;
  /** Rows of a complement whose person was already deposited for the vintage: not counted. */
  doublonsAnterieurs: number;
  /** Deposits a correction replaced. */
  remplaces: number;
}

/**
 * Settles a new deposit in its vintage, inside the deposit's transaction
 * (its rows are written): a complement drops the rows of people already
 * deposited, a correction retires the deposits before it.
 */
export async function settleVintage(
  tx: Queryable,
  jeuId: string,
  depotId: string,
  annee: number,
  mode: DepositMode | undefined,
): Promise<VintageSettlement> {
  const earlier = (await activeDeposits(tx, jeuId, annee)).filter((id) => id !== depotId);
  if (earlier.length === 0) {
    await tx.query("UPDATE depot SET mode = 'initial' WHERE id = $1", [depotId]);
    return { mode: "initial", doublonsAnterieurs: 0, remplaces: 0 };
  }
  if (mode === undefined || mode === "initial")
    throw invalide(
      "mode_depot_requis",
      `Des données ${annee} ont déjà été déposées pour ce jeu : précisez si ce dépôt est une correction (il remplace les dépôts précédents) ou un complément (ses lignes s'ajoutent).`,
    );
  let doublonsAnterieurs = 0;
  if (mode === "complement") {
    // Rows without an identifier (protocol 1: « l<line> ») cannot be matched.
    const [r] = await tx.query<{ n: number }>(
      `WITH d AS (
         DELETE FROM microdonnee n WHERE n.jeu_id = $1 AND n.depot_id = $2 AND n.pseudonyme !~ '^l[0-9]+$'
           AND EXISTS (SELECT 1 FROM microdonnee o WHERE o.jeu_id = $1 AND o.depot_id = ANY($3::uuid[])
                       AND o.pseudonyme = n.pseudonyme)
         RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [jeuId, depotId, earlier],
    );
    doublonsAnterieurs = Number(r?.n ?? 0);
  } else {
    await tx.query("UPDATE depot SET remplace_par = $2 WHERE id = ANY($1::uuid[])", [earlier, depotId]);
  }
  await tx.query("UPDATE depot SET mode = $2 WHERE id = $1", [depotId, mode]);
  return { mode, doublonsAnterieurs, remplaces: mode === "correction" ? earlier.length : 0 };
}
