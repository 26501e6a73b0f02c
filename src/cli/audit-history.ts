/**
 * `socle secret audit-history --convention ID --dataset ANNEXE [--annee AAAA]`:
 * re-attacks everything published so far for a dataset, vintage by vintage
 * (every release on its own version of the data), individual files and
 * aggregated tables alike, and reports in French.
 * Exit code 1 when the attacker finds anything.
 */
import { parseArgs } from "node:util";
import { invalide } from "../core/errors.js";
import { loadSolver } from "../core/secrecy/solver.js";
import { auditVintage, earlierReleases } from "../release/history-model.js";
import { auditAggregatedVintage } from "../release/publish-aggregated.js";
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
    const jeux = (await listJeux(db, convention.id)).filter((j) => j.annexe === dataset.id);
    const years = await db.query<{ jeu_id: string; annee: number }>(
      "SELECT DISTINCT jeu_id, annee FROM diffusion WHERE jeu_id = ANY($1::uuid[]) ORDER BY annee",
      [jeux.map((j) => j.id)],
    );
    const highs = await loadSolver();
    let problems = 0;
    for (const y of years) {
      if (values.annee && Number(values.annee) !== y.annee) continue;
      const o = { db, highs, convention, jeuId: y.jeu_id, annee: y.annee };
      const r =
        dataset.kind === "individuel"
          ? await auditVintage(o).then(
              (v) =>
                v && {
                  releases: v.releases,
                  versions: v.versions,
                  suppressedCells: v.report.suppressedCells,
                  problems: [...v.report.findings.map((f) => f.message), ...v.differences],
                },
            )
          : await earlierReleases(db, y.jeu_id, y.annee).then((releases) =>
              auditAggregatedVintage(o, dataset, releases).then(
                (v) => v && { releases: releases.length, ...v, problems: v.findings },
              ),
            );
      if (!r) continue;
      const found = r.problems.length;
      problems += found;
      say(
        `Millésime ${y.annee} : ${r.releases} diffusion(s) sur ${r.versions} version(s) des données, ${r.suppressedCells} cellule(s) secrète(s) attaquée(s) — ${found === 0 ? "aucune ne se recalcule" : `${found} problème(s)`}.`,
      );
      for (const p of r.problems) say(`  - ${p}`);
    }
    if (years.length === 0) say("Aucune diffusion de ce jeu de données.");
    if (problems > 0) process.exitCode = 1;
  });
}
