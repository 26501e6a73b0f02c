/**
 * A FICTIONAL territory for demonstrations and tests: département « 00 »,
 * a code range no real commune has, placed at sea off Brittany so it can never
 * be mistaken for a real place. Deterministic: the same seed gives the same
 * polygons and populations.
 */
import type { Position } from "geojson";
import type { AreaGeometry } from "./geometry.js";

export const DEMO_REGION = { code: "00", nom: "Région fictive de démonstration" };
export const DEMO_DEPARTEMENT = { code: "00", nom: "Département fictif de démonstration", region: "00" };
export const DEMO_EPCI = {
  code: "000000001",
  nom: "Agglomération fictive du Val de Socle (démonstration)",
  nature: "CA",
};

interface DemoCommuneSpec {
  code: string;
  nom: string;
  /** Block of lattice cells [col0, col1] × [row0, row1], inclusive. */
  cols: [number, number];
  rows: [number, number];
  /** Size of one IRIS in cells; null for a commune non irisée. */
  iris: [number, number] | null;
  density: number;
}

const COMMUNES: DemoCommuneSpec[] = [
  { code: "00001", nom: "Valsocle", cols: [4, 7], rows: [2, 5], iris: [1, 1], density: 2.2 },
  { code: "00002", nom: "Brunelles", cols: [0, 3], rows: [0, 3], iris: [2, 1], density: 1.0 },
  { code: "00003", nom: "Saint-Aubin-des-Prés", cols: [8, 11], rows: [0, 3], iris: [2, 1], density: 0.9 },
  { code: "00004", nom: "Les Fontaines", cols: [0, 3], rows: [4, 7], iris: [2, 2], density: 0.6 },
  { code: "00005", nom: "Montrelais", cols: [8, 11], rows: [4, 7], iris: [2, 2], density: 0.5 },
  { code: "00006", nom: "Hameau-sur-Socle", cols: [4, 7], rows: [6, 7], iris: null, density: 0.15 },
  { code: "00007", nom: "La Lande-aux-Moines", cols: [4, 7], rows: [0, 1], iris: null, density: 0.1 },
];

const NOMS_IRIS = [
  "Centre",
  "Gare",
  "Les Tilleuls",
  "Le Port",
  "Champ de Foire",
  "Les Rives",
  "Bel Air",
  "La Forge",
  "Moulin",
  "Les Coteaux",
  "Saint-Jean",
  "Les Prairies",
  "La Croix",
  "Les Vergers",
  "Le Bourg",
  "Beauséjour",
];

export interface DemoIris {
  code: string;
  communeCode: string;
  nom: string;
  typeIris: "H" | "Z";
  /** Lambert-93 polygon. */
  geometry: AreaGeometry;
  population: number;
}

export interface DemoTerritory {
  communes: { code: string; nom: string; population: number; codesPostaux: string[] }[];
  iris: DemoIris[];
  anneePopulation: number;
}

/** mulberry32: a tiny seeded PRNG, enough for reproducible fake geography. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoTerritory(seed = 2026): DemoTerritory {
  const rnd = prng(seed);
  const COLS = 12;
  const ROWS = 8;
  const CELL = 1000;
  const X0 = 80_000;
  const Y0 = 6_650_000;
  // Lattice of (COLS+1) × (ROWS+1) vertices; inner vertices are jittered so
  // the polygons look organic yet tile the plane exactly.
  const vertex: Position[][] = [];
  for (let c = 0; c <= COLS; c++) {
    vertex.push([]);
    for (let r = 0; r <= ROWS; r++) {
      const inner = c > 0 && c < COLS && r > 0 && r < ROWS;
      const jx = inner ? (rnd() - 0.5) * 0.5 * CELL : 0;
      const jy = inner ? (rnd() - 0.5) * 0.5 * CELL : 0;
      vertex[c]!.push([Math.round(X0 + c * CELL + jx), Math.round(Y0 + r * CELL + jy)]);
    }
  }
  const block = (c0: number, c1: number, r0: number, r1: number): AreaGeometry => {
    const ring: Position[] = [];
    for (let c = c0; c <= c1 + 1; c++) ring.push(vertex[c]![r0]!);
    for (let r = r0 + 1; r <= r1 + 1; r++) ring.push(vertex[c1 + 1]![r]!);
    for (let c = c1; c >= c0; c--) ring.push(vertex[c]![r1 + 1]!);
    for (let r = r1; r >= r0; r--) ring.push(vertex[c0]![r]!);
    return { type: "Polygon", coordinates: [ring] };
  };
  const iris: DemoIris[] = [];
  const communes: DemoTerritory["communes"] = [];
  for (const spec of COMMUNES) {
    let total = 0;
    const [c0, c1] = spec.cols;
    const [r0, r1] = spec.rows;
    if (!spec.iris) {
      const population = Math.round(spec.density * 1000 * (0.8 + rnd() * 0.4) * (c1 - c0 + 1));
      iris.push({
        code: `${spec.code}0000`,
        communeCode: spec.code,
        nom: `${spec.nom} (commune non irisée)`,
        typeIris: "Z",
        geometry: block(c0, c1, r0, r1),
        population,
      });
      total = population;
    } else {
      const [w, h] = spec.iris;
      let n = 1;
      for (let r = r0; r <= r1; r += h)
        for (let c = c0; c <= c1; c += w) {
          const population = Math.round(spec.density * 1000 * w * h * (0.6 + rnd() * 0.8));
          iris.push({
            code: `${spec.code}${String(n).padStart(4, "0")}`,
            communeCode: spec.code,
            nom: NOMS_IRIS[(n - 1) % NOMS_IRIS.length]!,
            typeIris: "H",
            geometry: block(c, c + w - 1, r, r + h - 1),
            population,
          });
          total += population;
          n++;
        }
    }
    communes.push({
      code: spec.code,
      nom: spec.nom,
      population: total,
      codesPostaux: [`00${spec.code.slice(2)}0`],
    });
  }
  return { communes, iris, anneePopulation: 2021 };
}
