/**
 * The Code officiel géographique as Socle stores it: régions, départements,
 * EPCI with their members, communes and arrondissements municipaux, communes
 * déléguées and associées. Built from the records of
 * @etalab/decoupage-administratif (given here as plain data).
 */
export interface CogCommuneRecord {
  code: string;
  nom: string;
  type: "commune-actuelle" | "arrondissement-municipal" | "commune-deleguee" | "commune-associee";
  commune?: string;
  chefLieu?: string;
  departement?: string;
  region?: string;
  population?: number;
  codesPostaux?: string[];
  anciensCodes?: string[];
}

export interface CogEpciRecord {
  code: string;
  nom: string;
  type?: string;
  populationMunicipale?: number;
  membres: { code: string }[];
}

export interface Cog {
  regions: { code: string; nom: string }[];
  departements: { code: string; nom: string; region: string }[];
  epci: CogEpciRecord[];
  communes: CogCommuneRecord[];
}

export interface CommuneRow {
  code: string;
  nom: string;
  kind: "commune" | "arrondissement";
  communeParent: string | null;
  departement: string | null;
  region: string | null;
  epci: string | null;
  population: number | null;
  codesPostaux: string[];
}

export interface CommuneDelegueeRow {
  code: string;
  /** `ancienne`: a former code of a merged commune, kept to read older files. */
  kind: "deleguee" | "associee" | "ancienne";
  nom: string;
  commune: string;
}

export interface CogRows {
  communes: CommuneRow[];
  deleguees: CommuneDelegueeRow[];
}

/**
 * Places each commune in its EPCI and each arrondissement under its commune
 * (and so in the commune's EPCI). Communes are ordered so that a parent
 * always precedes its arrondissements.
 */
export function cogRows(cog: Cog): CogRows {
  const epciOf = new Map<string, string>();
  for (const e of cog.epci) for (const m of e.membres) epciOf.set(m.code, e.code);
  const actual = new Set(cog.communes.filter((c) => c.type === "commune-actuelle").map((c) => c.code));
  const communes: CommuneRow[] = [];
  const arrondissements: CommuneRow[] = [];
  const deleguees: CommuneDelegueeRow[] = [];
  for (const c of cog.communes) {
    if (c.type === "commune-actuelle") {
      communes.push(row(c, "commune", null, epciOf.get(c.code) ?? null));
    } else if (c.type === "arrondissement-municipal") {
      const parent = c.commune ?? null;
      arrondissements.push(row(c, "arrondissement", parent, parent ? (epciOf.get(parent) ?? null) : null));
    } else {
      const parent = c.chefLieu ?? c.commune;
      if (parent && actual.has(parent))
        deleguees.push({
          code: c.code,
          kind: c.type === "commune-deleguee" ? "deleguee" : "associee",
          nom: c.nom,
          commune: parent,
        });
    }
  }
  const known = new Set(deleguees.map((d) => d.code));
  for (const c of cog.communes)
    if (c.type === "commune-actuelle")
      for (const old of c.anciensCodes ?? [])
        if (old !== c.code && !known.has(old)) {
          known.add(old);
          deleguees.push({ code: old, kind: "ancienne", nom: c.nom, commune: c.code });
        }
  return { communes: [...communes, ...arrondissements], deleguees };
}

function row(
  c: CogCommuneRecord,
  kind: "commune" | "arrondissement",
  parent: string | null,
  epci: string | null,
): CommuneRow {
  return {
    code: c.code,
    nom: c.nom,
    kind,
    communeParent: parent,
    departement: c.departement ?? null,
    region: c.region ?? null,
    epci,
    population: c.population ?? null,
    codesPostaux: c.codesPostaux ?? [],
  };
}
