/**
 * The Aix APA case of issue 13: a synthetic APA file of 1,226 people on the
 * demo territory, as `socle release` would tabulate it (same tables and
 * rules; the zone rule on the demo IRIS populations), and the share of
 * published cells by territory level (IRIS, commune, EPCI, département,
 * Ensemble), the breakdown totals apart. For the usefulness test and bench.
 */
import { AIX } from "../../src/core/convention/reference.js";
import {
  breakdownsFor,
  buildReleaseTables,
  type Geography,
  type ReleaseRow,
  TERRITOIRE,
} from "../../src/core/release/aggregate.js";
import { territoryLevel } from "../../src/core/release/release.js";
import { isSuppressed, type SecrecyRules, type Status } from "../../src/core/secrecy/rules.js";
import { DEMO_EPCI, demoTerritory } from "../../src/core/territory/demo-territory.js";

/** mulberry32: a tiny seeded PRNG, for reproducible synthetic files. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LevelShare {
  level: string;
  cells: number;
  published: number;
  margins: number;
  marginsPublished: number;
}

/** The APA release of 1,226 people: its table set, rules and territory levels. */
export function aixApaCase(people = 1226) {
  const territory = demoTerritory();
  const geo: Geography = {
    iris: territory.iris.map((i) => ({ code: i.code, nom: i.nom, commune: i.communeCode })),
    communes: territory.communes.map((c) => ({ code: c.code, nom: c.nom, epci: DEMO_EPCI.code })),
    epci: new Map([[DEMO_EPCI.code, DEMO_EPCI.nom]]),
  };
  const dataset = AIX.jeux.find((j) => j.id === "apa");
  if (!dataset) throw new Error("APA dataset missing");
  const rnd = prng(1226);
  const weights = territory.iris.map((i) => i.population);
  const total = weights.reduce((s, w) => s + w, 0);
  const rows: ReleaseRow[] = [];
  for (let k = 0; k < people; k++) {
    let u = rnd() * total;
    let at = 0;
    while (at < weights.length - 1 && u > (weights[at] as number)) u -= weights[at++] as number;
    const age = 60 + Math.floor(rnd() * rnd() * 40);
    rows.push({
      codeIris: territory.iris[at]?.code ?? null,
      valeurs: {
        sexe: rnd() < 0.68 ? "F" : "M",
        date_naissance: `${2015 - age}-06-30`,
        gir: String(((x) => (x < 0.02 ? 1 : x < 0.19 ? 2 : x < 0.39 ? 3 : 4))(rnd())),
        situation_familiale: rnd() < 0.4 ? "couple" : "personne isolée",
      },
    });
  }
  const built = buildReleaseTables(rows, geo, dataset.niveaux, breakdownsFor(dataset, "2015-12-31"));
  const population = new Map(territory.iris.map((i) => [i.code, i.population]));
  const rules: SecrecyRules = {
    threshold: AIX.secret.seuil,
    protectZeros: AIX.secret.zerosSensibles,
    standard: "full",
    zone: { variable: TERRITOIRE, minimum: AIX.secret.zoneMinimum ?? 100, population },
  };
  return { set: built.set, rules };
}

/** Published share by territory level, margins (a breakdown's « Total ») apart. */
export function sharesByLevel(
  set: ReturnType<typeof aixApaCase>["set"],
  statuses: readonly Status[],
): LevelShare[] {
  const by = new Map<string, LevelShare>();
  set.cells.forEach((cell, c) => {
    const level = territoryLevel(cell.codes[0] ?? "");
    const s = by.get(level) ?? { level, cells: 0, published: 0, margins: 0, marginsPublished: 0 };
    const published = !isSuppressed(statuses[c] as Status);
    s.cells++;
    if (published) s.published++;
    if (cell.codes.slice(1).every((x) => x === "Total")) {
      s.margins++;
      if (published) s.marginsPublished++;
    }
    by.set(level, s);
  });
  const order = ["iris", "commune", "epci", "departement", "zone", "ensemble"];
  return [...by.values()].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
}
