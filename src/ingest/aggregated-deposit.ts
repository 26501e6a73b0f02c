/**
 * Aggregated deposits: a provider's table by territory (one row per commune,
 * IRIS, EPCI, département, zone, abroad, unknown commune or total; one
 * column per indicator of the annex) and IRIS-level tables in long or wide
 * form (Dijon: `code_iris;indicateur;valeur`, or one column per indicator).
 * Read, checked line by line (French problems naming file, line and column,
 * never a value), stored as tables (they hold no person), all or nothing;
 * released through the same engine as every table (release/publish-aggregated.ts).
 */
import type { Convention, Dataset } from "../core/convention/model.js";
import { type IrisTableForm, IrisTableReader, isIrisTableAnnex } from "../core/deposit/iris-table.js";
import { absentsProblems, type Mapping, mappingProblems, proposeMapping } from "../core/deposit/mapping.js";
import { ProblemReport, type RowProblem } from "../core/deposit/validate.js";
import { conflit, invalide } from "../core/errors.js";
import {
  type AggregatedRow,
  readIndicator,
  readRate,
  readTerritory,
  territoryKey,
} from "../core/release/aggregated.js";
import { getJeu, refuseRepeatedDeposit } from "../store/datasets.js";
import type { Queryable } from "../store/db.js";
import { territoryResolver } from "../store/territory-names.js";
import {
  byName,
  checkStatedDates,
  type DepositOptions,
  fileSha256,
  insertDepot,
  rememberedAbsents,
  rememberedMapping,
} from "./deposit.js";
import { openTabular } from "./tabular-stream.js";

export interface AggregatedDepositResult {
  depotId: string;
  lignes: number;
  indicateurs: string[];
  /** The vintages found (one, or a multi-year series). */
  annees: number[];
  masquees: number;
  /** Indicators of the annex declared absent from this table. */
  absents: string[];
  speciales: { etranger: boolean; inconnue: boolean; total: boolean };
  /** IRIS tables: the form the file was read in. */
  forme?: IrisTableForm;
}

/**
 * An aggregated table (counts by commune): the territory column and one
 * column per indicator of the annex; blanks and « s » are cells the
 * provider kept secret; 99999 (abroad), XXXXX (unknown commune) and a total
 * row are recognised. Stored as received (it holds no person), all or nothing.
 */
export async function depositAggregatedFile(
  o: Omit<DepositOptions, "secret" | "geocoder">,
): Promise<AggregatedDepositResult> {
  const jeu = await getJeu(o.db, o.jeuId);
  const dataset = o.convention.jeux.find((d) => d.id === jeu.annexe);
  if (dataset?.kind !== "agrege")
    throw invalide("pas_agrege", "Ce jeu de données n'est pas un tableau agrégé.");
  if (jeu.statut === "detruit") throw conflit("jeu_detruit", "Ce jeu de données a été détruit.");
  checkStatedDates(o);
  if (isIrisTableAnnex(dataset)) return depositIrisTable(o, dataset);
  const sha = await fileSha256(o.file);
  await refuseRepeatedDeposit(o.db, o.jeuId, sha);
  const t = await openTabular(o.file);
  const territoryField = dataset.champs.find((f) => f.type === "code_commune" || f.nom === "territoire");
  if (!territoryField)
    throw invalide("annexe_sans_territoire", "L'annexe ne décrit pas de colonne de territoire.");
  // A multi-year series (Béthune 2017–2021) carries its year in a column.
  const yearField = dataset.champs.find((f) => f.nom === "annee");
  const indicators = dataset.champs.filter(
    (f) =>
      f !== territoryField &&
      f !== yearField &&
      (f.type === "entier" || f.type === "montant" || f.type === "taux"),
  );
  const parties = await o.db.query<{ organisation_id: string }>(
    "SELECT organisation_id FROM convention_partie WHERE convention_id = $1",
    [o.convention.id],
  );
  const resolve = await territoryResolver(
    o.db,
    parties.map((p) => p.organisation_id),
  );
  const given = o.mapping ?? (o.mappingByName ? byName(t.fileName, t.header, o.mappingByName) : undefined);
  // The mapping remembered from the annex's last file, when its territory column is still there.
  const remembered = given ? undefined : await rememberedMapping(o.db, o.convention.id, dataset.id, t.header);
  const fromMemory = remembered !== undefined && remembered[territoryField.nom] !== undefined;
  const mapping = given ?? (fromMemory ? remembered : proposeMapping(dataset.champs, t.header));
  const problems = mappingProblems([territoryField], t.header, mapping);
  if (problems.length > 0) {
    await t.rows.return(undefined);
    throw invalide("correspondance_colonnes", `${t.fileName} : ${problems[0]}`, problems);
  }
  const present = indicators.filter((f) => mapping[f.nom] !== undefined);
  // An indicator of the annex is never dropped without a word: mapped, or declared absent
  // (now, or with the remembered mapping this file is read with).
  const declared =
    o.absents ?? (fromMemory ? ((await rememberedAbsents(o.db, o.convention.id, dataset.id)) ?? []) : []);
  const absents = [...new Set(declared)].filter((f) => mapping[f] === undefined);
  const unknown = absents.filter((a) => !dataset.champs.some((f) => f.nom === a));
  const missing = indicators.filter((f) => mapping[f.nom] === undefined && !absents.includes(f.nom));
  // A required field, or one this request also maps to a column, cannot be declared absent.
  const refused = absentsProblems(dataset, [...new Set(o.absents ?? [])], given, t.header);
  if (refused.length > 0) {
    await t.rows.return(undefined);
    throw invalide("champ_absent_refuse", `${t.fileName} : ${refused[0]}`, refused);
  }
  const requiredAbsent = dataset.champs.filter((f) => f.requis && absents.includes(f.nom));
  if (requiredAbsent.length > 0) {
    await t.rows.return(undefined);
    const m = absentsProblems(dataset, absents, undefined, t.header);
    throw invalide("champ_requis_absent", `${t.fileName} : ${m[0]}`, m);
  }
  const questions = [
    ...unknown.map(
      (a) => `« ${a} » n'est pas un champ de l'annexe « ${dataset.titre} » : il ne peut être déclaré absent.`,
    ),
    ...missing.map(
      (f) =>
        `Quelle colonne du fichier contient « ${f.libelle ?? f.nom.replace(/_/g, " ")} » (champ ${f.nom} de l'annexe « ${dataset.titre} ») ? S'il manque dans ce dépôt, déclarez-le absent : il ne sera pas diffusé.`,
    ),
  ];
  if (questions.length > 0 && present.length > 0) {
    await t.rows.return(undefined);
    throw invalide("correspondance_colonnes", `${t.fileName} : ${questions[0]}`, questions);
  }
  if (present.length === 0)
    throw invalide(
      "aucun_indicateur",
      `${t.fileName} : aucune colonne d'indicateur de l'annexe n'a été trouvée.`,
    );
  const report = new ProblemReport();
  const byYear = new Map<number, AggregatedRow[]>();
  const seenCodes = new Set<string>();
  const seenKinds = new Set<string>();
  const yearCol = yearField ? mapping[yearField.nom] : undefined;
  for await (const r of t.rows) {
    if (r.values.every((v) => v.trim() === "")) continue;
    let annee = o.annee;
    if (yearCol !== undefined) {
      const y = Number((r.values[yearCol] ?? "").trim());
      if (!Number.isInteger(y) || y < 1990 || y > 2100) {
        report.add({
          ligne: r.line,
          colonne: t.header[yearCol] ?? "annee",
          probleme: "année illisible, attendu : AAAA",
        });
        continue;
      }
      annee = y;
    }
    const ti = mapping[territoryField.nom]!;
    const raw = r.values[ti] ?? "";
    const named = readTerritory(raw) ?? resolve(raw);
    const colonne = t.header[ti] ?? "territoire";
    if (!named || named === "ambigu") {
      report.add({
        ligne: r.line,
        colonne,
        probleme:
          named === "ambigu"
            ? "nom de territoire ambigu (plusieurs communes ou territoires portent ce nom) : donnez son code"
            : "territoire inconnu, attendu : code ou nom d'une commune, code IRIS, SIREN ou nom d'EPCI, département, zone de la convention, 99999, XXXXX ou Total",
      });
      continue;
    }
    const terr = named;
    const key = `${annee}|${territoryKey(terr)}`;
    seenKinds.add(terr.kind);
    if (seenCodes.has(key)) {
      report.add({ ligne: r.line, colonne, probleme: "territoire déjà présent sur une ligne précédente" });
      continue;
    }
    seenCodes.add(key);
    const valeurs: Record<string, number | null> = {};
    for (const f of present) {
      const i = mapping[f.nom]!;
      const v = f.type === "taux" ? readRate(r.values[i] ?? "") : readIndicator(r.values[i] ?? "");
      if (!v.ok)
        report.add({
          ligne: r.line,
          colonne: t.header[i] ?? f.nom,
          probleme:
            f.type === "taux"
              ? "valeur illisible, attendu : un taux ou une part (ex. 12,5 ou 12,5 %), vide ou « s » si masqué"
              : "valeur illisible, attendu : un effectif entier positif, vide ou « s » si masqué",
        });
      else valeurs[f.nom] = v.value;
    }
    byYear.set(annee, [...(byYear.get(annee) ?? []), { territoire: terr, valeurs }]);
  }
  if (report.total > 0)
    throw invalide(
      "depot_invalide",
      report.summary(t.fileName),
      report.first.map((p) => `${t.fileName}, ligne ${p.ligne}, colonne « ${p.colonne} » : ${p.probleme}`),
    );
  const lignes = [...byYear.values()].flat();
  if (lignes.length === 0) throw invalide("depot_vide", `${t.fileName} : aucune ligne de données.`);
  const indicateurs = present.filter((f) => f.type !== "taux").map((f) => f.nom);
  const taux = present.filter((f) => f.type === "taux").map((f) => f.nom);
  const annees = [...byYear.keys()].sort();
  const masquees = lignes.reduce((n, l) => n + Object.values(l.valeurs).filter((v) => v === null).length, 0);
  const depotId = await storeTables(o, dataset, t, sha, byYear, {
    masquees,
    indicateurs,
    taux,
    annees,
    absents,
    mapping,
  });
  return {
    depotId,
    lignes: lignes.length,
    indicateurs,
    annees,
    masquees,
    absents,
    speciales: {
      etranger: seenKinds.has("etranger"),
      inconnue: seenKinds.has("inconnue"),
      total: seenKinds.has("total"),
    },
  };
}

/** What one aggregated deposit stores: the deposit with its dates and bilan, one table per vintage. */
async function storeTables(
  o: Omit<DepositOptions, "secret" | "geocoder">,
  dataset: Dataset,
  t: { fileName: string; size: number; header: readonly string[] },
  sha: string,
  byYear: ReadonlyMap<number, AggregatedRow[]>,
  s: {
    masquees: number;
    indicateurs: string[];
    taux: string[];
    annees: number[];
    absents: string[];
    mapping: Mapping;
    forme?: IrisTableForm;
  },
): Promise<string> {
  const depotId = crypto.randomUUID();
  const lignes = [...byYear.values()].reduce((n, rows) => n + rows.length, 0);
  await o.db.transaction(async (tx) => {
    await insertDepot(tx, o, depotId, { fileName: t.fileName, size: t.size, sha }, lignes, {
      masquees: s.masquees,
      indicateurs: [...s.indicateurs, ...s.taux],
      annees: s.annees,
      champsAbsents: s.absents,
      ...(s.forme ? { forme: s.forme } : {}),
    });
    for (const [annee, rows] of byYear)
      await tx.query("INSERT INTO tableau_derive (jeu_id, nom, cellules) VALUES ($1, $2, $3)", [
        o.jeuId,
        `depot ${annee}`,
        JSON.stringify({ annee, lignes: rows, indicateurs: s.indicateurs, taux: s.taux, depot: depotId }),
      ]);
    await tx.query("UPDATE jeu_donnees SET statut = 'collecte' WHERE id = $1 AND statut = 'a_collecter'", [
      o.jeuId,
    ]);
    await rememberMapping(tx, o.convention, dataset, t.header, s.mapping, s.absents);
  });
  return depotId;
}

/** The mapping by column name and the absent fields, for the annex's next file (as the UI and the CLI give them). */
async function rememberMapping(
  tx: Queryable,
  convention: Convention,
  dataset: Dataset,
  header: readonly string[],
  mapping: Mapping,
  absents: readonly string[],
): Promise<void> {
  const named = Object.fromEntries(Object.entries(mapping).map(([f, i]) => [f, header[i]]));
  await tx.query(
    `INSERT INTO correspondance_colonnes (convention_id, annexe, mapping, colonnes, absents) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (convention_id, annexe) DO UPDATE SET mapping = EXCLUDED.mapping, colonnes = EXCLUDED.colonnes,
       absents = EXCLUDED.absents, updated_at = now()`,
    [convention.id, dataset.id, JSON.stringify(named), JSON.stringify(header), JSON.stringify(absents)],
  );
}

/**
 * An IRIS-level table (Dijon), long or wide: every line checked, every IRIS
 * known to the IRIS reference (contours imported), each IRIS (or IRIS ×
 * indicator) once; stored as one table of the vintage.
 */
async function depositIrisTable(
  o: Omit<DepositOptions, "secret" | "geocoder">,
  dataset: Dataset,
): Promise<AggregatedDepositResult> {
  const sha = await fileSha256(o.file);
  await refuseRepeatedDeposit(o.db, o.jeuId, sha);
  const t = await openTabular(o.file);
  const irisField = dataset.champs.find((f) => f.type === "code_iris")!;
  const given = o.mapping ?? (o.mappingByName ? byName(t.fileName, t.header, o.mappingByName) : undefined);
  const remembered = given ? undefined : await rememberedMapping(o.db, o.convention.id, dataset.id, t.header);
  const mapping =
    given ??
    (remembered && remembered[irisField.nom] !== undefined
      ? remembered
      : proposeMapping(dataset.champs, t.header));
  const problems = mappingProblems([irisField], t.header, mapping);
  if (problems.length > 0) {
    await t.rows.return(undefined);
    throw invalide("correspondance_colonnes", `${t.fileName} : ${problems[0]}`, problems);
  }
  const reader = new IrisTableReader(dataset, t.header, mapping);
  if (reader.form === "large" && reader.indicatorColumns.length === 0) {
    await t.rows.return(undefined);
    throw invalide(
      "aucun_indicateur",
      `${t.fileName} : aucune colonne d'indicateur (attendu : code_iris;indicateur;valeur, ou une colonne par indicateur).`,
    );
  }
  const found: RowProblem[] = [];
  for await (const r of t.rows) {
    if (r.values.every((v) => v.trim() === "")) continue;
    reader.add(r.values, r.line, (p) => found.push(p));
  }
  // Every IRIS must be one of the reference's (its contours imported).
  const lines = reader.irisLines;
  const known = new Set(
    (
      await o.db.query<{ code: string }>("SELECT code FROM iris WHERE code = ANY($1::text[])", [
        [...lines.keys()],
      ])
    ).map((r) => r.code),
  );
  const unknown: RowProblem[] = [...lines]
    .filter(([code]) => !known.has(code))
    .map(([, ligne]) => ({
      ligne,
      colonne: t.header[mapping[irisField.nom]!] ?? irisField.nom,
      probleme:
        "IRIS inconnu du référentiel (contours IRIS importés) : vérifiez le code ou importez les IRIS de la commune",
    }));
  // Problems in the file's order, whichever check found them.
  const report = new ProblemReport();
  for (const p of [...found, ...unknown].sort((a, b) => a.ligne - b.ligne)) report.add(p);
  if (report.total > 0)
    throw invalide(
      "depot_invalide",
      report.summary(t.fileName),
      report.first.map((p) => `${t.fileName}, ligne ${p.ligne}, colonne « ${p.colonne} » : ${p.probleme}`),
    );
  const { lignes, indicateurs, taux } = reader.result();
  if (lignes.length === 0) throw invalide("depot_vide", `${t.fileName} : aucune ligne de données.`);
  const masquees = lignes.reduce((n, l) => n + Object.values(l.valeurs).filter((v) => v === null).length, 0);
  const absents: string[] = [];
  const depotId = await storeTables(o, dataset, t, sha, new Map([[o.annee, lignes]]), {
    masquees,
    indicateurs,
    taux,
    annees: [o.annee],
    absents,
    mapping,
    forme: reader.form,
  });
  return {
    depotId,
    lignes: lignes.length,
    indicateurs: [...indicateurs, ...taux],
    annees: [o.annee],
    masquees,
    absents,
    speciales: { etranger: false, inconnue: false, total: false },
    forme: reader.form,
  };
}
