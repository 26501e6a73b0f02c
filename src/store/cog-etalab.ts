/** Loads the COG shipped by @etalab/decoupage-administratif into the store. */
import { createRequire } from "node:module";
import { type Cog, cogRows } from "../core/territory/cog.js";
import type { Db } from "./db.js";
import { cogSource, loadCog } from "./territories.js";

const require = createRequire(import.meta.url);

export function etalabCog(): Cog & { version: string } {
  const base = "@etalab/decoupage-administratif";
  const version = (require(`${base}/package.json`) as { version: string }).version;
  return {
    version,
    regions: require(`${base}/data/regions.json`),
    departements: require(`${base}/data/departements.json`),
    epci: require(`${base}/data/epci.json`),
    communes: require(`${base}/data/communes.json`),
  };
}

/** Loads the COG when the store has none (first start); returns the source label. */
export async function ensureCog(db: Db): Promise<string> {
  const existing = await cogSource(db);
  if (existing) return existing;
  const cog = etalabCog();
  const source = `@etalab/decoupage-administratif ${cog.version}`;
  await loadCog(
    db,
    {
      regions: cog.regions.map((r) => ({ code: r.code, nom: r.nom })),
      departements: cog.departements.map((d) => ({ code: d.code, nom: d.nom, region: d.region ?? null })),
      epci: cog.epci.map((e) => ({
        code: e.code,
        nom: e.nom,
        nature: e.type ?? null,
        population: e.populationMunicipale ?? null,
      })),
      rows: cogRows(cog),
    },
    source,
  );
  return source;
}
