/**
 * Publishing a release of a dataset: aggregate its pseudonymised rows by
 * territory and breakdown, protect all tables jointly (with earlier releases
 * of the same data) under the convention's rules, refuse unless the
 * independent audit passes, freeze the protected tables with their source
 * mention and record the release in the register and the audit log.
 */

import { isoDateInParis } from "../core/convention/dates.js";
import type { Convention, Dataset } from "../core/convention/model.js";
import type { FieldValue } from "../core/deposit/fields.js";
import { introuvable, invalide, SocleError } from "../core/errors.js";
import {
  breakdownsFor,
  buildReleaseTables,
  type CommuneInfo,
  ENSEMBLE,
  type Geography,
  type IrisInfo,
  TERRITOIRE,
} from "../core/release/aggregate.js";
import { type AggregatedRow, indicatorTables, TERRITORY_LABELS } from "../core/release/aggregated.js";
import {
  observationDate,
  type ReleasedTable,
  releasedTables,
  sourceMention,
  territoryLabel,
} from "../core/release/release.js";
import { protectTable } from "../core/secrecy/protect.js";
import type { SecrecyRules } from "../core/secrecy/rules.js";
import { cellKey, isSuppressed } from "../core/secrecy/rules.js";
import type { Highs } from "../core/secrecy/solver.js";
import { cellIndex } from "../core/table/table.js";
import { appendAuditTx } from "../store/audit.js";
import { getJeu } from "../store/datasets.js";
import type { Db, Queryable } from "../store/db.js";

export interface Release {
  id: string;
  conventionId: string;
  jeuId: string;
  annee: number;
  zonage: string;
  mentionSource: string;
  tableaux: ReleasedTable[];
  audit: { ok: boolean; primaires: number; secondaires: number; secondes: number; methode: string };
  /** Rows counted in no table: without an IRIS (address not found), per the deposit's geocoding. */
  nonLocalises: number;
  diffuseLe: string;
}

async function geographyOf(
  q: Queryable,
  irisCodes: readonly string[],
): Promise<
  Geography & {
    names: { iris: Map<string, string>; communes: Map<string, string>; epci: Map<string, string> };
  }
> {
  const communes = await q.query<{
    code: string;
    nom: string;
    epci_code: string | null;
    epci_nom: string | null;
  }>(
    `SELECT DISTINCT c.code, c.nom, c.epci_code, e.nom AS epci_nom FROM iris i
     JOIN commune c ON c.code = i.commune_code LEFT JOIN epci e ON e.code = c.epci_code
     WHERE i.code = ANY($1::text[]) ORDER BY c.code`,
    [irisCodes],
  );
  const iris = await q.query<{ code: string; nom: string | null; commune_code: string }>(
    "SELECT code, nom, commune_code FROM iris WHERE commune_code = ANY($1::text[]) ORDER BY code",
    [communes.map((c) => c.code)],
  );
  const irisInfo: IrisInfo[] = iris.map((i) => ({
    code: i.code,
    nom: i.nom ?? i.code,
    commune: i.commune_code,
  }));
  const communeInfo: CommuneInfo[] = communes.map((c) => ({ code: c.code, nom: c.nom, epci: c.epci_code }));
  return {
    iris: irisInfo,
    communes: communeInfo,
    names: {
      iris: new Map(irisInfo.map((i) => [i.code, i.nom])),
      communes: new Map(communeInfo.map((c) => [c.code, c.nom])),
      epci: new Map(
        communes.filter((c) => c.epci_code).map((c) => [c.epci_code!, c.epci_nom ?? c.epci_code!]),
      ),
    },
  };
}

async function irisPopulation(q: Queryable, codes: readonly string[]): Promise<Map<string, number>> {
  const rows = await q.query<{ iris_code: string; population: number }>(
    `SELECT DISTINCT ON (iris_code) iris_code, population::float8 AS population FROM iris_population
     WHERE iris_code = ANY($1::text[]) ORDER BY iris_code, annee DESC`,
    [codes],
  );
  return new Map(rows.map((r) => [r.iris_code, Number(r.population)]));
}

export interface PublishOptions {
  db: Db;
  highs: Highs;
  convention: Convention;
  jeuId: string;
  annee: number;
  actorId: string | null;
  now?: Date;
}

export async function publishRelease(o: PublishOptions): Promise<Release> {
  const now = o.now ?? new Date();
  const jeu = await getJeu(o.db, o.jeuId);
  if (jeu.conventionId !== o.convention.id)
    throw invalide("jeu_autre_convention", "Ce jeu de données relève d'une autre convention.");
  if (jeu.statut === "detruit") throw invalide("jeu_detruit", "Ce jeu de données a été détruit.");
  const dataset = o.convention.jeux.find((d) => d.id === jeu.annexe);
  if (!dataset)
    throw invalide("annexe_inconnue", "L'annexe de ce jeu de données n'existe plus dans la convention.");
  if (dataset.kind === "agrege") return publishAggregated(o, now, dataset);
  // Only the fields the breakdowns read, counted by distinct combination in
  // the database: far fewer rows than people to bring back.
  const used = dataset.champs.filter((f) => ["sexe", "gir", "oui_non", "date", "entier"].includes(f.type));
  const obsDate = observationDate(o.annee);
  // A birth date is only ever used as an age on the observation date: group by
  // that age, not by the date (thousands of dates, a hundred ages).
  const isBirth = (f: (typeof used)[number]) => f.type === "date" && /naiss/.test(f.nom);
  const expr = (f: (typeof used)[number]) => {
    const v = `valeurs->>'${f.nom.replace(/'/g, "''")}'`;
    return isBirth(f)
      ? `CASE WHEN ${v} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN date_part('year', age($3::date, (${v})::date))::int END`
      : v;
  };
  const grouped = await o.db.query<Record<string, string | number | null>>(
    `SELECT code_iris, ${used.map((f, k) => `${expr(f)} AS c${k}, `).join("")}count(*)::int AS n
     FROM microdonnee WHERE jeu_id = $1 AND annee = $2 GROUP BY ${["code_iris", ...used.map((_, k) => `c${k}`)].join(", ")}`,
    used.some(isBirth) ? [o.jeuId, o.annee, obsDate] : [o.jeuId, o.annee],
  );
  const [oy, omd] = [Number(obsDate.slice(0, 4)), obsDate.slice(4)];
  const typed = (f: (typeof used)[number], v: string | number | null): FieldValue => {
    if (v === null) return null;
    // Back to a birth date with exactly that age on the observation date.
    if (isBirth(f)) return `${String(oy - Number(v)).padStart(4, "0")}${omd}`;
    if (f.type === "gir" || f.type === "entier") return Number(v);
    if (f.type === "oui_non") return v === "true";
    return String(v);
  };
  const rows = grouped.map((g) => ({
    code_iris: g.code_iris as string | null,
    n: Number(g.n),
    valeurs: Object.fromEntries(used.map((f, k) => [f.nom, typed(f, g[`c${k}`] ?? null)])),
  }));
  if (rows.length === 0) throw invalide("rien_a_diffuser", `Aucune donnée ${o.annee} pour « ${jeu.titre} ».`);
  const codes = [...new Set(rows.map((r) => r.code_iris).filter((c): c is string => c !== null))];
  const geo = await geographyOf(o.db, codes);
  const obs = observationDate(o.annee);
  const built = buildReleaseTables(
    rows.map((r) => ({ codeIris: r.code_iris, valeurs: r.valeurs, count: r.n })),
    geo,
    dataset.niveaux,
    breakdownsFor(dataset, obs),
  );

  const secret = o.convention.secret;
  let zone: SecrecyRules["zone"];
  if (secret.zoneMinimum) {
    let population: Map<string, number>;
    if (secret.zoneUnite === "allocataires") {
      population = new Map();
      for (const r of rows)
        if (r.code_iris) population.set(r.code_iris, (population.get(r.code_iris) ?? 0) + r.n);
      for (const i of geo.iris) if (!population.has(i.code)) population.set(i.code, 0);
    } else
      population = await irisPopulation(
        o.db,
        geo.iris.map((i) => i.code),
      );
    zone = { variable: TERRITOIRE, minimum: secret.zoneMinimum, population };
  }
  const rules: SecrecyRules = {
    threshold: secret.seuil,
    protectZeros: secret.zerosSensibles,
    standard: "full",
    ...(zone ? { zone } : {}),
  };

  // Cells published by earlier releases of the same data are known to everyone.
  const earlier = await o.db.query<{ tableaux: ReleasedTable[] }>(
    "SELECT tableaux FROM diffusion WHERE jeu_id = $1 AND annee = $2",
    [o.jeuId, o.annee],
  );
  const find = cellIndex(built.set);
  const earlierPublished: number[] = [];
  for (const e of earlier)
    for (const t of e.tableaux) {
      const ti = built.set.tables.findIndex((s) => s.name === t.nom);
      if (ti < 0) continue;
      for (const cell of t.cellules) {
        if (cell.valeur === null) continue;
        const c = find(ti, cell.codes);
        if (c !== undefined) earlierPublished.push(c);
      }
    }

  const protection = protectTable(o.highs, built.set, rules, {
    ...(earlierPublished.length > 0 ? { earlierPublished } : {}),
  });
  if (!protection.audit.ok)
    throw new SocleError(
      "interdit",
      "audit_secret_echoue",
      `Diffusion refusée : l'audit du secret statistique a trouvé ${protection.audit.findings.length} cellule(s) mal protégée(s).`,
      protection.audit.findings.map((f) => f.message),
    );
  const breakdownLabels = new Map(built.breakdowns.map((b) => [b.nom, b]));
  const tableaux = releasedTables(
    built.set,
    protection.statuses,
    (variable, code) => {
      if (variable === TERRITOIRE) return territoryLabel(code, geo.names);
      if (code === "Total") return "Total";
      if (code === "nr") return "Non renseigné";
      return breakdownLabels.get(variable)?.modalites.find((m) => m.code === code)?.libelle ?? code;
    },
    (variable) =>
      variable === TERRITOIRE ? "Territoire" : (breakdownLabels.get(variable)?.libelle ?? variable),
  );
  return freeze(o, now, dataset.niveaux.join("+"), tableaux, {
    nonLocalises: built.nonLocalises,
    primaires: protection.primary,
    secondaires: protection.secondary,
    secondes: Math.round(protection.seconds * 100) / 100,
    methode: protection.method,
  });
}

/** Freezes released tables: the register, the audit log, the source mention. */
async function freeze(
  o: PublishOptions,
  now: Date,
  zonage: string,
  tableaux: ReleasedTable[],
  facts: { nonLocalises: number; primaires: number; secondaires: number; secondes: number; methode: string },
): Promise<Release> {
  // Defence in depth: no suppressed cell may carry a value past this point.
  for (const t of tableaux)
    for (const c of t.cellules)
      if (isSuppressed(c.statut) && c.valeur !== null) throw new Error("valeur secrète");
  const mentionSource = sourceMention(o.convention.mentionSource, {
    dateObservation: observationDate(o.annee),
    miseAJour: isoDateInParis(now),
    annee: o.annee,
  });
  const audit = { ok: true, ...facts };
  const id = crypto.randomUUID();
  await o.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO diffusion (id, convention_id, jeu_id, annee, zonage, mention_source, tableaux, audit, diffuse_par, diffuse_le)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        o.convention.id,
        o.jeuId,
        o.annee,
        zonage,
        mentionSource,
        JSON.stringify(tableaux),
        JSON.stringify(audit),
        o.actorId,
        now.toISOString(),
      ],
    );
    await appendAuditTx(tx, {
      actorId: o.actorId,
      action: "diffusion",
      target: id,
      detail: { convention: o.convention.id, jeu: o.jeuId, annee: o.annee, zonage, ...audit },
      at: now,
    });
  });
  return {
    id,
    conventionId: o.convention.id,
    jeuId: o.jeuId,
    annee: o.annee,
    zonage,
    mentionSource,
    tableaux,
    audit,
    nonLocalises: facts.nonLocalises,
    diffuseLe: now.toISOString(),
  };
}

/**
 * An aggregated dataset (counts by commune): one table per indicator, each
 * protected on its own (indicators do not add up), the provider's blanks
 * kept secret, communes under the population minimum hidden.
 */
async function publishAggregated(o: PublishOptions, now: Date, dataset: Dataset): Promise<Release> {
  const stored = await o.db.query<{
    cellules: { annee: number; lignes: AggregatedRow[]; indicateurs: string[] };
  }>("SELECT cellules FROM tableau_derive WHERE jeu_id = $1 AND nom = $2 ORDER BY created_at DESC LIMIT 1", [
    o.jeuId,
    `depot ${o.annee}`,
  ]);
  const data = stored[0]?.cellules;
  if (!data) throw invalide("rien_a_diffuser", `Aucun tableau ${o.annee} déposé pour « ${dataset.titre} ».`);
  const tables = indicatorTables(data.lignes, data.indicateurs, o.convention.secret.seuil);
  const communes = data.lignes.flatMap((r) => (r.territoire.kind === "commune" ? [r.territoire.code] : []));
  const info = await o.db.query<{ code: string; nom: string; population: number | null }>(
    `SELECT c.code, c.nom, coalesce(c.population::float8, (SELECT sum(p.population) FROM iris i
       JOIN LATERAL (SELECT population FROM iris_population WHERE iris_code = i.code ORDER BY annee DESC LIMIT 1) p ON true
       WHERE i.commune_code = c.code)) AS population
     FROM commune c WHERE c.code = ANY($1::text[])`,
    [communes],
  );
  const names = new Map(info.map((c) => [c.code, c.nom]));
  const secret = o.convention.secret;
  const population = new Map(
    info.filter((c) => c.population !== null).map((c) => [c.code, Number(c.population)] as const),
  );
  const highs = o.highs;
  const tableaux: ReleasedTable[] = [];
  let primaires = 0;
  let secondaires = 0;
  let secondes = 0;
  for (const t of tables) {
    const manual = new Set(t.masquees.map((c) => cellKey(0, [c])));
    if (t.ensembleInconnu) manual.add(cellKey(0, [ENSEMBLE]));
    const rules: SecrecyRules = {
      threshold: secret.seuil,
      protectZeros: secret.zerosSensibles,
      standard: "full",
      manual,
      ...(secret.zoneMinimum && secret.zoneUnite !== "allocataires"
        ? { zone: { variable: TERRITOIRE, minimum: secret.zoneMinimum, population } }
        : {}),
    };
    const protection = protectTable(highs, t.set, rules);
    if (!protection.audit.ok)
      throw new SocleError(
        "interdit",
        "audit_secret_echoue",
        `Diffusion refusée : l'audit du secret statistique a trouvé ${protection.audit.findings.length} cellule(s) mal protégée(s) (« ${t.indicateur} »).`,
        protection.audit.findings.map((f) => f.message),
      );
    primaires += protection.primary;
    secondaires += protection.secondary;
    secondes += protection.seconds;
    const libelle =
      dataset.champs.find((f) => f.nom === t.indicateur)?.libelle ?? t.indicateur.replace(/_/g, " ");
    const [table] = releasedTables(
      t.set,
      protection.statuses,
      (_v, code) =>
        code === ENSEMBLE ? "Ensemble du territoire" : (TERRITORY_LABELS[code] ?? names.get(code) ?? code),
      () => "Territoire",
    );
    tableaux.push({ ...table!, nom: libelle.charAt(0).toUpperCase() + libelle.slice(1) });
  }
  return freeze(o, now, dataset.niveaux.join("+"), tableaux, {
    nonLocalises: 0,
    primaires,
    secondaires,
    secondes: Math.round(secondes * 100) / 100,
    methode: "fast",
  });
}

export async function getRelease(q: Queryable, id: string): Promise<Release> {
  const rows = await q.query<{
    id: string;
    convention_id: string;
    jeu_id: string;
    annee: number;
    zonage: string;
    mention_source: string;
    tableaux: ReleasedTable[];
    audit: Release["audit"];
    diffuse_le: Date | string;
  }>("SELECT * FROM diffusion WHERE id = $1", [id]);
  const r = rows[0];
  if (!r) throw introuvable("diffusion_introuvable", "Diffusion introuvable.");
  return {
    id: r.id,
    conventionId: r.convention_id,
    jeuId: r.jeu_id,
    annee: r.annee,
    zonage: r.zonage,
    mentionSource: r.mention_source,
    tableaux: r.tableaux,
    audit: r.audit,
    nonLocalises: (r.audit as { nonLocalises?: number }).nonLocalises ?? 0,
    diffuseLe: new Date(r.diffuse_le).toISOString(),
  };
}

/** The release register of a convention (without the tables). */
export async function listReleases(
  q: Queryable,
  conventionId: string,
): Promise<
  {
    id: string;
    jeuId: string;
    jeu: string;
    annee: number;
    zonage: string;
    mentionSource: string;
    diffuseLe: string;
  }[]
> {
  const rows = await q.query<{
    id: string;
    jeu_id: string;
    titre: string;
    annee: number;
    zonage: string;
    mention_source: string;
    diffuse_le: Date | string;
  }>(
    `SELECT d.id, d.jeu_id, j.titre, d.annee, d.zonage, d.mention_source, d.diffuse_le
     FROM diffusion d JOIN jeu_donnees j ON j.id = d.jeu_id WHERE d.convention_id = $1 ORDER BY d.diffuse_le DESC`,
    [conventionId],
  );
  return rows.map((r) => ({
    id: r.id,
    jeuId: r.jeu_id,
    jeu: r.titre,
    annee: r.annee,
    zonage: r.zonage,
    mentionSource: r.mention_source,
    diffuseLe: new Date(r.diffuse_le).toISOString(),
  }));
}
