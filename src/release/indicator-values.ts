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
  type PointSerie,
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
import { type ReleasedTable, readerView } from "../core/release/release.js";
import type { Queryable } from "../store/db.js";
import { type Denominator, type DenominatorLevel, denominators } from "../store/population.js";

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

/** The latest release of each dataset and vintage of these conventions that feeds the indicator. */
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
    tableaux: ReleasedTable[];
  }>(
    `SELECT DISTINCT ON (d.jeu_id, d.annee) d.id, d.convention_id, j.annexe, d.annee, d.zonage, d.mention_source, d.tableaux
     FROM diffusion d JOIN jeu_donnees j ON j.id = d.jeu_id
     WHERE d.convention_id = ANY($1::text[]) AND j.annexe = ANY($2::text[]) AND j.statut <> 'detruit'
     ORDER BY d.jeu_id, d.annee, d.diffuse_le DESC, d.id`,
    [conventions.map((c) => c.id), [...jeux]],
  );
  const byId = new Map(conventions.map((c) => [c.id, c]));
  const out: ReadableRelease[] = [];
  for (const r of rows) {
    const dataset = byId.get(r.convention_id)?.jeux.find((d) => d.id === r.annexe);
    if (!dataset) continue;
    // The reader's view, whoever asks: an indicator leaves Socle.
    const { tableaux } = readerView({ tableaux: r.tableaux });
    out.push({
      id: r.id,
      conventionId: r.convention_id,
      annexe: r.annexe,
      annee: r.annee,
      zonage: r.zonage,
      mentionSource: r.mention_source,
      index: indexRelease(dataset, tableaux),
    });
  }
  // Same order for every request: by convention then dataset.
  return out.sort((a, b) => a.conventionId.localeCompare(b.conventionId) || a.annexe.localeCompare(b.annexe));
}

interface Parents {
  /** Territory key → its references, nearest first. */
  chain: Map<string, { niveau: Niveau; code: string }[]>;
  names: Map<string, string>;
}

/** Reference chain of each territory from the COG: IRIS → commune → EPCI → département. */
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
  const chain = new Map<string, { niveau: Niveau; code: string }[]>();
  const ofCommune = (code: string): { niveau: Niveau; code: string }[] => {
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
      chain.set(k, [{ niveau: "commune", code: c }, ...ofCommune(c)]);
    } else if (niveau === "commune") chain.set(k, ofCommune(code));
    else if (niveau === "epci") {
      const d = epciDep.get(code);
      chain.set(k, d ? [{ niveau: "departement", code: d }] : []);
    } else chain.set(k, []);
  }
  const all = [...chain.values()].flat();
  const names = new Map<string, string>();
  const named = await q.query<{ niveau: Niveau; code: string; nom: string }>(
    `SELECT 'commune' AS niveau, code, nom FROM commune WHERE code = ANY($1::text[])
     UNION ALL SELECT 'epci', code, nom FROM epci WHERE code = ANY($2::text[])
     UNION ALL SELECT 'departement', code, nom FROM departement WHERE code = ANY($3::text[])`,
    [
      all.filter((p) => p.niveau === "commune").map((p) => p.code),
      all.filter((p) => p.niveau === "epci").map((p) => p.code),
      all.filter((p) => p.niveau === "departement").map((p) => p.code),
    ],
  );
  for (const n of named) names.set(territoryKeyOf(n.niveau, n.code), n.nom);
  return { chain, names };
}

/** Everything needed to evaluate an indicator on one vintage. */
interface Vintage {
  releases: ReadableRelease[];
  population: Map<string, Map<TranchePopulation, Denominator>>;
}

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
  for (const tranche of tranches)
    for (const level of ["iris", "commune", "epci", "departement"] as DenominatorLevel[]) {
      const codes = keys.filter((k) => k.startsWith(`${level}:`)).map((k) => k.slice(level.length + 1));
      for (const [code, d] of await denominators(q, level, tranche, annee, codes)) {
        const k = territoryKeyOf(level, code);
        let m = population.get(k);
        if (!m) {
          m = new Map();
          population.set(k, m);
        }
        m.set(tranche, d);
      }
    }
  return { releases: rs, population };
}

function evaluate(
  ind: Indicateur,
  v: Vintage,
  key: string,
): ValeurIndicateur & { millesimePopulation: number | null } {
  let millesimePopulation: number | null = null;
  const lire = (a: Atome): Lecture => {
    if (a.kind !== "population")
      return readAtom(
        v.releases.map((r) => r.index),
        key,
        a,
      );
    const d = v.population.get(key)?.get(a.tranche);
    if (!d) return { statut: "manquant" };
    millesimePopulation = d.annee;
    return { statut: "publie", valeur: d.valeur };
  };
  const value = evaluer(ind.formule, lire);
  return { ...value, millesimePopulation };
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
    const k = territoryKeyOf(p.niveau, p.code);
    const r = evaluate(ind, v, k);
    if (r.statut === "manquant") continue;
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

export async function indicatorValues(
  q: Queryable,
  conventions: readonly Convention[],
  ind: Indicateur,
  opts: { niveau: Niveau; millesime?: number },
): Promise<ValeursReponse> {
  const releases = await readableReleases(q, conventions, jeuxOfIndicator(ind));
  const millesimes = [...new Set(releases.map((r) => r.annee))].sort((a, b) => b - a);
  const annee = opts.millesime ?? millesimes[0];
  const base = { indicateur: catalogueEntry(ind), niveau: opts.niveau, millesimes };
  if (annee === undefined || !millesimes.includes(annee))
    return { ...base, millesime: annee ?? null, sources: [], valeurs: [] };
  const here = releases.filter((r) => r.annee === annee);
  const territories = territoriesAt(here, opts.niveau);
  const keys = [...territories.keys()];
  const parents = await parentsOf(q, keys);
  const allKeys = [
    ...new Set([...keys, ...[...parents.chain.values()].flat().map((p) => territoryKeyOf(p.niveau, p.code))]),
  ];
  const v = await vintage(q, ind, releases, annee, allKeys);
  const nameOf = (k: string) =>
    parents.names.get(k) ??
    here.map((r) => r.index.territories.get(k)?.nom).find((n) => n !== undefined) ??
    k.slice(k.indexOf(":") + 1);
  const valeurs: ValeurTerritoire[] = keys.map((k) => {
    const r = evaluate(ind, v, k);
    const t = here.map((x) => x.index.territories.get(k)).find((x) => x !== undefined)!;
    return {
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

export async function indicatorSeries(
  q: Queryable,
  conventions: readonly Convention[],
  ind: Indicateur,
  territoire: { niveau: Niveau; code: string },
): Promise<SerieReponse> {
  const releases = await readableReleases(q, conventions, jeuxOfIndicator(ind));
  const key = territoryKeyOf(territoire.niveau, territoire.code);
  const parents = await parentsOf(q, [key]);
  const allKeys = [key, ...(parents.chain.get(key) ?? []).map((p) => territoryKeyOf(p.niveau, p.code))];
  const millesimes = [...new Set(releases.map((r) => r.annee))].sort((a, b) => a - b);
  const points: PointSerie[] = [];
  const ruptures: SerieReponse["ruptures"] = [];
  let nom = parents.names.get(key);
  let before: { zonage: string; sources: string } | undefined;
  const sources = new Set<string>();
  for (const annee of millesimes) {
    const v = await vintage(q, ind, releases, annee, allKeys);
    // Only the releases that hold the territory make its point.
    const holding = v.releases.filter((r) => r.index.territories.has(key));
    if (holding.length === 0) continue;
    nom ??= holding[0]?.index.territories.get(key)?.nom;
    const r = evaluate(ind, v, key);
    const nameOf = (k: string) => parents.names.get(k) ?? k.slice(k.indexOf(":") + 1);
    points.push({
      millesime: annee,
      valeur: r.valeur,
      statut: r.statut,
      numerateur: r.numerateur,
      denominateur: r.denominateur,
      millesimePopulation: r.millesimePopulation,
      references: referencesOf(ind, v, parents, key, nameOf),
    });
    for (const h of holding) sources.add(h.mentionSource);
    const now = {
      zonage: [...new Set(holding.map((h) => h.zonage))].sort().join(" ; "),
      sources: [...new Set(holding.map((h) => `${h.conventionId}/${h.annexe}`))].sort().join(" ; "),
    };
    if (before && before.zonage !== now.zonage)
      ruptures.push({ millesime: annee, raison: `Changement de zonage : ${before.zonage} → ${now.zonage}.` });
    else if (before && before.sources !== now.sources)
      ruptures.push({
        millesime: annee,
        raison: "Changement de source : les données viennent d'une autre convention ou d'un autre jeu.",
      });
    before = now;
  }
  for (const d of ind.definitions ?? [])
    if (points.some((p) => p.millesime === d.depuis) && points[0]?.millesime !== d.depuis)
      ruptures.push({ millesime: d.depuis, raison: `Changement de définition : ${d.note}` });
  ruptures.sort((a, b) => a.millesime - b.millesime);
  return {
    indicateur: catalogueEntry(ind),
    territoire: { ...territoire, nom: nom ?? territoire.code },
    points,
    ruptures,
    sources: [...sources],
  };
}
