/**
 * The report of a deposit's rows without IRIS, for the depositor: the line
 * of the file, the result type and the reason, never the address (the
 * depositor has its file; Socle has forgotten the address). Downloaded from
 * the deposit's page, written by `socle deposit`.
 */
import { introuvable } from "../core/errors.js";
import { NO_IRIS_REASON_FR, type NoIrisReason, RESULT_TYPE_FR, type ResultType } from "../geo/geocoder.js";
import type { Queryable } from "../store/db.js";

export interface NoIrisRow {
  ligne: number;
  type: ResultType;
  raison: NoIrisReason;
}

export const NO_IRIS_HEADER = "ligne;type_resultat;type_resultat_libelle;raison;raison_libelle";

/** CSV (`;`, UTF-8 with BOM for spreadsheet software), one row per line of the file without IRIS. */
export function noIrisCsv(rows: readonly NoIrisRow[]): string {
  const out = [NO_IRIS_HEADER];
  for (const r of rows)
    out.push(
      [
        r.ligne,
        r.type,
        RESULT_TYPE_FR[r.type] ?? r.type,
        r.raison,
        NO_IRIS_REASON_FR[r.raison] ?? r.raison,
      ].join(";"),
    );
  return `\ufeff${out.join("\r\n")}\r\n`;
}

/** The rows without IRIS of one deposit of a dataset, in file order. */
export async function noIrisRows(q: Queryable, jeuId: string, depotId: string): Promise<NoIrisRow[]> {
  const d = await q.query("SELECT 1 FROM depot WHERE id = $1 AND jeu_id = $2", [depotId, jeuId]);
  if (d.length === 0) throw introuvable("depot_introuvable", "Dépôt introuvable pour ce jeu de données.");
  const rows = await q.query<NoIrisRow>(
    "SELECT ligne, type, raison FROM depot_sans_iris WHERE depot_id = $1 ORDER BY ligne",
    [depotId],
  );
  return rows.map((r) => ({ ligne: Number(r.ligne), type: r.type, raison: r.raison }));
}
