/**
 * `socle deposit` and `socle release`: a partner's file into a convention's
 * dataset, and a protected release of it with its exports, from the command
 * line (the operator's tool; the convention must be in force).
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { isoDateInParis } from "../core/convention/dates.js";
import { isInForce, STATUS_FR, statusOn } from "../core/convention/lifecycle.js";
import { exportMention, versionOn } from "../core/convention/model.js";
import { decide } from "../core/convention/rights.js";
import { interdit, invalide } from "../core/errors.js";
import { readStatedDate } from "../core/release/observation.js";
import { readerView } from "../core/release/release.js";
import { loadSolver } from "../core/secrecy/solver.js";
import { depositAggregatedFile } from "../ingest/aggregated-deposit.js";
import { depositIndividualFile, referenceLoader } from "../ingest/deposit.js";
import { noIrisCsv, noIrisRows } from "../ingest/no-iris-report.js";
import { releaseCsv, releaseGeoJson, releaseGeoPackage, releaseXlsx } from "../release/exports.js";
import { publishRelease } from "../release/publish.js";
import { partiesOf } from "../server/access.js";
import { findUserForLogin, loadPrincipal } from "../store/accounts.js";
import { getConvention } from "../store/conventions.js";
import { createJeu, getJeu, listJeux } from "../store/datasets.js";
import type { Db, Queryable } from "../store/db.js";
import { forgetStagedExports, recordStagedExports, STAGING_PREFIX } from "../store/file-recovery.js";
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

export const DEPOSIT_USAGE =
  "socle deposit --convention ID --dataset ANNEXE [--annee AAAA] [--mode correction|complement] [--colonnes champ=colonne,…] [--absents champ,…] [--date-observation JJ/MM/AAAA] [--mise-a-jour JJ/MM/AAAA] [--rapport FICHIER] FICHIER";

/**
 * `champ=colonne,champ=colonne`: a column name may hold a comma when quoted
 * (`adresse.commune="Ville, localité"`). Remembered like the UI's mapping.
 */
export function parseColonnes(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([a-z0-9_.]+)\s*=\s*(?:"([^"]*)"|([^,]*))\s*(?:,|$)/gy;
  let end = 0;
  while (end < spec.length) {
    const m = re.exec(spec);
    if (!m || m[0] === "") break;
    out[m[1]!] = (m[2] ?? m[3] ?? "").trim();
    end = re.lastIndex;
  }
  if (end < spec.length || Object.keys(out).length === 0)
    throw invalide("colonnes", "--colonnes : liste champ=colonne séparée par des virgules attendue.");
  return out;
}

/** The rows-without-IRIS report beside the deposited file. */
function reportPath(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}-sans-iris.csv`);
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
      colonnes: { type: "string" },
      absents: { type: "string" },
      rapport: { type: "string" },
      "date-observation": { type: "string" },
      "mise-a-jour": { type: "string" },
    },
  });
  if (!values.convention || !values.dataset || positionals.length !== 1)
    throw invalide("usage", `Usage : ${DEPOSIT_USAGE}`);
  const stated = (flag: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const d = readStatedDate(raw);
    if (!d) throw invalide("date", `--${flag} : date JJ/MM/AAAA attendue.`);
    return d;
  };
  const dateObservation = stated("date-observation", values["date-observation"]);
  const miseAJour = stated("mise-a-jour", values["mise-a-jour"]);
  const dates = {
    ...(dateObservation ? { dateObservation } : {}),
    ...(miseAJour ? { miseAJour } : {}),
  };
  const file = positionals[0]!;
  const mappingByName = values.colonnes !== undefined ? parseColonnes(values.colonnes) : undefined;
  const absents = values.absents
    ?.split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
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
      const a = await depositAggregatedFile({
        db,
        convention,
        jeuId,
        file,
        annee,
        actorId: null,
        ...(mappingByName ? { mappingByName } : {}),
        ...(absents ? { absents } : {}),
        ...dates,
      });
      say(
        `Tableau enregistré : ${a.lignes} territoire(s), ${a.indicateurs.length} indicateur(s), ${a.masquees} cellule(s) masquée(s) par le fournisseur.`,
      );
      return;
    }
    // Geocoding in a worker thread over the départements the file needs (stopped whatever happens).
    const geocoder = referenceLoader(db);
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
      ...(mappingByName ? { mappingByName, mappingMerge: true } : {}),
      ...(absents ? { absents } : {}),
      ...dates,
      onProgress: (rows, read, size) => bar.update(rows, size > 0 ? read / size : undefined),
    }).finally(() => bar.finish());
    say(
      `Dépôt enregistré : ${r.lignes} lignes, ${r.doublons} doublon(s) écarté(s)${r.doublonsAnterieurs > 0 ? `, ${r.doublonsAnterieurs} personne(s) déjà déposée(s) pour ce millésime` : ""}, ${r.sansIris} ligne(s) sans IRIS.`,
    );
    if (r.absents.length > 0) say(`Champs déclarés absents de ce dépôt : ${r.absents.join(", ")}.`);
    const g = Object.entries(r.geocodage)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    if (g) say(`Géocodage : ${g}.`);
    if (r.sansIris > 0) {
      const out = values.rapport ?? reportPath(file);
      writeFileSync(out, noIrisCsv(await noIrisRows(db, jeuId, r.depotId)));
      say(`Lignes sans IRIS (numéro de ligne, type, raison ; aucune adresse) : ${out}`);
    }
  });
}

/** A database handle whose transactions run inside an open one (so a failure after publishing undoes it). */
function within(db: Db, tx: Queryable): Db {
  return {
    engine: db.engine,
    query: <R>(sql: string, params?: readonly unknown[]) => tx.query<R>(sql, params),
    transaction: (fn) => fn(tx),
    exec: async (sql) => {
      await tx.query(sql);
    },
    close: async () => {},
  };
}

export async function release(args: string[], config: Config, withStore: WithStore): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      convention: { type: "string" },
      dataset: { type: "string" },
      annee: { type: "string" },
      out: { type: "string" },
      par: { type: "string" },
    },
  });
  if (!values.convention || !values.dataset || !values.annee || !values.par)
    throw invalide(
      "usage",
      "Usage : socle release --convention ID --dataset ANNEXE --annee AAAA --par EMAIL [--out DOSSIER]",
    );
  const out = values.out;
  if (out) {
    try {
      mkdirSync(out, { recursive: true });
      accessSync(out, constants.W_OK);
    } catch {
      throw invalide("dossier_exports", `--out : impossible de créer ou d'écrire dans le dossier ${out}.`);
    }
  }
  await withStore(async (db) => {
    const stored = await getConvention(db, values.convention!);
    // The operator releases in the name of a member of the party that processes: the same
    // rights as through the API, on today's date, and the release records who.
    const today = isoDateInParis(new Date());
    const user = await findUserForLogin(db, values.par!);
    const principal = user ? await loadPrincipal(db, user.id) : undefined;
    if (!principal) throw invalide("operateur_inconnu", `--par : aucun compte « ${values.par} ».`);
    const mine = partiesOf(principal, stored);
    const d = decide(stored.convention, "publier", {
      parties: mine.parties,
      on: today,
      ...(mine.role ? { role: mine.role } : {}),
      ...(mine.service ? { service: mine.service } : {}),
    });
    if (!d.ok) throw interdit("droit_convention", `Diffusion refusée à ${values.par} : ${d.raison}`);
    const convention = versionOn(stored.convention, today);
    const jeuId = await datasetJeu(db, convention.id, values.dataset!);
    // The exports are written to a staging folder inside --out and moved into place only once the
    // release is committed: a kill -9 before the commit leaves no release and no export beside it (an
    // export the register does not hold would escape the secrecy checks of later releases); a kill
    // in the few renames after it leaves the release recorded, its exports downloadable from the API.
    // What a killed release left staged was settled when the store opened (settleStagedExports).
    const area = { root: path.join(config.dataDir, "fichiers") };
    let staging: string | undefined;
    const final: [string, string][] = [];
    say("Calcul de la diffusion : secret statistique et audit…");
    const r = await db
      .transaction(async (tx) => {
        const t = within(db, tx);
        const r = await publishRelease({
          db: t,
          highs: await loadSolver(),
          convention,
          jeuId,
          annee: Number(values.annee),
          actorId: principal.userId,
        });
        if (out) {
          say("Écriture des exports…");
          const folder = path.join(path.resolve(out), `${STAGING_PREFIX}${r.id}`);
          // Recorded first: if this process dies, whoever opens the store next settles the folder.
          await recordStagedExports(area, {
            diffusion: r.id,
            staging: folder,
            out: path.resolve(out),
            pid: process.pid,
          });
          staging = folder;
          mkdirSync(staging, { mode: 0o700 });
          // Exports leave Socle: a secret cell is « s », whatever its kind; stamped as the convention asks.
          const shown = { ...readerView(r), mentionSource: exportMention(convention, r.mentionSource) };
          const titre = (await getJeu(t, jeuId)).titre;
          const base = `diffusion-${values.dataset}-${r.annee}`;
          const files: [string, Uint8Array | string][] = [
            [`${base}.xlsx`, await releaseXlsx(shown, { convention: convention.titre, jeu: titre })],
            [`${base}.csv`, releaseCsv(shown)],
            [`${base}.geojson`, JSON.stringify(await releaseGeoJson(t, shown))],
            [`${base}.gpkg`, await releaseGeoPackage(t, shown)],
            [`${base}-lambert93.gpkg`, await releaseGeoPackage(t, shown, undefined, { crs: "EPSG:2154" })],
          ];
          for (const [name, data] of files) {
            const target = path.join(out, name);
            const cannot = () =>
              invalide(
                "export_ecriture",
                `Impossible d'écrire ${target} : diffusion annulée, aucune diffusion n'est enregistrée.`,
              );
            if (existsSync(target) && !statSync(target).isFile()) throw cannot();
            try {
              writeFileSync(path.join(staging, name), data);
            } catch {
              throw cannot();
            }
            final.push([path.join(staging, name), target]);
          }
        }
        return r;
      })
      .catch(async (e: unknown) => {
        if (staging) rmSync(staging, { recursive: true, force: true });
        await forgetStagedExports(area, path.basename(staging ?? "").slice(STAGING_PREFIX.length));
        throw e;
      });
    if (staging) {
      for (const [from, to] of final) renameSync(from, to);
      rmSync(staging, { recursive: true, force: true });
      await forgetStagedExports(area, r.id);
    }
    say(
      `Diffusion ${r.id} : ${r.tableaux.length} tableau(x), ${r.audit.primaires} secret(s) primaire(s), ${r.audit.secondaires} secondaire(s), audit réussi.`,
    );
    say(r.mentionSource);
    if (out)
      say(
        `Exports : ${path.join(out, `diffusion-${values.dataset}-${r.annee}`)}.xlsx, .csv, .geojson, .gpkg, -lambert93.gpkg`,
      );
  });
}
