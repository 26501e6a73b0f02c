/**
 * Test data for the geocoder: a synthetic département in the BAN layout with
 * its IRIS polygons, and noisy partner-style address files whose true IRIS is
 * known. Commune codes are in département 96, which no real commune has.
 * Deterministic for a seed.
 *
 * Geometry: communes are the cells of a jittered grid (neighbours share their
 * corners, so the communes tile the département); an irisée commune is cut
 * into IRIS by a grid in its own (u, v) coordinates, mapped by the bilinear
 * map of its four corners, whose iso-lines are straight: every IRIS is an
 * exact quadrilateral and the true IRIS of a point is its (u, v) cell.
 */
import type { Polygon } from "geojson";
import { BAN_COLUMNS } from "./ban.js";
import type { IrisShape } from "./iris-locator.js";
import { l93ToWgs84Point } from "./projection.js";

export const SYNTHETIC_DEPARTEMENT = "96";

/** Mulberry32: small, fast, seeded. */
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

export interface SyntheticAddress {
  communeCode: string;
  communeNom: string;
  codePostal: string;
  ancienneCode: string;
  ancienneNom: string;
  nomVoie: string;
  numero: number;
  rep: string;
  x: number;
  y: number;
  iris: string;
  /** A real house the BAN does not list: only in noisy files (interpolation). */
  hidden: boolean;
}

export interface SyntheticCommune {
  code: string;
  nom: string;
  postcodes: string[];
  irisCodes: string[];
  anciennes: { code: string; nom: string }[];
}

export interface SyntheticDepartement {
  departement: string;
  communes: SyntheticCommune[];
  iris: IrisShape[];
  addresses: SyntheticAddress[];
}

const TYPES: readonly [string, number][] = [
  ["Rue", 50],
  ["Avenue", 8],
  ["Boulevard", 3],
  ["Impasse", 8],
  ["Place", 3],
  ["Chemin", 8],
  ["Route", 5],
  ["Allée", 5],
  ["Square", 1],
  ["Quai", 1],
  ["Cours", 1],
  ["Passage", 2],
  ["Faubourg", 1],
  ["Sente", 1],
  ["Résidence", 1],
];

const PEOPLE = [
  "Victor Hugo",
  "Jean Jaurès",
  "Général de Gaulle",
  "Maréchal Foch",
  "Maréchal Leclerc",
  "Antoine de Saint-Exupéry",
  "Louis Pasteur",
  "Docteur Roux",
  "Président Wilson",
  "Émile Zola",
  "Jules Ferry",
  "Gambetta",
  "Georges Clemenceau",
  "Aristide Briand",
  "Jean Moulin",
  "Pierre Brossolette",
  "Albert Camus",
  "Paul Éluard",
  "Jacques Prévert",
  "Gustave Flaubert",
  "Pierre Corneille",
  "Guy de Maupassant",
  "Marie Curie",
  "Simone Veil",
  "Louise Michel",
  "Jeanne d'Arc",
  "Voltaire",
  "Jean-Jacques Rousseau",
  "Molière",
  "Racine",
  "La Fontaine",
  "Lamartine",
  "Alfred de Musset",
  "George Sand",
  "Colette",
  "Hector Berlioz",
  "Claude Debussy",
  "Maurice Ravel",
  "Claude Monet",
  "Auguste Renoir",
  "Paul Cézanne",
  "Eugène Delacroix",
  "Camille Pissarro",
  "Henri Matisse",
  "Blaise Pascal",
  "René Descartes",
  "Denis Papin",
  "Ambroise Paré",
  "Lavoisier",
  "Ampère",
  "Branly",
  "Pierre et Marie Curie",
  "Frères Lumière",
  "Gustave Eiffel",
  "Louis Blériot",
  "Roland Garros",
  "Jean Mermoz",
  "Colonel Fabien",
  "Commandant Charcot",
  "Capitaine Dreyfus",
  "Lieutenant Aubert",
  "Abbé Pierre",
  "Monseigneur Romero",
  "Professeur Calmette",
  "Léon Blum",
  "Jean Monnet",
  "Robert Schuman",
  "Pierre Mendès France",
  "François Mitterrand",
  "Charles Péguy",
  "Arthur Rimbaud",
  "Paul Verlaine",
  "Charles Baudelaire",
  "Stéphane Mallarmé",
  "Édith Piaf",
  "Georges Brassens",
  "Jacques Brel",
  "Anatole France",
  "Alexandre Dumas",
  "Jules Verne",
  "Honoré de Balzac",
  "Émile Littré",
  "Ernest Renan",
  "Jean Macé",
  "Condorcet",
  "Danton",
  "Robespierre",
  "Lafayette",
  "Carnot",
  "Kléber",
  "Hoche",
  "Marceau",
  "Turenne",
  "Vauban",
  "Colbert",
  "Sully",
  "Henri IV",
  "Saint-Louis",
];
const THINGS = [
  "de la République",
  "de la Gare",
  "de la Libération",
  "de la Paix",
  "de la Liberté",
  "de l'Église",
  "de la Mairie",
  "des Écoles",
  "du Moulin",
  "du Château",
  "du Stade",
  "du Marché",
  "du Port",
  "de la Poste",
  "des Lilas",
  "des Tilleuls",
  "des Peupliers",
  "des Chênes",
  "des Acacias",
  "des Marronniers",
  "des Roses",
  "des Violettes",
  "des Jardins",
  "des Vignes",
  "des Prés",
  "des Champs",
  "du Bois",
  "de la Forêt",
  "de la Fontaine",
  "du Lavoir",
  "du Puits",
  "de la Croix",
  "du Calvaire",
  "du Presbytère",
  "des Sources",
  "de la Rivière",
  "du Pont",
  "de l'Abreuvoir",
  "du Four",
  "de la Forge",
  "des Artisans",
  "de l'Industrie",
  "du Commerce",
  "de l'Europe",
  "de Verdun",
  "du 8 Mai 1945",
  "du 11 Novembre",
  "du 14 Juillet",
  "du 19 Mars 1962",
  "des Martyrs de la Résistance",
  "des Anciens Combattants",
  "des Déportés",
  "du Maquis",
  "de Normandie",
  "de Bretagne",
  "de Picardie",
  "de Paris",
  "de Rouen",
  "du Havre",
  "de Dieppe",
  "du Nord",
  "du Midi",
  "du Levant",
  "du Couchant",
  "des Hauts",
  "de la Côte",
  "de la Vallée",
  "du Val",
  "du Coteau",
  "de la Plaine",
  "des Falaises",
  "de la Plage",
  "des Dunes",
  "de l'Étang",
  "du Canal",
  "des Mouettes",
  "des Hirondelles",
  "des Alouettes",
  "des Fauvettes",
  "du Clos Fleuri",
  "du Vieux Chêne",
  "du Grand Pré",
  "du Petit Bois",
  "de la Haute Ville",
  "de la Basse Cour",
  "Saint-Pierre",
  "Saint-Jacques",
  "Saint-Martin",
  "Saint-Nicolas",
  "Saint-Michel",
  "Sainte-Anne",
  "Sainte-Catherine",
  "Notre-Dame",
  "Saint-Éloi",
  "Saint-Sever",
];
const NAMES = [...PEOPLE, ...THINGS];

const COMMUNE_BASES = [
  "Beaulieu",
  "Montfort",
  "Roche",
  "Villers",
  "Fontaine",
  "Mesnil",
  "Bourg",
  "Champfleury",
  "Neuville",
  "Bel-Air",
  "Ormes",
  "Saulnières",
  "Bréauté",
  "Épinay",
  "Étretat",
  "Écouis",
  "Houville",
  "Angerville",
  "Bosc",
  "Quincampoix",
  "Vatteville",
  "Colleville",
  "Héricourt",
  "Ourville",
  "Yébleron",
  "Auzouville",
  "Bénarville",
  "Cléville",
  "Daubeuf",
  "Envronville",
  "Fauville",
  "Gonneville",
  "Hattenville",
  "Inglemare",
  "Joinville",
  "Lillebonne",
  "Manéglise",
  "Notre-Dame-de-Gravenchon",
  "Oherville",
  "Pavilly",
  "Rouville",
  "Sassetot",
  "Thiouville",
  "Ypreville",
  "Allouville",
  "Bermonville",
  "Criquetot",
  "Doudeville",
];
const SAINTS = [
  "Martin",
  "Pierre",
  "Jean",
  "Aubin",
  "Valery",
  "Saëns",
  "Romain",
  "Léger",
  "Denis",
  "Étienne",
];
const RIVERS = [
  "Seine",
  "Mer",
  "Andelle",
  "Durdent",
  "Béthune",
  "Eaulne",
  "Bresle",
  "Austreberthe",
  "Cailly",
];
const SUFFIXES = [
  "-la-Campagne",
  "-le-Grand",
  "-le-Petit",
  "-en-Caux",
  "-en-Bray",
  "-la-Forêt",
  "-les-Bains",
];

function communeName(rand: () => number, used: Set<string>): string {
  for (;;) {
    const r = rand();
    const base = COMMUNE_BASES[Math.floor(rand() * COMMUNE_BASES.length)]!;
    let name: string;
    if (r < 0.25) name = base;
    else if (r < 0.45) name = `${base}-sur-${RIVERS[Math.floor(rand() * RIVERS.length)]!}`;
    else if (r < 0.65) name = `Saint-${SAINTS[Math.floor(rand() * SAINTS.length)]!}-de-${base}`;
    else if (r < 0.8) name = `${base}${SUFFIXES[Math.floor(rand() * SUFFIXES.length)]!}`;
    else if (r < 0.9) name = `Le ${base}`;
    else
      name = `Sainte-${["Marie", "Anne", "Colombe", "Hélène", "Marguerite"][Math.floor(rand() * 5)]!}-${base}`;
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

function weighted<T>(rand: () => number, items: readonly [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of items) {
    r -= w;
    if (r <= 0) return v;
  }
  return items[items.length - 1]![0];
}

type Pt = [number, number];

function bilinear(c: readonly [Pt, Pt, Pt, Pt], u: number, v: number): Pt {
  // c: corners at (0,0), (1,0), (1,1), (0,1).
  const [p00, p10, p11, p01] = c;
  return [
    (1 - u) * (1 - v) * p00[0] + u * (1 - v) * p10[0] + u * v * p11[0] + (1 - u) * v * p01[0],
    (1 - u) * (1 - v) * p00[1] + u * (1 - v) * p10[1] + u * v * p11[1] + (1 - u) * v * p01[1],
  ];
}

function awayFrom(cuts: readonly number[], x: number): number {
  for (const c of cuts) if (Math.abs(x - c) < 3e-4) return x < c ? c - 3e-4 : c + 3e-4;
  return x;
}

function splits(rand: () => number, n: number): number[] {
  // n cells on [0,1] with jittered inner boundaries.
  const out = [0];
  for (let i = 1; i < n; i++) out.push((i + (rand() - 0.5) * 0.5) / n);
  out.push(1);
  return out;
}

export interface DepartementOptions {
  seed?: number;
  /** Addresses in the BAN (hidden houses come on top). Default 520,000. */
  addresses?: number;
  /**
   * The two-digit code of the synthetic département (default 96), so that a
   * national-scale reference of 101 synthetic départements can be made.
   */
  departement?: string;
}

/** A synthetic département: ≈ `addresses` BAN addresses in ~330 communes. */
export function generateDepartement(opts: DepartementOptions = {}): SyntheticDepartement {
  const rand = prng(opts.seed ?? 96);
  const D = opts.departement ?? SYNTHETIC_DEPARTEMENT;
  if (!/^\d{2}$/.test(D)) throw new Error("département synthétique : deux chiffres attendus");
  const target = opts.addresses ?? 520_000;
  const G = 18;
  const S = 4000;
  const X0 = 800_000;
  const Y0 = 6_500_000;
  const vx: Pt[][] = [];
  for (let i = 0; i <= G; i++) {
    vx.push([]);
    for (let j = 0; j <= G; j++) {
      const jit = i > 0 && i < G && j > 0 && j < G ? 0.2 : 0;
      vx[i]!.push([X0 + (i + (rand() - 0.5) * jit * 2) * S, Y0 + (j + (rand() - 0.5) * jit * 2) * S]);
    }
  }
  // Commune sizes: 3 cities (one with 3 arrondissements), 24 towns, the rest villages.
  const cells: { i: number; j: number }[] = [];
  for (let i = 0; i < G; i++) for (let j = 0; j < G; j++) cells.push({ i, j });
  const weights = cells.map((_, k) => (k === 0 ? 0 : 0));
  const order = cells.map((_, k) => k).sort(() => rand() - 0.5);
  const cityCells = order.slice(0, 5); // 2 cities + 3 arrondissements
  const townCells = order.slice(5, 29);
  for (const k of cityCells) weights[k] = 30 + rand() * 20;
  for (const k of townCells) weights[k] = 6 + rand() * 8;
  for (const k of order.slice(29)) weights[k] = 0.2 + rand() * rand() * 3;
  const wsum = weights.reduce((s, w) => s + w, 0);

  const used = new Set<string>();
  const communes: SyntheticCommune[] = [];
  const iris: IrisShape[] = [];
  const addresses: SyntheticAddress[] = [];
  let villageCp = 0;
  let cpCounter = 100;
  const arrondissementCity = communeName(rand, used);
  let arr = 0;
  let nouvelles = 0;

  for (let idx = 0; idx < order.length; idx++) {
    const k = order[idx]!;
    const { i, j } = cells[k]!;
    const corners: [Pt, Pt, Pt, Pt] = [vx[i]![j]!, vx[i + 1]![j]!, vx[i + 1]![j + 1]!, vx[i]![j + 1]!];
    const n = Math.max(30, Math.round((weights[k]! / wsum) * target));
    const isArr = idx >= 2 && idx < 5;
    const code = isArr ? `${D}38${++arr}` : `${D}${String(idx + 1).padStart(3, "0")}`;
    const nom = isArr
      ? `${arrondissementCity} ${arr === 1 ? "1er" : `${arr}e`} Arrondissement`
      : communeName(rand, used);
    // Postcodes: cities have several, villages share one per group of ~6.
    let postcodes: string[];
    if (isArr) postcodes = [`${D}0${String(arr).padStart(2, "0")}`];
    else if (n > 20_000) postcodes = [0, 1, 2].map(() => `${D}${String(cpCounter++).padStart(3, "0")}`);
    else if (n > 4000) postcodes = [`${D}${String(cpCounter++).padStart(3, "0")}`];
    else {
      if (villageCp === 0 || rand() < 1 / 6) villageCp = cpCounter++;
      postcodes = [`${D}${String(villageCp).padStart(3, "0")}`];
    }
    // IRIS: towns and cities are irisées (~1 IRIS per 1,000 addresses).
    const nIris = n > 4000 ? Math.max(3, Math.round(n / 1000)) : 1;
    const a = nIris === 1 ? 1 : Math.max(1, Math.round(Math.sqrt(nIris)));
    const b = nIris === 1 ? 1 : Math.max(1, Math.round(nIris / a));
    const us = splits(rand, a);
    const vs = splits(rand, b);
    const irisCodes: string[] = [];
    for (let p = 0; p < a; p++)
      for (let q = 0; q < b; q++) {
        const c = nIris === 1 ? `${code}0000` : `${code}${String(p * b + q + 1).padStart(4, "0")}`;
        irisCodes.push(c);
        const ring = [
          bilinear(corners, us[p]!, vs[q]!),
          bilinear(corners, us[p + 1]!, vs[q]!),
          bilinear(corners, us[p + 1]!, vs[q + 1]!),
          bilinear(corners, us[p]!, vs[q + 1]!),
        ];
        const geometry: Polygon = {
          type: "Polygon",
          coordinates: [
            [...ring, ring[0]!].map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100]),
          ],
        };
        iris.push({ code: c, communeCode: code, geometry });
      }
    const irisAt = (u: number, v: number): string => {
      let p = 0;
      while (p < a - 1 && u >= us[p + 1]!) p++;
      let q = 0;
      while (q < b - 1 && v >= vs[q + 1]!) q++;
      return irisCodes[p * b + q]!;
    };
    // Communes nouvelles: a few villages and towns were two former communes (west/east halves).
    const anciennes: { code: string; nom: string }[] = [];
    if (!isArr && n < 20_000 && nouvelles < 14 && rand() < 0.08) {
      nouvelles++;
      anciennes.push(
        { code, nom: communeName(rand, used) },
        { code: `${D}${String(600 + nouvelles)}`, nom: communeName(rand, used) },
      );
    }
    communes.push({ code, nom, postcodes, irisCodes, anciennes });

    // Streets.
    const repStyle = rand() < 0.5 ? ["bis", "ter", "quater"] : ["b", "t", "q"];
    const streetNames = new Set<string>();
    let made = 0;
    while (made < n) {
      let name = "";
      for (let tries = 0; tries < 50; tries++) {
        const type = weighted(rand, TYPES);
        const pool = rand() < 0.35 ? THINGS.slice(0, 40) : NAMES;
        const body = pool[Math.floor(rand() * pool.length)]!;
        const cand = `${type} ${body}`;
        if (!streetNames.has(cand)) {
          name = cand;
          break;
        }
      }
      if (name === "") name = `Rue ${made}`;
      streetNames.add(name);
      const count = Math.min(n - made, 2 + Math.floor(rand() * rand() * 120));
      // A straight street in (u, v), kept inside the commune.
      const u0 = 0.03 + rand() * 0.94;
      const v0 = 0.03 + rand() * 0.94;
      const len = Math.min(0.9, 0.01 * count * (0.6 + rand()));
      const ang = rand() * Math.PI * 2;
      let u1 = u0 + Math.cos(ang) * len;
      let v1 = v0 + Math.sin(ang) * len;
      u1 = Math.min(0.97, Math.max(0.03, u1));
      v1 = Math.min(0.97, Math.max(0.03, v1));
      const du = u1 - u0;
      const dv = v1 - v0;
      const norm = Math.hypot(du, dv) || 1;
      const side = 0.0025;
      const perSide = Math.ceil(count / 2);
      for (let m = 1; m <= count; m++) {
        const t = (Math.ceil(m / 2) - 0.5) / perSide;
        const s = m % 2 === 1 ? 1 : -1;
        // Keep houses off IRIS boundaries by a metre, so centimetre rounding cannot move them.
        const u = awayFrom(us, u0 + du * t + (-dv / norm) * side * s);
        const v = awayFrom(vs, v0 + dv * t + (du / norm) * side * s);
        const [x, y] = bilinear(corners, u, v);
        const hidden = rand() < 0.015;
        const anc = anciennes.length > 0 ? anciennes[u < 0.5 ? 0 : 1]! : null;
        const base = {
          communeCode: code,
          communeNom: nom,
          codePostal: postcodes[Math.min(postcodes.length - 1, Math.floor(v * postcodes.length))]!,
          ancienneCode: anc?.code ?? "",
          ancienneNom: anc?.nom ?? "",
          nomVoie: name,
          x: Math.round(x * 100) / 100,
          y: Math.round(y * 100) / 100,
          iris: irisAt(u, v),
        };
        addresses.push({ ...base, numero: m, rep: "", hidden });
        if (!hidden) made++;
        const r = rand();
        if (r < 0.05) {
          const rep = r < 0.035 ? repStyle[0]! : r < 0.045 ? repStyle[1]! : repStyle[2]!;
          addresses.push({ ...base, numero: m, rep, hidden: false });
          made++;
        }
      }
    }
  }
  return { departement: D, communes, iris, addresses };
}

/** The département's BAN file text (only the addresses the BAN lists). */
export function* banCsvLines(dep: SyntheticDepartement): Generator<string> {
  yield BAN_COLUMNS.join(";");
  const fantoir = new Map<string, number>();
  for (const a of dep.addresses) {
    if (a.hidden) continue;
    const vk = `${a.communeCode}|${a.nomVoie}`;
    let f = fantoir.get(vk);
    if (f === undefined) {
      f = fantoir.size + 1;
      fantoir.set(vk, f);
    }
    const idf = `${a.communeCode}_${f.toString(36).padStart(4, "0")}`;
    const [lon, lat] = l93ToWgs84Point(a.x, a.y);
    yield [
      `${idf}_${String(a.numero).padStart(5, "0")}${a.rep ? `_${a.rep}` : ""}`,
      idf,
      a.numero,
      a.rep,
      a.nomVoie,
      a.codePostal,
      a.communeCode,
      a.communeNom,
      a.ancienneCode,
      a.ancienneNom,
      a.x.toFixed(2),
      a.y.toFixed(2),
      lon.toFixed(6),
      lat.toFixed(6),
      "entrée",
      "",
      "",
      a.communeNom.toUpperCase(),
      a.nomVoie.toUpperCase(),
      "commune",
      "commune",
      "1",
      "",
    ].join(";");
  }
}

// ---------------------------------------------------------------- noisy files

export const NOISE_KINDS = [
  "aucun",
  "une_colonne",
  "colonnes_separees",
  "casse",
  "accents",
  "abreviation",
  "faute_de_frappe",
  "code_postal_absent",
  "code_postal_faux",
  "commune_absente",
  "commune_mal_orthographiee",
  "ancienne_commune",
  "bis_ter",
  "complement",
  "zero_initial",
  "mot_manquant",
  "ponctuation",
  "numero_hors_ban",
  "numero_apres_voie",
  "type_voie_omis",
  "type_voie_omis_ambigu",
  "commune_mal_orthographiee_sans_cp",
  "deux_fautes",
  "etablissement",
] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export interface NoisyLine {
  id: string;
  /** numero, voie, complément, code postal, commune (one-column lines: all in voie). */
  parts: [string, string, string, string, string];
  iris: string;
  kinds: NoiseKind[];
  /** The address the line was made from (what a reader of the line is after). */
  source: SyntheticAddress;
}

const ABBREV: readonly [RegExp, string[]][] = [
  [/^Rue /, ["R ", "r. ", "R. "]],
  [/^Avenue /, ["Av ", "Av. ", "AVE "]],
  [/^Boulevard /, ["Bd ", "Bld ", "BD "]],
  [/^Impasse /, ["Imp ", "Imp. "]],
  [/^Place /, ["Pl ", "Pl. "]],
  [/^Chemin /, ["Ch ", "Chem. "]],
  [/^Route /, ["Rte ", "Rte. "]],
  [/^Allée /, ["All ", "All. "]],
  [/^Square /, ["Sq "]],
  [/^Quai /, ["Qu "]],
  [/^Cours /, ["Crs "]],
  [/^Passage /, ["Pass "]],
  [/^Faubourg /, ["Fg ", "Fbg "]],
  [/^Résidence /, ["Res "]],
];
const TITLE_ABBREV: readonly [RegExp, string][] = [
  [/Saint-/g, "St-"],
  [/Sainte-/g, "Ste-"],
  [/Général /g, "Gal "],
  [/Maréchal /g, "Mal "],
  [/Docteur /g, "Dr "],
  [/Président /g, "Pdt "],
  [/Professeur /g, "Pr "],
  [/Commandant /g, "Cdt "],
];
const COMPLEMENTS = [
  "Apt 12",
  "Appartement 4",
  "Bât. B",
  "Batiment C",
  "Esc. 2",
  "3e étage",
  "1er etage",
  "Résidence Les Tilleuls",
  "Résidence du Parc",
  "BP 123",
  "chez Mme Martin",
  "Chez M. Durand",
  "Logement 27",
  "Appt 3 Bat A",
];

/** Institutions partners write before the address (an older person's home, a hostel). */
const INSTITUTIONS = [
  "EHPAD Les Tilleuls",
  "Ehpad du Parc",
  "Résidence autonomie Les Lilas",
  "Residence Autonomie Bellevue",
  "Foyer logement Les Acacias",
  "Foyer de vie La Source",
  "EHPA Les Glycines",
  "MARPA Le Clos",
];

function stripAccents(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

function typo(rand: () => number, word: string): string {
  const i = 1 + Math.floor(rand() * (word.length - 2));
  const r = rand();
  if (r < 0.3) return word.slice(0, i) + word.slice(i + 1);
  if (r < 0.55) return word.slice(0, i) + word[i] + word.slice(i);
  if (r < 0.8) return word.slice(0, i) + word[i + 1]! + word[i] + word.slice(i + 2);
  const letters = "aeiourstnlm";
  return word.slice(0, i) + letters[Math.floor(rand() * letters.length)] + word.slice(i + 1);
}

/** Applies a typo to one word of 5+ letters of `s`; null when no word is long enough. */
function typoInText(rand: () => number, s: string): string | null {
  const words = s.split(" ");
  const long = words.map((w, i) => [w, i] as const).filter(([w]) => /^[\p{L}]{5,}$/u.test(w));
  if (long.length === 0) return null;
  const [w, i] = long[Math.floor(rand() * long.length)]!;
  words[i] = typo(rand, w);
  return words.join(" ");
}

/** « Rue de la République » → « République »: what a partner types when it leaves the type out. */
function withoutStreetType(voie: string): string {
  return voie.replace(/^\S+ (?:(?:de la|de l'|du|des|de|d') ?)?/, "");
}

/**
 * The streets of each commune by their name without type, to tell whether
 * « 7 Fontaine » is readable: it is not when another street so named
 * (Impasse de la Fontaine beside Rue de la Fontaine), in a commune the line
 * may be in, holds number 7 (listed, or within two of its last number) in
 * another IRIS.
 */
class SameNamedStreets {
  private readonly byName = new Map<string, Map<string, { last: number; iris: Map<number, string[]> }>>();

  constructor(addresses: readonly SyntheticAddress[]) {
    for (const a of addresses) {
      const key = `${a.communeCode}|${withoutStreetType(a.nomVoie)}`;
      let streets = this.byName.get(key);
      if (!streets) {
        streets = new Map();
        this.byName.set(key, streets);
      }
      let st = streets.get(a.nomVoie);
      if (!st) {
        st = { last: 0, iris: new Map() };
        streets.set(a.nomVoie, st);
      }
      st.last = Math.max(st.last, a.numero);
      if (!a.hidden) st.iris.set(a.numero, [...(st.iris.get(a.numero) ?? []), a.iris]);
    }
  }

  /**
   * `communes`: those the line may be in; with the commune left out, every commune of the
   * postcode (« 4 République 96176 », a postcode of villages that each have a République).
   */
  ambiguous(a: SyntheticAddress, communes: readonly string[] = [a.communeCode]): boolean {
    for (const c of communes) {
      const streets = this.byName.get(`${c}|${withoutStreetType(a.nomVoie)}`);
      if (!streets) continue;
      for (const [name, st] of streets) {
        if ((c === a.communeCode && name === a.nomVoie) || a.numero > st.last + 2) continue;
        const listed = st.iris.get(a.numero);
        if (!listed || listed.some((i) => i !== a.iris)) return true;
      }
    }
    return false;
  }
}

export interface NoisyOptions {
  seed?: number;
  lines?: number;
}

/**
 * Partner-style lines: each takes a random address (sometimes a house the
 * BAN does not list) and a random mix of noise kinds; the truth is its IRIS.
 */
export function generateNoisyLines(dep: SyntheticDepartement, opts: NoisyOptions = {}): NoisyLine[] {
  const rand = prng(opts.seed ?? 7);
  const n = opts.lines ?? 100_000;
  const listed = dep.addresses.filter((a) => !a.hidden);
  const hidden = dep.addresses.filter((a) => a.hidden);
  const withRep = listed.filter((a) => a.rep !== "");
  const allPostcodes = [...new Set(dep.communes.flatMap((c) => c.postcodes))];
  const sameNamed = new SameNamedStreets(dep.addresses);
  const communesOfPostcode = new Map<string, string[]>();
  for (const c of dep.communes)
    for (const pc of c.postcodes) communesOfPostcode.set(pc, [...(communesOfPostcode.get(pc) ?? []), c.code]);
  const out: NoisyLine[] = [];
  for (let l = 0; l < n; l++) {
    const kinds: NoiseKind[] = [];
    let typeOmittedAt = -1;
    const r0 = rand();
    let a: SyntheticAddress;
    if (r0 < 0.02 && hidden.length > 0) {
      a = hidden[Math.floor(rand() * hidden.length)]!;
      kinds.push("numero_hors_ban");
    } else if (r0 < 0.07 && withRep.length > 0) {
      a = withRep[Math.floor(rand() * withRep.length)]!;
    } else a = listed[Math.floor(rand() * listed.length)]!;

    let num = String(a.numero);
    let rep = a.rep;
    let voie = a.nomVoie;
    let cp = a.codePostal;
    let ville = a.communeNom;
    let complement = "";
    if (rep) {
      if (rand() < 0.6) {
        kinds.push("bis_ter");
        const full = rep.length === 1 ? ({ b: "bis", t: "ter", q: "quater" }[rep] ?? rep) : rep;
        const forms = [
          `${num}${full}`,
          `${num} ${full.toUpperCase()}`,
          `${num}${full[0]!.toUpperCase()}`,
          `${num} ${full[0]!}`,
        ];
        num = forms[Math.floor(rand() * forms.length)]!;
      } else num = `${num} ${rep}`;
      rep = "";
    }
    if (rand() < 0.35) {
      const ab = ABBREV.find(([re]) => re.test(voie));
      if (ab) {
        voie = voie.replace(ab[0], ab[1][Math.floor(rand() * ab[1].length)]!);
        kinds.push("abreviation");
      }
      for (const [re, s] of TITLE_ABBREV) if (re.test(voie) && rand() < 0.7) voie = voie.replace(re, s);
    }
    if (rand() < 0.1) {
      const t = typoInText(rand, voie);
      if (t) {
        voie = t;
        kinds.push("faute_de_frappe");
        // Now and then a second one, in another word or the same.
        const t2 = rand() < 0.3 ? typoInText(rand, voie) : null;
        if (t2) {
          voie = t2;
          kinds.push("deux_fautes");
        }
      }
    }
    // « 49 République »: the street type left out (never for a street that is only its type and one word).
    if (rand() < 0.03 && voie.split(" ").length >= 3) {
      const short = withoutStreetType(voie);
      if (short !== voie && short.length > 3) {
        voie = short;
        // Readable only when no other street so named, in the communes the line leaves possible
        // (decided with the commune's noise below), holds that number elsewhere.
        typeOmittedAt = kinds.length;
        kinds.push("type_voie_omis");
      }
    }
    if (rand() < 0.05) {
      const before = voie;
      voie = voie.replace(/ (de la|de l'|du|des|de) /, " ").replace(/-/g, " ");
      if (voie !== before) kinds.push("mot_manquant");
    }
    if (rand() < 0.03) {
      num = `0${num}`;
      kinds.push("zero_initial");
    }
    const rc = rand();
    if (a.ancienneNom && a.ancienneCode !== a.communeCode && rand() < 0.5) {
      ville = a.ancienneNom;
      kinds.push("ancienne_commune");
    } else if (rc < 0.08) {
      cp = "";
      kinds.push("code_postal_absent");
    } else if (rc < 0.12) {
      let other = cp;
      while (other === cp) other = allPostcodes[Math.floor(rand() * allPostcodes.length)]!;
      cp = other;
      kinds.push("code_postal_faux");
    } else if (rc < 0.2) {
      ville = "";
      kinds.push("commune_absente");
    } else if (rc < 0.24) {
      const t = typoInText(rand, ville.replace(/-/g, " "));
      if (t) {
        ville = t;
        kinds.push("commune_mal_orthographiee");
      }
    } else if (rc < 0.26) {
      const t = typoInText(rand, ville.replace(/-/g, " "));
      if (t) {
        ville = t;
        cp = "";
        kinds.push("commune_mal_orthographiee_sans_cp");
      }
    }
    if (typeOmittedAt >= 0) {
      const possible = ville === "" ? (communesOfPostcode.get(cp) ?? []) : [a.communeCode];
      if (sameNamed.ambiguous(a, possible)) kinds[typeOmittedAt] = "type_voie_omis_ambigu";
    }
    const institution = rand() < 0.03 ? INSTITUTIONS[Math.floor(rand() * INSTITUTIONS.length)]! : "";
    if (institution) kinds.push("etablissement");
    const after = rand() < 0.04;
    if (after) kinds.push("numero_apres_voie");
    if (rand() < 0.15) {
      complement = COMPLEMENTS[Math.floor(rand() * COMPLEMENTS.length)]!;
      kinds.push("complement");
    }
    const rcase = rand();
    const caseF =
      rcase < 0.3 ? (s: string) => s.toUpperCase() : rcase < 0.45 ? (s: string) => s.toLowerCase() : null;
    if (caseF) kinds.push("casse");
    const accents = rand() < 0.3;
    if (accents) kinds.push("accents");
    const punct = rand() < 0.1;
    if (punct) kinds.push("ponctuation");
    const fix = (s: string) => {
      let t = s;
      if (accents) t = stripAccents(t);
      if (caseF) t = caseF(t);
      if (punct)
        t = t
          .replace(/'/g, rand() < 0.5 ? " " : "")
          .replace(/-/g, " ")
          .replace(/ /g, "  ");
      return t;
    };
    let parts: [string, string, string, string, string];
    if (rand() < 0.5) {
      kinds.push("une_colonne");
      // « Quai Victor Hugo, 12 »: the number after the street.
      const head = after ? `${voie}, ${num}` : `${num}${num.endsWith(" ") ? "" : " "}${voie}`;
      const line =
        complement && rand() < 0.5
          ? `${complement} ${head} ${cp} ${ville}`
          : `${head}${complement ? `, ${complement}` : ""} ${cp} ${ville}`;
      const full = institution ? `${institution}${rand() < 0.5 ? "," : ""} ${line}` : line;
      parts = ["", fix(full.replace(/\s+/g, " ").trim()), "", "", ""];
    } else {
      kinds.push("colonnes_separees");
      const street = institution ? `${institution} ${num} ${voie}` : after ? `${voie} ${num}` : voie;
      parts = [institution || after ? "" : fix(num), fix(street), fix(complement), cp, fix(ville)];
    }
    if (kinds.length === 1) kinds.unshift("aucun");
    out.push({ id: `P${String(l + 1).padStart(7, "0")}`, parts, iris: a.iris, kinds, source: a });
  }
  return out;
}
