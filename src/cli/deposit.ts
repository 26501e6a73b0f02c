/**
 * `socle deposit` and `socle release`: a partner's file into a convention's
 * dataset, and a protected release of it with its exports, from the command
 * line (the operator's tool; the convention must be in force).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { isoDateInParis } from "../core/convention/dates.js";
import { isInForce, STATUS_FR, statusOn } from "../core/convention/lifecycle.js";
import { interdit, invalide } from "../core/errors.js";
import { readerView } from "../core/release/release.js";
import { loadSolver } from "../core/secrecy/solver.js";
import { inWorker } from "../geo/batch-geocoder.js";
import { depositAggregatedFile, depositIndividualFile } from "../ingest/deposit.js";
import { releaseCsv, releaseGeoJson, releaseGeoPackage, releaseXlsx } from "../release/exports.js";
import { publishRelease } from "../release/publish.js";
import { loadAddressIndexBlobs } from "../store/addresses.js";
import { getConvention } from "../store/conventions.js";
import { createJeu, getJeu, listJeux } from "../store/datasets.js";
import type { Db } from "../store/db.js";
import { conventionSecret } from "../store/secrets.js";
import { progressBar } from "./progress.js";

type WithStore = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function datasetJeu(db: Db, conventionId: string, annexe: string): Promise<string> {
  const { convention } = await getConvention(db, conventionId);
  const dataset = convention.jeux.find((d) => d.id === annexe);
  if (!dataset)
    throw invalide(
      "annexe_inconnue",
      `Jeu de données « ${annexe} » absent de la convention ; annexes : ${convention.jeux.map((d) => d.id).join(", ")}.`,
    );
  const existing = (await listJeux(db, conventionId)).find(
    (j) => j.annexe === annexe && j.statut !== "detruit",
  );
  return existing?.id ?? createJeu(db, conventionId, annexe, dataset.titre);
}

export async function deposit(args: string[], config: Config, withStore: WithStore): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      convention: { type: "string" },
      dataset: { type: "string" },
      annee: { type: "string" },
      mode: { type: "string" },
    },
  });
  if (!values.convention || !values.dataset || positionals.length !== 1)
    throw invalide(
      "usage",
      "Usage : socle deposit --convention ID --dataset ANNEXE [--annee AAAA] [--mode correction|complement] FICHIER",
    );
  const file = positionals[0]!;
  await withStore(async (db) => {
    const { convention } = await getConvention(db, values.convention!);
    const today = isoDateInParis(new Date());
    if (!isInForce(convention, today))
      throw interdit(
        "convention_hors_vigueur",
        `La convention n'est pas en vigueur (${STATUS_FR[statusOn(convention, today)]}) : dépôt refusé.`,
      );
    const jeuId = await datasetJeu(db, convention.id, values.dataset!);
    const annee = values.annee ? Number(values.annee) : Number(today.slice(0, 4)) - 1;
    if (!Number.isInteger(annee) || annee < 1990 || annee > 2100)
      throw invalide("annee", "--annee : année AAAA attendue.");
    const mode = values.mode;
    if (mode !== undefined && mode !== "correction" && mode !== "complement")
      throw invalide("mode", "--mode : « correction » ou « complement » attendu.");
    if (convention.jeux.find((d) => d.id === values.dataset)?.kind === "agrege") {
      const a = await depositAggregatedFile({ db, convention, jeuId, file, annee, actorId: null });
      say(
        `Tableau enregistré : ${a.lignes} territoire(s), ${a.indicateurs.length} indicateur(s), ${a.masquees} cellule(s) masquée(s) par le fournisseur.`,
      );
      return;
    }
    const blobs = await loadAddressIndexBlobs(db);
    const geocoder = blobs.length > 0 ? inWorker(blobs) : null;
    say("Écriture des lignes pseudonymisées au fil de la lecture (une seule transaction)…");
    const bar = progressBar("Lecture", "lignes");
    const r = await depositIndividualFile({
      db,
      convention,
      jeuId,
      file,
      annee,
      secret: await conventionSecret({ dir: path.join(config.dataDir, "secrets") }, convention.id),
      geocoder,
      actorId: null,
      ...(mode ? { mode } : {}),
      onProgress: (rows, read, size) => bar.update(rows, size > 0 ? read / size : undefined),
    });
    bar.finish();
    await geocoder?.close();
    say(
      `Dépôt enregistré : ${r.lignes} lignes, ${r.doublons} doublon(s) écarté(s)${r.doublonsAnterieurs > 0 ? `, ${r.doublonsAnterieurs} personne(s) déjà déposée(s) pour ce millésime` : ""}, ${r.sansIris} ligne(s) sans IRIS.`,
    );
    const g = Object.entries(r.geocodage)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    if (g) say(`Géocodage : ${g}.`);
  });
}

export async function release(args: string[], withStore: WithStore): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      convention: { type: "string" },
      dataset: { type: "string" },
      annee: { type: "string" },
      out: { type: "string" },
    },
  });
  if (!values.convention || !values.dataset || !values.annee)
    throw invalide(
      "usage",
      "Usage : socle release --convention ID --dataset ANNEXE --annee AAAA [--out DOSSIER]",
    );
  await withStore(async (db) => {
    const { convention } = await getConvention(db, values.convention!);
    const jeuId = await datasetJeu(db, convention.id, values.dataset!);
    const released = await publishRelease({
      db,
      highs: await loadSolver(),
      convention,
      jeuId,
      annee: Number(values.annee),
      actorId: null,
    });
    const r = released;
    say(
      `Diffusion ${r.id} : ${r.tableaux.length} tableau(x), ${r.audit.primaires} secret(s) primaire(s), ${r.audit.secondaires} secondaire(s), audit réussi.`,
    );
    say(r.mentionSource);
    if (values.out) {
      const r = readerView(released);
      const base = path.join(values.out, `diffusion-${values.dataset}-${r.annee}`);
      writeFileSync(
        `${base}.xlsx`,
        await releaseXlsx(r, { convention: convention.titre, jeu: (await getJeu(db, jeuId)).titre }),
      );
      writeFileSync(`${base}.csv`, releaseCsv(r));
      writeFileSync(`${base}.geojson`, JSON.stringify(await releaseGeoJson(db, r)));
      writeFileSync(`${base}.gpkg`, await releaseGeoPackage(db, r));
      writeFileSync(
        `${base}-lambert93.gpkg`,
        await releaseGeoPackage(db, r, undefined, { crs: "EPSG:2154" }),
      );
      say(`Exports : ${base}.xlsx, .csv, .geojson, .gpkg, -lambert93.gpkg`);
    }
  });
}
