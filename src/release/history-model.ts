import type { Dataset } from "../core/convention/model.js";
import { invalide, SocleError } from "../core/errors.js";
import {
  breakdownsFor,
  buildReleaseTables,
  type CommuneInfo,
  earlierTableName,
  type Geography,
  type IrisInfo,
  TERRITOIRE,
} from "../core/release/aggregate.js";
import {
  changedCells,
  dataHistory,
  type EarlierRelease,
  mergedStatus,
  planHistory,
  smallDifferences,
} from "../core/release/history.js";
import { observationDate, type ReleasedTable } from "../core/release/release.js";
import { auditHistory } from "../core/secrecy/history-audit.js";
import type { SecrecyRules, Status } from "../core/secrecy/rules.js";
import { isSuppressed } from "../core/secrecy/rules.js";
import { cellIndex } from "../core/table/table.js";
import { getJeu } from "../store/datasets.js";
import type { Queryable } from "../store/db.js";
import type { PublishOptions } from "./publish.js";
import { groupedRows } from "./release-rows.js";

async function geographyOf(
  q: Queryable,
  irisCodes: readonly string[],
  zoning: { conventionId: string; names: readonly string[]; ids: readonly string[] },
): Promise<
  Geography & {
    names: {
      iris: Map<string, string>;
      communes: Map<string, string>;
      epci: Map<string, string>;
      zones: Map<string, string>;
    };
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
  // Zonings attached to the dataset (by name, among the parties' zones) and
  // every zoning an earlier release published: non-nested groupings of IRIS.
  const zoneRows = await q.query<{ id: string; nom: string; kind: string; code: string }>(
    `SELECT z.id::text AS id, z.nom, z.kind, m.code FROM zone z JOIN zone_member m ON m.zone_id = z.id
     WHERE (z.nom = ANY($1::text[]) AND z.organisation_id IN
              (SELECT organisation_id FROM convention_partie WHERE convention_id = $2))
        OR z.id::text = ANY($3::text[])`,
    [zoning.names, zoning.conventionId, zoning.ids],
  );
  const zones = new Map<string, { code: string; nom: string; iris: string[] }>();
  for (const z of zoneRows) {
    const zone = zones.get(z.id) ?? { code: z.id, nom: z.nom, iris: [] };
    zones.set(z.id, zone);
    if (z.kind === "iris") zone.iris.push(z.code);
    else for (const i of irisInfo) if (i.commune === z.code) zone.iris.push(i.code);
  }
  return {
    iris: irisInfo,
    communes: communeInfo,
    zones: [...zones.values()],
    names: {
      zones: new Map([...zones.values()].map((z) => [`Z${z.code}`, z.nom])),
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

export async function earlierReleases(q: Queryable, jeuId: string, annee: number): Promise<EarlierRelease[]> {
  const rows = await q.query<{
    id: string;
    diffuse_le: Date | string;
    depots: string[];
    tableaux: ReleasedTable[];
  }>(
    "SELECT id, diffuse_le, depots, tableaux FROM diffusion WHERE jeu_id = $1 AND annee = $2 ORDER BY diffuse_le",
    [jeuId, annee],
  );
  return rows.map((r) => ({
    id: r.id,
    diffuseLe: new Date(r.diffuse_le).toISOString(),
    depots: r.depots,
    tableaux: r.tableaux,
  }));
}

/**
 * The tables of a vintage read beside its history: every earlier release's
 * version of the data as its own tables with the statuses it froze, the
 * cells of releases on the same data, and the hidden tables of what changed.
 */
export async function historyModel(
  o: PublishOptions,
  dataset: Dataset,
  depots: readonly string[],
  earlier: readonly EarlierRelease[],
) {
  const plan = planHistory(earlier, depots);
  const withHistory = plan.versions.length > 1;
  const obsDate = observationDate(o.annee);
  const grouped = await groupedRows(o.db, dataset, o.jeuId, o.annee, obsDate, plan);
  const last = String(plan.versions.length - 1);
  const inCurrent = (r: { segment?: string }) => !withHistory || (r.segment ?? "").split(".").includes(last);
  const current = grouped.filter(inCurrent);
  const codes = [...new Set(grouped.map((r) => r.codeIris).filter((c): c is string => c !== null))];
  const earlierZones = [
    ...new Set(
      earlier.flatMap((r) =>
        r.tableaux.flatMap((t) =>
          Object.keys(t.libelles[TERRITOIRE] ?? {}).filter((k) => /^Z[0-9a-f-]{36}$/.test(k)),
        ),
      ),
    ),
  ].map((k) => k.slice(1));
  // The zonings' versions, read before their members: an edit in between
  // shows as a changed version when the release is frozen (publish.ts).
  const zoneNames = dataset.zones ?? [];
  const zoneStamp = (q: Queryable, lock: boolean) =>
    q
      .query<{ v: string }>(
        `SELECT id::text || '@' || coalesce(modifiee_le::text, '') AS v FROM zone
          WHERE nom = ANY($1::text[]) OR id::text = ANY($2::text[]) ORDER BY id${lock ? " FOR SHARE" : ""}`,
        [zoneNames, earlierZones],
      )
      .then((rows) => rows.map((r) => r.v).join(","));
  const zones = { stamp: await zoneStamp(o.db, false), current: (tx: Queryable) => zoneStamp(tx, true) };
  const geo = await geographyOf(o.db, codes, {
    conventionId: o.convention.id,
    names: dataset.zones ?? [],
    ids: earlierZones,
  });
  const segments = [...new Set(grouped.map((r) => r.segment ?? ""))];
  const history = withHistory ? dataHistory(plan, segments) : undefined;
  const built = buildReleaseTables(grouped, geo, dataset.niveaux, breakdownsFor(dataset, obsDate), history);
  const known = new Set(geo.iris.map((i) => i.code));
  const nonLocalises = current.reduce(
    (s, r) => s + (r.codeIris !== null && known.has(r.codeIris) ? 0 : (r.count ?? 1)),
    0,
  );

  const secret = o.convention.secret;
  let zone: SecrecyRules["zone"];
  if (secret.zoneMinimum) {
    let population: Map<string, number>;
    if (secret.zoneUnite === "allocataires") {
      population = new Map();
      for (const r of current)
        if (r.codeIris) population.set(r.codeIris, (population.get(r.codeIris) ?? 0) + (r.count ?? 1));
      for (const i of geo.iris) if (!population.has(i.code)) population.set(i.code, 0);
    } else
      population = await irisPopulation(
        o.db,
        geo.iris.map((i) => i.code),
      );
    // A custom zone is infra-communal as often as not: its population is its IRIS'.
    for (const z of geo.zones ?? []) {
      const members = z.iris.filter((i) => population.has(i));
      if (members.length > 0)
        population.set(
          `Z${z.code}`,
          members.reduce((sum, i) => sum + (population.get(i) ?? 0), 0),
        );
    }
    zone = { variable: TERRITOIRE, minimum: secret.zoneMinimum, population };
  }
  // A cell that moved by 1..k−1 since an earlier release would show who changed.
  const changed = changedCells(built.set, earlier, secret.seuil);
  const rules: SecrecyRules = {
    threshold: secret.seuil,
    protectZeros: secret.zerosSensibles,
    standard: "full",
    ...(zone ? { zone } : {}),
    ...(changed.size > 0 ? { manual: changed } : {}),
  };

  // Everything earlier releases of this vintage published is known: on the
  // same data as cells of the new tables, on other versions as their own tables.
  const find = cellIndex(built.set);
  const tableByName = new Map(built.set.tables.map((t, i) => [t.name, i]));
  const earlierPublished: number[] = [];
  const earlierStatus = new Map<number, Status>();
  let unplaced = 0;
  const place = (
    r: EarlierRelease,
    tableName: (nom: string) => string,
    onCell: (c: number, s: Status) => void,
  ) => {
    for (const t of r.tableaux) {
      const ti = tableByName.get(tableName(t.nom));
      for (const cell of t.cellules) {
        const c = ti === undefined ? undefined : find(ti, cell.codes);
        // A secret of unknown kind is protected as a primary.
        if (c !== undefined) onCell(c, cell.statut === "s" ? "C" : cell.statut);
        else if (cell.valeur !== null) unplaced++;
      }
    }
  };
  const sameStatus = new Map<number, Status>();
  for (const r of plan.sameData)
    place(
      r,
      (nom) => nom,
      (c, s) => {
        if (!isSuppressed(s)) earlierPublished.push(c);
        sameStatus.set(c, mergedStatus(sameStatus.get(c), s));
      },
    );
  plan.versions.slice(0, -1).forEach((v) => {
    for (const r of v.releases)
      place(
        r,
        (nom) => earlierTableName(nom, v.label),
        (c, s) => earlierStatus.set(c, mergedStatus(earlierStatus.get(c), s)),
      );
  });
  if (unplaced > 0)
    throw new SocleError(
      "interdit",
      "historique_illisible",
      `Diffusion refusée : ${unplaced} cellule(s) publiée(s) par des diffusions antérieures de ce millésime ne se rattachent plus aux tableaux (annexe ou territoires modifiés) ; le secret ne peut pas être garanti face à elles.`,
    );
  return {
    plan,
    withHistory,
    grouped,
    geo,
    built,
    nonLocalises,
    rules,
    earlierPublished,
    earlierStatus,
    sameStatus,
    zones,
  };
}

/**
 * Attacks everything published for a vintage of an individual dataset: all
 * its releases, each on its own version of the data. Null when nothing was released.
 */
export async function auditVintage(o: Omit<PublishOptions, "actorId" | "now">): Promise<{
  releases: number;
  versions: number;
  report: ReturnType<typeof auditHistory>;
  differences: string[];
} | null> {
  const jeu = await getJeu(o.db, o.jeuId);
  const dataset = o.convention.jeux.find((d) => d.id === jeu.annexe);
  if (!dataset)
    throw invalide("annexe_inconnue", "L'annexe de ce jeu de données n'existe plus dans la convention.");
  const releases = await earlierReleases(o.db, o.jeuId, o.annee);
  const last = releases[releases.length - 1];
  if (!last) return null;
  const m = await historyModel({ ...o, actorId: null }, dataset, last.depots, releases);
  const published = new Map([...m.earlierStatus, ...m.sameStatus]);
  return {
    releases: releases.length,
    versions: m.plan.versions.length,
    report: auditHistory(o.highs, m.built.set, m.rules, published),
    differences: smallDifferences(releases, o.convention.secret.seuil),
  };
}
