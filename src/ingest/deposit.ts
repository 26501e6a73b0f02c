/**
 * Processing a partner's deposit for an individual dataset: read the file as
 * a stream (CSV in any common encoding, or XLSX), map its columns, validate
 * every row, pseudonymise the identifier (protocol 2) or take the IRIS given
 * (protocol 1), geocode the address to its IRIS and forget it, report
 * duplicates, then write the deposit and its pseudonymised rows in one
 * transaction: all or nothing. The file itself is not kept.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type IsoDate, isoDateInParis } from "../core/convention/dates.js";
import type { Convention, Dataset, DatasetField } from "../core/convention/model.js";
import {
  ADDRESS_PART_FR,
  ADDRESS_PARTS,
  type AddressColumn,
  addressColumns,
  addressKey,
  addressRoleOf,
  composeAddress,
  isAddressField,
} from "../core/deposit/address.js";
import { type FieldValue, readField } from "../core/deposit/fields.js";
import { absentsProblems, accountForFields, type Mapping, proposeMapping } from "../core/deposit/mapping.js";
import { pseudonym } from "../core/deposit/pseudonym.js";
import { ProblemReport, parseRow, requiredFields } from "../core/deposit/validate.js";
import { conflit, invalide } from "../core/errors.js";
import { statedDatesProblems } from "../core/release/observation.js";
import { departementOfCommune } from "../core/territory/codes.js";
import { type AddressQuery, type BatchGeocoder, inThread, inWorker } from "../geo/batch-geocoder.js";
import { Geocoder, type NoIrisReason, type ResultType } from "../geo/geocoder.js";
import { loadAddressIndex, loadAddressIndexBlobs } from "../store/addresses.js";
import { appendAuditTx } from "../store/audit.js";
import { getJeu, insertMicrodonnees, type MicroRow, refuseRepeatedDeposit } from "../store/datasets.js";
import type { Db, Queryable } from "../store/db.js";
import { type DepositMode, settleVintage, type VintageSettlement } from "../store/vintages.js";
import { openTabular } from "./tabular-stream.js";

/** Fields that carry the address: used to geocode, never stored. */
export function addressFields(d: Dataset): DatasetField[] {
  return d.champs.filter(isAddressField);
}

export interface DepositOptions {
  db: Db;
  convention: Convention;
  jeuId: string;
  file: string;
  /** Year of the data (vintage). */
  annee: number;
  /** Pseudonymisation secret of the convention. */
  secret: Uint8Array;
  /**
   * Geocoder over the address reference (protocol 2), in this thread or a
   * worker; or a loader given the départements the file's rows need (found
   * from their commune codes and postcodes; null: all), so that a national
   * reference is not loaded whole for one département's file. Null when no
   * reference is loaded.
   */
  geocoder: Geocoder | BatchGeocoder | GeocoderLoader | null;
  mapping?: Mapping;
  /** The mapping the user confirmed: field (or `adresse.<part>`) → column name. */
  mappingByName?: Record<string, string>;
  /**
   * When set, `mappingByName` only changes the remembered (or proposed) mapping
   * for the keys it names (`""` unmaps one): the command line's `--colonnes`.
   */
  mappingMerge?: boolean;
  /** Annex fields the user declared absent from this file (recorded with the deposit). */
  absents?: readonly string[];
  actorId: string | null;
  now?: Date;
  onProgress?: (rows: number, bytesRead: number, size: number) => void;
  /** Called when the write transaction opens (rows are then written as they are read). */
  onWrite?: () => void;
  /** What a later deposit of the same vintage is: a complement or a correction (required then). */
  mode?: DepositMode;
  /** The actual date of the data, when it is not the vintage's default (31/12). */
  dateObservation?: IsoDate;
  /** The date of the data's last update, when the provider gives one. */
  miseAJour?: IsoDate;
}

/** The dates the provider stated, checked before a row is read (French refusal). */
export function checkStatedDates(
  o: Pick<DepositOptions, "annee" | "dateObservation" | "miseAJour" | "now">,
): void {
  const problems = statedDatesProblems(
    {
      ...(o.dateObservation ? { dateObservation: o.dateObservation } : {}),
      ...(o.miseAJour ? { miseAJour: o.miseAJour } : {}),
    },
    { annee: o.annee, deposeLe: isoDateInParis(o.now ?? new Date()) },
  );
  if (problems.length > 0) throw invalide("dates_depot", problems[0]!, problems);
}

export interface GeocoderLoader {
  pourDepartements(departements: string[] | null): Promise<Geocoder | BatchGeocoder | null>;
}

/**
 * The départements a file's addresses point to: the commune code column, or
 * the postcodes (« 20xxx » is Corse-du-Sud or Haute-Corse, « 97x » overseas).
 * Null when no row gives any (the whole reference is then needed).
 */
export async function departementsOfFile(
  file: string,
  address: readonly AddressColumn[],
): Promise<string[] | null> {
  const t = await openTabular(file);
  const found = new Set<string>();
  // Row by row: the addresses are never all held at once.
  for await (const r of t.rows) addDepartements(found, composeAddress(address, r.values));
  return found.size > 0 ? [...found].sort() : null;
}

function departementsOfQueries(queries: readonly AddressQuery[]): string[] | null {
  const found = new Set<string>();
  for (const q of queries) addDepartements(found, q);
  return found.size > 0 ? [...found].sort() : null;
}

function addDepartements(found: Set<string>, q: AddressQuery): void {
  if (q.codeCommune) {
    found.add(departementOfCommune(q.codeCommune));
    return;
  }
  for (const p of q.parts)
    for (const m of p.matchAll(/(?<![\d])(\d{5})(?![\d])/g)) {
      const cp = m[1]!;
      if (cp.startsWith("20")) found.add("2A").add("2B");
      else if (cp.startsWith("97") || cp.startsWith("98")) found.add(cp.slice(0, 3));
      else found.add(cp.slice(0, 2));
    }
}

/** The same, in this thread: for a preview's first 1,000 rows. */
export function referenceInThread(db: Queryable): GeocoderLoader {
  return {
    async pourDepartements(departements) {
      const index =
        (departements ? await loadAddressIndex(db, departements) : null) ?? (await loadAddressIndex(db));
      return index ? new Geocoder(index) : null;
    },
  };
}

/**
 * The geocoder of a deposit, in a worker thread, over the départements of
 * the reference that the file needs (all when it names none, or none of
 * those it names is loaded).
 */
export function referenceLoader(db: Queryable): GeocoderLoader {
  return {
    async pourDepartements(departements) {
      let blobs = departements ? await loadAddressIndexBlobs(db, departements) : [];
      if (blobs.length === 0) blobs = await loadAddressIndexBlobs(db);
      return blobs.length > 0 ? inWorker(blobs) : null;
    },
  };
}

export interface DepositResult {
  depotId: string;
  lignes: number;
  doublons: number;
  /** Rows of a complement whose person was already deposited for the vintage (not counted). */
  doublonsAnterieurs: number;
  mode: DepositMode;
  sansIris: number;
  geocodage: Partial<Record<ResultType, number>>;
  /** Rows without IRIS by reason (the rows themselves: GET the deposit's report). */
  sansIrisParRaison: Partial<Record<NoIrisReason, number>>;
  mapping: Mapping;
  /** Annex fields declared absent from this deposit. */
  absents: string[];
  /** Seconds spent reading and checking rows, computing pseudonyms and geocoding. */
  timings: { lecture: number; pseudonymisation: number; geocodage: number; ecriture: number };
}

async function writeNoIris(
  tx: Queryable,
  depotId: string,
  rows: readonly { ligne: number; type: ResultType; raison: NoIrisReason }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const part = rows.slice(i, i + 5000);
    await tx.query(
      `INSERT INTO depot_sans_iris (depot_id, ligne, type, raison)
       SELECT $1, l, t, r FROM unnest($2::int[], $3::text[], $4::text[]) AS u(l, t, r)`,
      [depotId, part.map((x) => x.ligne), part.map((x) => x.type), part.map((x) => x.raison)],
    );
  }
}

/** The deposit's row: its file (name, size, hash, never kept), who, when, vintage, stated dates, bilan. */
export async function insertDepot(
  tx: Queryable,
  o: Pick<DepositOptions, "jeuId" | "actorId" | "now" | "annee" | "dateObservation" | "miseAJour">,
  depotId: string,
  file: { fileName: string; size: number; sha: string },
  lignes: number,
  bilan: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `INSERT INTO depot (id, jeu_id, nom_fichier, octets, sha256, chemin, depose_par, depose_le, annee, lignes, bilan,
       date_observation, date_mise_a_jour)
     VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $9, $10, $11, $12)`,
    [
      depotId,
      o.jeuId,
      file.fileName,
      file.size,
      file.sha,
      o.actorId,
      (o.now ?? new Date()).toISOString(),
      o.annee,
      lignes,
      JSON.stringify(bilan),
      o.dateObservation ?? null,
      o.miseAJour ?? null,
    ],
  );
}

export async function fileSha256(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** A mapping confirmed by column names, against the file's header. */
export function byName(fileName: string, header: readonly string[], names: Record<string, string>): Mapping {
  const out: Mapping = {};
  for (const [field, name] of Object.entries(names)) {
    if (name === "") continue;
    const i = header.indexOf(name);
    if (i < 0)
      throw invalide("colonne_absente", `${fileName} : la colonne « ${name} » n'existe pas dans le fichier.`);
    out[field] = i;
  }
  return out;
}

/** Fields declared absent the last time this annex was deposited. */
export async function rememberedAbsents(
  q: Queryable,
  conventionId: string,
  annexe: string,
): Promise<string[] | undefined> {
  const rows = await q.query<{ absents: string[] }>(
    "SELECT absents FROM correspondance_colonnes WHERE convention_id = $1 AND annexe = $2",
    [conventionId, annexe],
  );
  return rows[0]?.absents;
}

export async function rememberedMapping(
  q: Queryable,
  conventionId: string,
  annexe: string,
  header: readonly string[],
): Promise<Mapping | undefined> {
  const rows = await q.query<{ mapping: Record<string, string> }>(
    "SELECT mapping FROM correspondance_colonnes WHERE convention_id = $1 AND annexe = $2",
    [conventionId, annexe],
  );
  if (!rows[0]) return undefined;
  // Remembered by column name: next year's file may order columns differently.
  const out: Mapping = {};
  for (const [field, name] of Object.entries(rows[0].mapping)) {
    const i = header.indexOf(name);
    if (i >= 0) out[field] = i;
  }
  return out;
}

export async function depositIndividualFile(o: DepositOptions): Promise<DepositResult> {
  const g = o.geocoder;
  if (g === null || !("pourDepartements" in g)) return deposit(o, g, null);
  let loaded: Geocoder | BatchGeocoder | null = null;
  try {
    return await deposit(o, null, async (deps) => {
      loaded = await g.pourDepartements(deps);
      return loaded;
    });
  } finally {
    const l = loaded as Geocoder | BatchGeocoder | null;
    if (l && "close" in l) await l.close();
  }
}

async function deposit(
  o: DepositOptions,
  ready: Geocoder | BatchGeocoder | null,
  load: ((departements: string[] | null) => Promise<Geocoder | BatchGeocoder | null>) | null,
): Promise<DepositResult> {
  const jeu = await getJeu(o.db, o.jeuId);
  if (jeu.conventionId !== o.convention.id)
    throw invalide("jeu_autre_convention", "Ce jeu de données relève d'une autre convention.");
  if (jeu.statut === "detruit") throw conflit("jeu_detruit", "Ce jeu de données a été détruit.");
  const dataset = o.convention.jeux.find((d) => d.id === jeu.annexe);
  if (!dataset)
    throw invalide("annexe_inconnue", "L'annexe de ce jeu de données n'existe plus dans la convention.");
  if (dataset.kind !== "individuel")
    throw invalide(
      "pas_individuel",
      `« ${dataset.titre} » est un tableau agrégé, pas un fichier individuel.`,
    );

  checkStatedDates(o);
  const sha = await fileSha256(o.file);
  await refuseRepeatedDeposit(o.db, o.jeuId, sha);

  const t = await openTabular(o.file);
  const protocole = dataset.protocole ?? 2;
  const addressNames = new Set(addressFields(dataset).map((f) => f.nom));
  const merge = o.mappingMerge === true && o.mapping === undefined;
  const given = merge
    ? undefined
    : (o.mapping ?? (o.mappingByName ? byName(t.fileName, t.header, o.mappingByName) : undefined));
  let mapping =
    given ??
    (await rememberedMapping(o.db, o.convention.id, dataset.id, t.header)) ??
    proposeMapping(dataset.champs, t.header);
  // What this request itself maps: the whole mapping given, or the changes merged into the remembered one.
  let explicit: Mapping | undefined = given;
  if (merge && o.mappingByName) {
    const changes = byName(t.fileName, t.header, o.mappingByName);
    explicit = changes;
    mapping = { ...mapping };
    for (const [k, name] of Object.entries(o.mappingByName)) {
      const i = changes[k];
      // A column given to a key is taken from any other key.
      for (const [other, j] of Object.entries(mapping)) if (j === i && other !== k) delete mapping[other];
      if (i === undefined || name === "") delete mapping[k];
      else mapping[k] = i;
    }
  }
  // Absent fields are declared with the mapping they go with: a new mapping restates them.
  const absents = [
    ...new Set(
      o.absents ?? (given ? [] : ((await rememberedAbsents(o.db, o.convention.id, dataset.id)) ?? [])),
    ),
  ].filter((f) => mapping[f] === undefined);
  // A required field, or one this request also maps to a column, cannot be declared absent.
  const refused = absentsProblems(dataset, [...new Set(o.absents ?? [])], explicit, t.header);
  if (refused.length > 0) {
    await t.rows.return(undefined);
    throw invalide("champ_absent_refuse", `${t.fileName} : ${refused[0]}`, refused);
  }
  const problems = accountForFields(dataset, t.header, mapping, new Set(absents));
  if (problems.length > 0) {
    await t.rows.return(undefined);
    throw invalide("correspondance_colonnes", `${t.fileName} : ${problems[0]}`, problems);
  }
  const address = protocole === 2 ? addressColumns(dataset.champs, mapping) : [];
  const geocoder =
    load && protocole === 2 && address.length > 0
      ? await load(await departementsOfFile(o.file, address))
      : ready;
  if (protocole === 2 && !geocoder && address.length > 0)
    throw invalide(
      "referentiel_adresses_absent",
      "Aucun référentiel d'adresses n'est chargé : importez la BAN du département (socle geo import-ban) avant ce dépôt.",
    );

  const required = requiredFields(dataset.champs, protocole);
  const batcher: BatchGeocoder | null =
    protocole === 2 && geocoder && address.length > 0
      ? "parLots" in geocoder
        ? geocoder
        : inThread(geocoder)
      : null;
  const overlapped = geocoder !== null && "parLots" in geocoder;
  const report = new ProblemReport();
  const seen = new Set<string>();
  let doublons = 0;
  let sansIris = 0;
  let lignes = 0;
  const geocodage: Partial<Record<ResultType, number>> = {};
  const parRaison: Partial<Record<NoIrisReason, number>> = {};
  let noIris: { ligne: number; type: ResultType; raison: NoIrisReason }[] = [];
  const idField = dataset.champs.find((f) => f.type === "identifiant");
  const irisField = dataset.champs.find((f) => f.type === "code_iris");
  let n = 0;
  let tPseudo = 0;
  /** Time the geocoder spent (in its thread: it overlaps the rest when in a worker). */
  let tGeo = 0;
  let tWrite = 0;
  const tRead = performance.now();
  const depotId = crypto.randomUUID();
  let vintage: VintageSettlement = { mode: "initial", doublonsAnterieurs: 0, remplaces: 0 };
  // Rows are written as they are read, in one transaction: memory stays flat
  // for millions of rows, and any problem (or a kill) rolls everything back.
  await o.db.transaction(async (tx) => {
    o.onWrite?.();
    await insertDepot(tx, o, depotId, { fileName: t.fileName, size: t.size, sha }, 0, {});
    let buffer: MicroRow[] = [];
    const flush = async () => {
      if (buffer.length === 0 || report.total > 0) return;
      const tw = performance.now();
      await insertMicrodonnees(tx, o.jeuId, depotId, buffer);
      await writeNoIris(tx, depotId, noIris);
      tWrite += performance.now() - tw;
      buffer = [];
      noIris = [];
    };
    // Geocoding runs by batches, on the other core when a worker is given:
    // batch N is geocoded while batch N+1 is read and batch N−1 written.
    type Batch = { rows: MicroRow[]; parts: AddressQuery[] };
    let current: Batch = { rows: [], parts: [] };
    let pending: (Batch & { promise: ReturnType<BatchGeocoder["geocodeLot"]> }) | null = null;
    const complete = async (b: NonNullable<typeof pending>) => {
      const { results, ms } = await b.promise;
      tGeo += ms;
      results.forEach(([type, iris, raison], k) => {
        geocodage[type] = (geocodage[type] ?? 0) + 1;
        const row = b.rows[k] as MicroRow;
        row.codeIris = iris;
        if (!iris) {
          sansIris++;
          const why = raison ?? "voie_inconnue";
          parRaison[why] = (parRaison[why] ?? 0) + 1;
          noIris.push({ ligne: row.ligne, type, raison: why });
        }
      });
      buffer.push(...b.rows);
      if (buffer.length >= 10_000) await flush();
    };
    const dispatch = async () => {
      if (!batcher || current.rows.length === 0 || report.total > 0) return;
      const promise = batcher.geocodeLot(current.parts);
      if (pending) await complete(pending);
      pending = { ...current, promise };
      current = { rows: [], parts: [] };
    };
    for await (const r of t.rows) {
      n++;
      if (n % 5000 === 0) o.onProgress?.(n, t.bytesRead(), t.size);
      if (r.values.every((v) => v.trim() === "")) continue;
      const row = parseRow(dataset.champs, t.header, mapping, r.values, r.line, required, report.add);
      // After a first problem the file is only checked, to report every problem at once.
      if (!row || report.total > 0) continue;
      let ps: string;
      if (protocole === 2 && idField) {
        const tp = performance.now();
        ps = pseudonym(o.secret, String(row[idField.nom]));
        tPseudo += performance.now() - tp;
        if (seen.has(ps)) {
          doublons++;
          continue;
        }
        seen.add(ps);
      } else ps = `l${r.line}`;
      const codeIris: string | null = irisField ? ((row[irisField.nom] as string | null) ?? null) : null;
      const valeurs: Record<string, FieldValue> = {};
      for (const f of dataset.champs)
        if (
          f.type !== "identifiant" &&
          !addressNames.has(f.nom) &&
          f.type !== "code_iris" &&
          !absents.includes(f.nom)
        )
          valeurs[f.nom] = row[f.nom] ?? null;
      const micro: MicroRow = {
        ligne: r.line,
        pseudonyme: ps,
        codeIris,
        annee: o.annee,
        valeurs: valeurs as MicroRow["valeurs"],
      };
      lignes++;
      if (batcher) {
        current.rows.push(micro);
        current.parts.push(composeAddress(address, r.values));
        if (current.rows.length >= 5000) await dispatch();
      } else {
        if (!codeIris) {
          sansIris++;
          parRaison.adresse_vide = (parRaison.adresse_vide ?? 0) + 1;
          noIris.push({ ligne: r.line, type: "not_found", raison: "adresse_vide" });
        }
        buffer.push(micro);
        if (buffer.length >= 10_000) await flush();
      }
    }
    // The last batches.
    await dispatch();
    if (pending) await complete(pending);
    o.onProgress?.(n, t.size, t.size);
    if (report.total > 0)
      throw invalide(
        "depot_invalide",
        report.summary(t.fileName),
        report.first.map((p) => `${t.fileName}, ligne ${p.ligne}, colonne « ${p.colonne} » : ${p.probleme}`),
      );
    if (lignes === 0) throw invalide("depot_vide", `${t.fileName} : aucune ligne de données.`);
    await flush();
    vintage = await settleVintage(tx, o.jeuId, depotId, o.annee, o.mode);
    lignes -= vintage.doublonsAnterieurs;
    const bilan = {
      doublons,
      doublonsAnterieurs: vintage.doublonsAnterieurs,
      sansIris,
      geocodage,
      sansIrisParRaison: parRaison,
      champsAbsents: absents,
      format: t.format,
      encodage: t.encoding ?? null,
    };
    await tx.query("UPDATE depot SET lignes = $2, bilan = $3 WHERE id = $1", [
      depotId,
      lignes,
      JSON.stringify(bilan),
    ]);
    await appendAuditTx(tx, {
      actorId: o.actorId,
      action: "depot.individuel",
      target: depotId,
      detail: { jeu: o.jeuId, protocole, lignes, doublons, sansIris, champsAbsents: absents },
      ...(o.now ? { at: o.now } : {}),
    });
    await tx.query("UPDATE jeu_donnees SET statut = 'collecte' WHERE id = $1 AND statut = 'a_collecter'", [
      o.jeuId,
    ]);
    const byName = Object.fromEntries(Object.entries(mapping).map(([f, i]) => [f, t.header[i]]));
    await tx.query(
      `INSERT INTO correspondance_colonnes (convention_id, annexe, mapping, colonnes, absents) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (convention_id, annexe) DO UPDATE SET mapping = EXCLUDED.mapping, colonnes = EXCLUDED.colonnes,
         absents = EXCLUDED.absents, updated_at = now()`,
      [
        o.convention.id,
        dataset.id,
        JSON.stringify(byName),
        JSON.stringify(t.header),
        JSON.stringify(absents),
      ],
    );
  });
  const readMs = performance.now() - tRead;
  return {
    depotId,
    lignes,
    doublons,
    doublonsAnterieurs: vintage.doublonsAnterieurs,
    mode: vintage.mode,
    sansIris,
    geocodage,
    sansIrisParRaison: parRaison,
    mapping,
    absents,
    timings: {
      // In a worker, geocoding overlaps the rest: it is not part of this thread's time.
      lecture: (readMs - tPseudo - (overlapped ? 0 : tGeo) - tWrite) / 1000,
      pseudonymisation: tPseudo / 1000,
      geocodage: tGeo / 1000,
      ecriture: tWrite / 1000,
    },
  };
}

export interface DepositPreview {
  fichier: string;
  format: "csv" | "xlsx";
  encodage: string | null;
  colonnes: string[];
  champs: { nom: string; type: string; libelle: string; obligatoire: boolean }[];
  /** Field → proposed column index (remembered mapping first, then names). */
  proposition: Mapping;
  /** Per column: share of the first rows readable as the type of the field proposed for it. */
  lisibilite: Record<string, number>;
  lignesLues: number;
  /** Address parts the annex does not list, that a column of the file may give (`adresse.<part>`). */
  partiesAdresse: { cle: string; libelle: string }[];
  /** Fields declared absent last time (or as asked). */
  absents: string[];
  /** What the mapping still misses, as French questions (empty: the deposit can go). */
  questions: string[];
  /** How many of the first rows the address composed by the mapping finds (counts only, never a value). */
  adresses: {
    lues: number;
    avecIris: number;
    parType: Partial<Record<ResultType, number>>;
    parRaison: Partial<Record<NoIrisReason, number>>;
  } | null;
}

export interface PreviewOptions {
  /** The mapping the user is composing: field (or `adresse.<part>`) → column name. */
  mappingByName?: Record<string, string>;
  absents?: readonly string[];
  /** The address reference (or a loader of the départements the rows need), to count the rows it would find. */
  geocoder?: Geocoder | BatchGeocoder | GeocoderLoader | null;
}

/** What the user confirms before a deposit: columns, proposed mapping, readability; never a value. */
export async function previewDeposit(
  db: Queryable,
  convention: Convention,
  dataset: Dataset,
  file: string,
  options: PreviewOptions = {},
): Promise<DepositPreview> {
  const t = await openTabular(file);
  let proposition: Mapping;
  try {
    proposition =
      (options.mappingByName ? byName(t.fileName, t.header, options.mappingByName) : undefined) ??
      (await rememberedMapping(db, convention.id, dataset.id, t.header)) ??
      proposeMapping(dataset.champs, t.header);
  } catch (e) {
    await t.rows.return(undefined);
    throw e;
  }
  const absents = [
    ...(options.absents ??
      (options.mappingByName ? [] : ((await rememberedAbsents(db, convention.id, dataset.id)) ?? []))),
  ].filter((f) => proposition[f] === undefined);
  const protocole = dataset.protocole ?? 2;
  const address =
    protocole === 2 && dataset.kind === "individuel" ? addressColumns(dataset.champs, proposition) : [];
  const queries: AddressQuery[] = [];
  const required = requiredFields(dataset.champs, protocole);
  const ok: Record<string, number> = {};
  const seen: Record<string, number> = {};
  let n = 0;
  for await (const r of t.rows) {
    if (++n > 1000) break;
    for (const f of dataset.champs) {
      const i = proposition[f.nom];
      if (i === undefined) continue;
      const raw = r.values[i] ?? "";
      if (raw.trim() === "") continue;
      seen[f.nom] = (seen[f.nom] ?? 0) + 1;
      if (readField(f.type, raw).ok) ok[f.nom] = (ok[f.nom] ?? 0) + 1;
    }
    if (address.length > 0 && options.geocoder) queries.push(composeAddress(address, r.values));
  }
  await t.rows.return(undefined);
  let adresses: DepositPreview["adresses"] = null;
  let g = options.geocoder ?? null;
  let loaded = false;
  if (g && "pourDepartements" in g && address.length > 0) {
    g = await g.pourDepartements(departementsOfQueries(queries));
    loaded = true;
  }
  if (g && !("pourDepartements" in g) && address.length > 0) {
    const batcher = "parLots" in g ? g : inThread(g);
    const { results } = await batcher.geocodeLot(queries);
    adresses = { lues: results.length, avecIris: 0, parType: {}, parRaison: {} };
    for (const [type, iris, raison] of results) {
      adresses.parType[type] = (adresses.parType[type] ?? 0) + 1;
      if (iris) adresses.avecIris++;
      else if (raison) adresses.parRaison[raison] = (adresses.parRaison[raison] ?? 0) + 1;
    }
    if (loaded && "close" in g) await g.close();
  }
  return {
    fichier: t.fileName,
    format: t.format,
    encodage: t.encoding ?? null,
    colonnes: t.header,
    champs: dataset.champs.map((f) => ({
      nom: f.nom,
      type: f.type,
      libelle: f.libelle ?? f.nom.replace(/_/g, " "),
      obligatoire:
        required.has(f.nom) ||
        (protocole === 2 && f.type === "adresse") ||
        (protocole === 1 && f.type === "code_iris"),
    })),
    proposition,
    lisibilite: Object.fromEntries(Object.keys(seen).map((k) => [k, (ok[k] ?? 0) / (seen[k] as number)])),
    lignesLues: Math.min(n, 1000),
    partiesAdresse:
      protocole === 2 && dataset.kind === "individuel" && dataset.champs.some(isAddressField)
        ? ADDRESS_PARTS.filter((p) => !dataset.champs.some((f) => addressRoleOf(f) === p)).map((p) => ({
            cle: addressKey(p),
            libelle: ADDRESS_PART_FR[p],
          }))
        : [],
    absents,
    questions: [
      ...absentsProblems(
        dataset,
        options.absents ?? [],
        options.mappingByName ? byName(t.fileName, t.header, options.mappingByName) : undefined,
        t.header,
      ),
      ...(dataset.kind === "individuel"
        ? accountForFields(dataset, t.header, proposition, new Set(absents))
        : []),
    ],
    adresses,
  };
}
