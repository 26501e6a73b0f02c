/**
 * Indicator values from the releases a user may read: the latest release of
 * each dataset and vintage of the conventions given (the caller has checked
 * the `voir_sorties_protegees` right in each), in the reader view only, and
 * the INSEE denominators of the vintage. Never microdata, never a provider's
 * table as deposited: only frozen, protected releases.
 */

import type { Convention } from "../core/convention/model.js";
import {
  type IndicateurCatalogue,
  type LignePortrait,
  type PointSerie,
  type PortraitReponse,
  presentIndicator,
  type SerieReponse,
  type ValeurReference,
  type ValeursReponse,
  type ValeurTerritoire,
} from "../core/indicator/api.js";
import { type Atome, evaluer, type Lecture, type ValeurIndicateur } from "../core/indicator/derived.js";
import {
  type Indicateur,
  jeuxOfIndicator,
  type Niveau,
  type TranchePopulation,
  tranchesOf,
} from "../core/indicator/model.js";
import {
  indexRelease,
  type ReleaseIndex,
  readAtom,
  territoryKeyOf,
} from "../core/indicator/released-cells.js";
import { seriesBreaks, type VintageFacts } from "../core/indicator/series.js";
import { type ReleasedTable, readerView } from "../core/release/release.js";
import type { Queryable } from "../store/db.js";
import { type Denominator, type DenominatorLevel, denominators, FRANCE } from "../store/population.js";

interface ReadableRelease {
  id: string;
  conventionId: string;
  annexe: string;
  annee: number;
  zonage: string;
  mentionSource: string;
  index: ReleaseIndex;
}

export function catalogueEntry(i: Indicateur): IndicateurCatalogue {
  const f = i.formule;
  return presentIndicator(i, jeuxOfIndicator(i), [
    ...new Set([...tranchesOf(f.numerateur), ...(f.denominateur ? tranchesOf(f.denominateur) : [])]),
  ]);
}

/**
 * Reader-view indexes of frozen releases, by release id. A release never
 * changes once frozen, so its tables are read, filtered to the reader view
 * and indexed once; the dataset spec it was indexed with is kept beside it
 * (an avenant may change a dataset's columns: the index is then rebuilt).
 */
const INDEXES = new Map<string, { spec: string; index: ReleaseIndex }>();
const INDEX_CACHE_SIZE = 256;

/** Forgets the cached indexes (tests that compare a cold and a warm read). */
export function clearReleaseIndexCache(): void {
  INDEXES.clear();
  ANSWERS.clear();
}

/** The latest release of each dataset and vintage of these conventions that feeds these datasets. */
async function readableReleases(
  q: Queryable,
  conventions: readonly Convention[],
  jeux: readonly string[],
): Promise<ReadableRelease[]> {
  if (conventions.length === 0 || jeux.length === 0) return [];
  const rows = await q.query<{
    id: string;
    convention_id: string;
    annexe: string;
    annee: number;
    zonage: string;
    mention_source: string;
  }>(
    `SELECT DISTINCT ON (d.jeu_id, d.annee) d.id, d.convention_id, j.annexe, d.annee, d.zonage, d.mention_source
     FROM diffusion d JOIN jeu_donnees j ON j.id = d.jeu_id
     WHERE d.convention_id = ANY($1::text[]) AND j.annexe = ANY($2::text[]) AND j.statut <> 'detruit'
     ORDER BY d.jeu_id, d.annee, d.diffuse_le DESC, d.id`,
    [conventions.map((c) => c.id), [...jeux]],
  );
  const byId = new Map(conventions.map((c) => [c.id, c]));
  const specs = new Map<string, string>();
  const missing: string[] = [];
  for (const r of rows) {
    const dataset = byId.get(r.convention_id)?.jeux.find((d) => d.id === r.annexe);
    if (!dataset) continue;
    const spec = JSON.stringify(dataset);
    specs.set(r.id, spec);
    if (INDEXES.get(r.id)?.spec !== spec) missing.push(r.id);
  }
  if (missing.length > 0) {
    const frozen = await q.query<{
      id: string;
      convention_id: string;
      annexe: string;
      tableaux: ReleasedTable[];
    }>(
      `SELECT d.id, d.convention_id, j.annexe, d.tableaux FROM diffusion d JOIN jeu_donnees j ON j.id = d.jeu_id
       WHERE d.id = ANY($1::uuid[])`,
      [missing],
    );
    for (const r of frozen) {
      const dataset = byId.get(r.convention_id)?.jeux.find((d) => d.id === r.annexe);
      if (!dataset) continue;
      // The reader's view, whoever asks: an indicator leaves Socle.
      const { tableaux } = readerView({ tableaux: r.tableaux });
      INDEXES.delete(r.id);
      INDEXES.set(r.id, { spec: specs.get(r.id) ?? "", index: indexRelease(dataset, tableaux) });
      while (INDEXES.size > INDEX_CACHE_SIZE) INDEXES.delete(INDEXES.keys().next().value as string);
    }
  }
  const out: ReadableRelease[] = [];
  for (const r of rows) {
    const cached = INDEXES.get(r.id);
    if (!cached || cached.spec !== specs.get(r.id)) continue;
    out.push({
      id: r.id,
      conventionId: r.convention_id,
      annexe: r.annexe,
      annee: r.annee,
      zonage: r.zonage,
      mentionSource: r.mention_source,
      index: cached.index,
    });
  }
  // Same order for every request: by convention then dataset.
  return out.sort((a, b) => a.conventionId.localeCompare(b.conventionId) || a.annexe.localeCompare(b.annexe));
}

type RefNiveau = ValeurReference["niveau"];

interface Parents {
  /** Territory key → its references, nearest first (France last). */
  chain: Map<string, { niveau: RefNiveau; code: string }[]>;
  names: Map<string, string>;
}

const FRANCE_KEY = territoryKeyOf("france" as Niveau, FRANCE);

/** Reference chain of each territory from the COG: IRIS → commune → EPCI → département → France. */
async function parentsOf(q: Queryable, keys: readonly string[]): Promise<Parents> {
  const communes = new Set<string>();
  const epcis = new Set<string>();
  for (const k of keys) {
    const [niveau, code] = k.split(":") as [Niveau, string];
    if (niveau === "iris") communes.add(code.slice(0, 5));
    if (niveau === "commune") communes.add(code);
    if (niveau === "epci") epcis.add(code);
  }
  const cRows = await q.query<{ code: string; commune: string; epci: string | null; dep: string | null }>(
    `SELECT c.code, coalesce(c.commune_parent, c.code) AS commune, coalesce(m.epci_code, c.epci_code) AS epci,
            coalesce(m.departement_code, c.departement_code) AS dep
     FROM commune c LEFT JOIN commune m ON m.code = c.commune_parent WHERE c.code = ANY($1::text[])`,
    [[...communes]],
  );
  const commune = new Map(cRows.map((r) => [r.code, r]));
  for (const r of cRows) if (r.epci) epcis.add(r.epci);
  // An EPCI's département: the one most of its communes are in.
  const eRows = await q.query<{ epci: string; dep: string }>(
    `SELECT DISTINCT ON (epci_code) epci_code AS epci, departement_code AS dep FROM commune
     WHERE epci_code = ANY($1::text[]) AND kind = 'commune' AND departement_code IS NOT NULL
     GROUP BY epci_code, departement_code ORDER BY epci_code, count(*) DESC, departement_code`,
    [[...epcis]],
  );
  const epciDep = new Map(eRows.map((r) => [r.epci, r.dep]));
  const chain = new Map<string, { niveau: RefNiveau; code: string }[]>();
  const france = { niveau: "france" as const, code: FRANCE };
  const ofCommune = (code: string): { niveau: RefNiveau; code: string }[] => {
    const c = commune.get(code);
    if (!c) return [];
    return [
      ...(c.commune !== code ? [{ niveau: "commune" as const, code: c.commune }] : []),
      ...(c.epci ? [{ niveau: "epci" as const, code: c.epci }] : []),
      ...(c.dep ? [{ niveau: "departement" as const, code: c.dep }] : []),
    ];
  };
  for (const k of keys) {
    const [niveau, code] = k.split(":") as [Niveau, string];
    if (niveau === "iris") {
      const c = code.slice(0, 5);
      chain.set(k, [{ niveau: "commune", code: c }, ...ofCommune(c), france]);
    } else if (niveau === "commune") chain.set(k, [...ofCommune(code), france]);
    else if (niveau === "epci") {
      const d = epciDep.get(code);
      chain.set(k, [...(d ? [{ niveau: "departement" as const, code: d }] : []), france]);
    } else if (niveau === "departement") chain.set(k, [france]);
    else chain.set(k, [france]);
  }
  const all = new Map<string, { niveau: RefNiveau; code: string }>();
  for (const ps of chain.values()) for (const p of ps) all.set(territoryKeyOf(p.niveau as Niveau, p.code), p);
  const of = (n: RefNiveau) => [...all.values()].filter((p) => p.niveau === n).map((p) => p.code);
  const names = new Map<string, string>([[FRANCE_KEY, "France"]]);
  const named = await q.query<{ niveau: Niveau; code: string; nom: string }>(
    `SELECT 'commune' AS niveau, code, nom FROM commune WHERE code = ANY($1::text[])
     UNION ALL SELECT 'epci', code, nom FROM epci WHERE code = ANY($2::text[])
     UNION ALL SELECT 'departement', code, nom FROM departement WHERE code = ANY($3::text[])`,
    [of("commune"), of("epci"), of("departement")],
  );
  for (const n of named) names.set(territoryKeyOf(n.niveau, n.code), n.nom);
  return { chain, names };
}

/** Everything needed to evaluate an indicator on one vintage, with its evaluations memoised. */
interface Vintage {
  releases: ReadableRelease[];
  population: Map<string, Map<TranchePopulation, Denominator>>;
  memo: Map<string, ValeurIndicateur & { millesimePopulation: number | null }>;
}

const DENOMINATOR_LEVELS: readonly DenominatorLevel[] = ["iris", "commune", "epci", "departement", "france"];

async function vintage(
  q: Queryable,
  ind: Indicateur,
  releases: readonly ReadableRelease[],
  annee: number,
  keys: readonly string[],
): Promise<Vintage> {
  const rs = releases.filter((r) => r.annee === annee);
  const f = ind.formule;
  const tranches = [
    ...new Set([...tranchesOf(f.numerateur), ...(f.denominateur ? tranchesOf(f.denominateur) : [])]),
  ];
  const population = new Map<string, Map<TranchePopulation, Denominator>>();
  const jobs: Promise<void>[] = [];
  for (const tranche of tranches)
    for (const level of DENOMINATOR_LEVELS) {
      const codes = keys.filter((k) => k.startsWith(`${level}:`)).map((k) => k.slice(level.length + 1));
      jobs.push(
        denominators(q, level, tranche, annee, codes).then((found) => {
          for (const [code, d] of found) {
            const k = territoryKeyOf(level as Niveau, code);
            let m = population.get(k);
            if (!m) {
              m = new Map();
              population.set(k, m);
            }
            m.set(tranche, d);
          }
        }),
      );
    }
  await Promise.all(jobs);
  return { releases: rs, population, memo: new Map() };
}

function evaluate(
  ind: Indicateur,
  v: Vintage,
  key: string,
): ValeurIndicateur & { millesimePopulation: number | null } {
  const known = v.memo.get(key);
  if (known) return known;
  let millesimePopulation: number | null = null;
  const indexes = v.releases.map((r) => r.index);
  const lire = (a: Atome): Lecture => {
    if (a.kind !== "population") return readAtom(indexes, key, a);
    const d = v.population.get(key)?.get(a.tranche);
    if (!d) return { statut: "manquant" };
    millesimePopulation = d.annee;
    return { statut: "publie", valeur: d.valeur };
  };
  const value = { ...evaluer(ind.formule, lire), millesimePopulation };
  v.memo.set(key, value);
  return value;
}

function referencesOf(
  ind: Indicateur,
  v: Vintage,
  parents: Parents,
  key: string,
  nameOf: (k: string) => string,
) {
  const refs: ValeurReference[] = [];
  for (const p of parents.chain.get(key) ?? []) {
    const k = territoryKeyOf(p.niveau as Niveau, p.code);
    const r = evaluate(ind, v, k);
    // France is always listed, « non disponible » when no release or census import gives it.
    if (r.statut === "manquant" && p.niveau !== "france") continue;
    refs.push({ niveau: p.niveau, code: p.code, nom: nameOf(k), valeur: r.valeur, statut: r.statut });
  }
  return refs;
}

/** Territory keys a set of releases holds at a level, with their names. */
function territoriesAt(releases: readonly ReadableRelease[], niveau: Niveau) {
  const out = new Map<string, string>();
  for (const r of releases)
    for (const [k, t] of r.index.territories) if (t.niveau === niveau && !out.has(k)) out.set(k, t.nom);
  return out;
}

/** Members (IRIS or commune codes) of the zones of these keys, by zone id: what a map draws of a zone. */
async function zoneMembers(q: Queryable, keys: readonly string[]): Promise<Map<string, string[]>> {
  const ids = keys.map((k) => k.slice("zone:".length)).filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await q.query<{ id: string; code: string }>(
    "SELECT zone_id::text AS id, code FROM zone_member WHERE zone_id::text = ANY($1::text[]) ORDER BY zone_id, code",
    [ids],
  );
  for (const r of rows) out.set(r.id, [...(out.get(r.id) ?? []), r.code]);
  return out;
}

const allKeysOf = (keys: readonly string[], parents: Parents) => [
  ...new Set([
    ...keys,
    ...[...parents.chain.values()].flat().map((p) => territoryKeyOf(p.niveau as Niveau, p.code)),
  ]),
];

/** Values of one indicator at a level from releases already read (the latest vintage unless asked). */
async function valuesFrom(
  q: Queryable,
  all: readonly ReadableRelease[],
  ind: Indicateur,
  opts: { niveau: Niveau; millesime?: number; only?: (key: string, parents: Parents) => boolean },
): Promise<ValeursReponse> {
  const jeux = jeuxOfIndicator(ind);
  const releases = all.filter((r) => jeux.includes(r.annexe));
  const millesimes = [...new Set(releases.map((r) => r.annee))].sort((a, b) => b - a);
  const annee = opts.millesime ?? millesimes[0];
  const base = { indicateur: catalogueEntry(ind), niveau: opts.niveau, millesimes };
  if (annee === undefined || !millesimes.includes(annee))
    return { ...base, millesime: null, sources: [], valeurs: [] };
  const here = releases.filter((r) => r.annee === annee);
  const territories = territoriesAt(here, opts.niveau);
  let keys = [...territories.keys()];
  const parents = await parentsOf(q, keys);
  if (opts.only) {
    keys = keys.filter((k) => opts.only!(k, parents));
    if (keys.length === 0) return { ...base, millesime: annee, sources: [], valeurs: [] };
  }
  const v = await vintage(q, ind, releases, annee, allKeysOf(keys, parents));
  const nameOf = (k: string) =>
    parents.names.get(k) ??
    here.map((r) => r.index.territories.get(k)?.nom).find((n) => n !== undefined) ??
    k.slice(k.indexOf(":") + 1);
  const membres = opts.niveau === "zone" ? await zoneMembers(q, keys) : new Map<string, string[]>();
  const valeurs: ValeurTerritoire[] = keys.map((k) => {
    const r = evaluate(ind, v, k);
    const t = here.map((x) => x.index.territories.get(k)).find((x) => x !== undefined)!;
    const m = membres.get(t.code);
    return {
      ...(m ? { membres: m } : {}),
      code: t.code,
      nom: territories.get(k) ?? t.code,
      niveau: t.niveau,
      valeur: r.valeur,
      statut: r.statut,
      numerateur: r.numerateur,
      denominateur: r.denominateur,
      millesimePopulation: r.millesimePopulation,
      references: referencesOf(ind, v, parents, k, nameOf),
    };
  });
  valeurs.sort((a, b) => a.code.localeCompare(b.code));
  return {
    ...base,
    millesime: annee,
    sources: [...new Set(here.map((r) => r.mentionSource))],
    valeurs,
  };
}

/**
 * Whole answers, by indicator, level, vintage, the releases read and the
 * state of the INSEE table and the COG: the same question on the same frozen
 * releases gets the same answer, so a map opened again or a switch back to an
 * indicator costs one light query. Any import of populations or communes
 * changes the stamp (rows counted, newest transaction that wrote one).
 */
const ANSWERS = new Map<string, ValeursReponse>();
const ANSWER_CACHE_SIZE = 48;

async function referentialStamp(q: Queryable): Promise<string> {
  const r = await q.query<{ p: string; c: string }>(
    `SELECT (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM iris_population) AS p,
            (SELECT count(*) || '/' || coalesce(max(xmin::text::bigint), 0) FROM commune) AS c`,
  );
  return `${r[0]?.p}|${r[0]?.c}`;
}

export async function indicatorValues(
  q: Queryable,
  conventions: readonly Convention[],
  ind: Indicateur,
  opts: { niveau: Niveau; millesime?: number },
): Promise<ValeursReponse> {
  const [releases, stamp] = await Promise.all([
    readableReleases(q, conventions, jeuxOfIndicator(ind)),
    referentialStamp(q),
  ]);
  const key = [ind.id, opts.niveau, opts.millesime ?? "", stamp, ...releases.map((r) => r.id)].join("|");
  const known = ANSWERS.get(key);
  if (known) return known;
  const answer = await valuesFrom(q, releases, ind, opts);
  ANSWERS.set(key, answer);
  while (ANSWERS.size > ANSWER_CACHE_SIZE) ANSWERS.delete(ANSWERS.keys().next().value as string);
  return answer;
}

async function seriesFrom(
  q: Queryable,
  all: readonly ReadableRelease[],
  ind: Indicateur,
  territoire: { niveau: Niveau; code: string },
  parents: Parents,
): Promise<SerieReponse> {
  const jeux = jeuxOfIndicator(ind);
  const releases = all.filter((r) => jeux.includes(r.annexe));
  const key = territoryKeyOf(territoire.niveau, territoire.code);
  const allKeys = [
    key,
    ...(parents.chain.get(key) ?? []).map((p) => territoryKeyOf(p.niveau as Niveau, p.code)),
  ];
  const millesimes = [...new Set(releases.map((r) => r.annee))].sort((a, b) => a - b);
  let nom = parents.names.get(key);
  const facts: VintageFacts[] = [];
  const sources = new Set<string>();
  const nameOf = (k: string) => parents.names.get(k) ?? k.slice(k.indexOf(":") + 1);
  const holdingAt = millesimes
    .map((annee) => ({
      annee,
      holding: releases.filter((r) => r.annee === annee && r.index.territories.has(key)),
    }))
    // Only the releases that hold the territory make its point.
    .filter((h) => h.holding.length > 0);
  const vintages = await Promise.all(holdingAt.map((h) => vintage(q, ind, releases, h.annee, allKeys)));
  const points: PointSerie[] = holdingAt.map(({ annee, holding }, i) => {
    const v = vintages[i]!;
    nom ??= holding[0]?.index.territories.get(key)?.nom;
    const r = evaluate(ind, v, key);
    for (const h of holding) sources.add(h.mentionSource);
    facts.push({
      millesime: annee,
      zonages: holding.map((h) => h.zonage),
      sources: holding.map((h) => `${h.conventionId}/${h.annexe}`),
    });
    return {
      millesime: annee,
      valeur: r.valeur,
      statut: r.statut,
      numerateur: r.numerateur,
      denominateur: r.denominateur,
      millesimePopulation: r.millesimePopulation,
      references: referencesOf(ind, v, parents, key, nameOf),
    };
  });
  return {
    indicateur: catalogueEntry(ind),
    territoire: { ...territoire, nom: nom ?? territoire.code },
    points,
    ruptures: seriesBreaks(facts, ind.definitions ?? []),
    sources: [...sources],
  };
}

export async function indicatorSeries(
  q: Queryable,
  conventions: readonly Convention[],
  ind: Indicateur,
  territoire: { niveau: Niveau; code: string },
): Promise<SerieReponse> {
  const releases = await readableReleases(q, conventions, jeuxOfIndicator(ind));
  const parents = await parentsOf(q, [territoryKeyOf(territoire.niveau, territoire.code)]);
  return seriesFrom(q, releases, ind, territoire, parents);
}

/**
 * Everything a territory portrait shows, in one pass over the readable
 * releases: each indicator of the catalogue that has the territory at its
 * latest vintage (its value with references, and its series), and the IRIS
 * values inside the territory of the first indicator that has some (its map).
 */
export async function territoryPortrait(
  q: Queryable,
  conventions: readonly Convention[],
  catalogue: readonly Indicateur[],
  territoire: { niveau: Niveau; code: string },
): Promise<PortraitReponse> {
  const possibles = catalogue.filter((i) => i.niveaux.includes(territoire.niveau));
  const jeux = [...new Set(catalogue.flatMap(jeuxOfIndicator))];
  const releases = await readableReleases(q, conventions, jeux);
  const key = territoryKeyOf(territoire.niveau, territoire.code);
  const parents = await parentsOf(q, [key]);
  const lignes = (
    await Promise.all(
      possibles.map(async (ind): Promise<LignePortrait | null> => {
        const own = releases.filter((r) => jeuxOfIndicator(ind).includes(r.annexe));
        const millesime = Math.max(...own.map((r) => r.annee));
        const holding = own.filter((r) => r.annee === millesime && r.index.territories.has(key));
        if (holding.length === 0) return null;
        const serie = await seriesFrom(q, releases, ind, territoire, parents);
        const point = serie.points.find((p) => p.millesime === millesime);
        if (!point) return null;
        const { millesime: _m, ...valeur } = point;
        return {
          indicateur: serie.indicateur,
          millesime,
          sources: [...new Set(holding.map((r) => r.mentionSource))],
          valeur: { ...valeur, code: territoire.code, nom: serie.territoire.nom, niveau: territoire.niveau },
          serie,
        };
      }),
    )
  ).filter((l): l is LignePortrait => l !== null);
  let carte: ValeursReponse | null = null;
  const inside = (k: string, ps: Parents) =>
    ps.chain.get(k)?.some((p) => p.niveau === territoire.niveau && p.code === territoire.code) ?? false;
  if (territoire.niveau !== "iris")
    search: for (const ind of catalogue.filter((i) => i.niveaux.includes("iris"))) {
      const jeux = jeuxOfIndicator(ind);
      // The latest vintage whose releases hold IRIS (not every vintage of a dataset is by IRIS).
      const vintages = [
        ...new Set(
          releases
            .filter(
              (r) =>
                jeux.includes(r.annexe) && [...r.index.territories.values()].some((t) => t.niveau === "iris"),
            )
            .map((r) => r.annee),
        ),
      ].sort((a, b) => b - a);
      for (const millesime of vintages) {
        const v = await valuesFrom(q, releases, ind, { niveau: "iris", millesime, only: inside });
        if (v.valeurs.length > 0) {
          carte = v;
          break search;
        }
      }
    }
  // The conventions whose releases fed the portrait's lines (its commentary comments on them).
  const used = new Set(lignes.flatMap((l) => l.indicateur.jeux));
  const conventionsUsed = [
    ...new Set(
      releases.filter((r) => used.has(r.annexe) && r.index.territories.has(key)).map((r) => r.conventionId),
    ),
  ].sort();
  return {
    territoire: { ...territoire, nom: lignes[0]?.valeur.nom ?? parents.names.get(key) ?? territoire.code },
    lignes,
    carte,
    conventions: conventionsUsed,
  };
}
