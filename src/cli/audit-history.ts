/**
 * `socle secret audit-history --convention ID --dataset ANNEXE [--annee AAAA]`:
 * re-attacks everything published so far for a dataset, vintage by vintage
 * (every release on its own version of the data), and reports in French.
 * Exit code 1 when the attacker finds anything.
 */
import { parseArgs } from "node:util";
import { invalide } from "../core/errors.js";
import { loadSolver } from "../core/secrecy/solver.js";
import { auditVintage } from "../release/history-model.js";
import { getConvention } from "../store/conventions.js";
import { listJeux } from "../store/datasets.js";
import type { Db } from "../store/db.js";

type WithStore = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

const say = (line: string) => process.stdout.write(`${line}\n`);

export async function auditHistoryCommand(args: string[], withStore: WithStore): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { convention: { type: "string" }, dataset: { type: "string" }, annee: { type: "string" } },
  });
  if (!values.convention || !values.dataset)
    throw invalide(
      "usage",
      "Usage : socle secret audit-history --convention ID --dataset ANNEXE [--annee AAAA]",
    );
  await withStore(async (db) => {
    const { convention } = await getConvention(db, values.convention!);
    const dataset = convention.jeux.find((d) => d.id === values.dataset);
    if (!dataset)
      throw invalide("annexe_inconnue", `Jeu de données « ${values.dataset} » absent de la convention.`);
    if (dataset.kind !== "individuel")
      throw invalide(
        "audit_historique_agrege",
        "L'audit de l'historique porte sur les fichiers individuels ; les tableaux agrégés sont audités avec tout leur historique à chaque diffusion.",
      );
    const jeux = (await listJeux(db, convention.id)).filter((j) => j.annexe === dataset.id);
    const years = await db.query<{ jeu_id: string; annee: number }>(
      "SELECT DISTINCT jeu_id, annee FROM diffusion WHERE jeu_id = ANY($1::uuid[]) ORDER BY annee",
      [jeux.map((j) => j.id)],
    );
    const highs = await loadSolver();
    let problems = 0;
    for (const y of years) {
      if (values.annee && Number(values.annee) !== y.annee) continue;
      const r = await auditVintage({ db, highs, convention, jeuId: y.jeu_id, annee: y.annee });
      if (!r) continue;
      const found = r.report.findings.length + r.differences.length;
      problems += found;
      say(
        `Millésime ${y.annee} : ${r.releases} diffusion(s) sur ${r.versions} version(s) des données, ${r.report.suppressedCells} cellule(s) secrète(s) attaquée(s) — ${found === 0 ? "aucune ne se recalcule" : `${found} problème(s)`}.`,
      );
      for (const f of r.report.findings) say(`  - ${f.message}`);
      for (const d of r.differences) say(`  - ${d}`);
    }
    if (years.length === 0) say("Aucune diffusion de ce jeu de données.");
    if (problems > 0) process.exitCode = 1;
  });
}
