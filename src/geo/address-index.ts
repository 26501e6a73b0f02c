/**
 * The compact address reference the geocoder searches: communes (postcodes,
 * former names), streets per commune, house numbers per street sorted with
 * their suffix and IRIS, and the set of IRIS each street crosses. Built from
 * BAN rows whose IRIS is already known; columnar typed arrays so that a whole
 * département (≈ 500,000 addresses) fits in a few megabytes and serialises to
 * one binary blob.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { normaliseSuffix } from "./normalize.js";

/** One BAN address with its IRIS (null when the point could not be placed). */
export interface ReferenceAddress {
  communeCode: string;
  communeNom: string;
  codePostal: string;
  /** Former commune (commune nouvelle, commune déléguée) as the BAN gives it. */
  ancienneCode: string;
  ancienneNom: string;
  libelleAcheminement: string;
  nomVoie: string;
  /** House number; null for a lieu-dit or a street without numbers (BAN 99999). */
  numero: number | null;
  rep: string;
  iris: string | null;
}

/** How the IRIS of a commune's addresses were decided at import. */
export type IrisStatus = "irisee" | "non_irisee" | "sans_contour";

export interface CommuneEntry {
  code: string;
  nom: string;
  postcodes: string[];
  /** Other names the commune is known by: former communes, acheminement, city of an arrondissement. */
  aliases: string[];
  irisStatus: IrisStatus;
}

export interface AddressIndex {
  departements: string[];
  communes: CommuneEntry[];
  iris: string[];
  reps: string[];
  voieNom: string[];
  voieCommune: Int32Array;
  /** CSR: numbers of street v are numStart[v] .. numStart[v+1]-1, sorted by number then suffix. */
  numStart: Int32Array;
  numero: Int32Array;
  numRep: Uint8Array;
  /** Index into `iris`, -1 when unknown. */
  numIris: Int32Array;
  /** CSR: the IRIS street v crosses. */
  voieIrisStart: Int32Array;
  voieIris: Int32Array;
}

export interface IndexStats {
  adresses: number;
  voies: number;
  communes: number;
  sansIris: number;
}

const ARRONDISSEMENT = /^(.*?)\s+\d+(?:er|e|eme)?\s+arrondissement$/i;

/** Builds the index from addresses of one or several départements. */
export function buildAddressIndex(
  departements: readonly string[],
  rows: Iterable<ReferenceAddress>,
): AddressIndex {
  const communeIdx = new Map<string, number>();
  const communes: (CommuneEntry & { pc: Set<string>; al: Set<string> })[] = [];
  const irisIdx = new Map<string, number>();
  const iris: string[] = [];
  const repIdx = new Map<string, number>([["", 0]]);
  const reps = [""];
  const voieKey = new Map<string, number>();
  const voieNom: string[] = [];
  const voieCommune: number[] = [];
  const nums: { voie: number; numero: number; rep: number; iris: number }[][] = [];
  const voieIrisSets: Set<number>[] = [];
  const nonIrisees = new Set<string>();
  const withContours = new Set<string>();

  for (const r of rows) {
    let c = communeIdx.get(r.communeCode);
    if (c === undefined) {
      c = communes.length;
      communeIdx.set(r.communeCode, c);
      const al = new Set<string>();
      const arr = ARRONDISSEMENT.exec(r.communeNom);
      if (arr) al.add(arr[1]!);
      communes.push({
        code: r.communeCode,
        nom: r.communeNom,
        postcodes: [],
        aliases: [],
        irisStatus: "sans_contour",
        pc: new Set(),
        al,
      });
    }
    const ce = communes[c]!;
    if (r.codePostal) ce.pc.add(r.codePostal);
    if (r.ancienneNom) ce.al.add(r.ancienneNom);
    if (r.libelleAcheminement && r.libelleAcheminement.toUpperCase() !== r.communeNom.toUpperCase())
      ce.al.add(r.libelleAcheminement);
    let ii = -1;
    if (r.iris !== null) {
      withContours.add(r.communeCode);
      if (r.iris.endsWith("0000")) nonIrisees.add(r.communeCode);
      ii = irisIdx.get(r.iris) ?? -1;
      if (ii < 0) {
        ii = iris.length;
        irisIdx.set(r.iris, ii);
        iris.push(r.iris);
      }
    }
    const vk = `${c}\u0000${r.nomVoie}`;
    let v = voieKey.get(vk);
    if (v === undefined) {
      v = voieNom.length;
      voieKey.set(vk, v);
      voieNom.push(r.nomVoie);
      voieCommune.push(c);
      nums.push([]);
      voieIrisSets.push(new Set());
    }
    if (ii >= 0) voieIrisSets[v]!.add(ii);
    if (r.numero === null) continue;
    const rep = normaliseSuffix(r.rep);
    let ri = repIdx.get(rep);
    if (ri === undefined) {
      ri = reps.length;
      repIdx.set(rep, ri);
      reps.push(rep);
    }
    nums[v]!.push({ voie: v, numero: r.numero, rep: ri, iris: ii });
  }

  for (const ce of communes) {
    if (withContours.has(ce.code)) ce.irisStatus = nonIrisees.has(ce.code) ? "non_irisee" : "irisee";
  }
  const total = nums.reduce((s, n) => s + n.length, 0);
  const numStart = new Int32Array(voieNom.length + 1);
  const numero = new Int32Array(total);
  const numRep = new Uint8Array(total);
  const numIris = new Int32Array(total);
  let k = 0;
  for (let v = 0; v < nums.length; v++) {
    numStart[v] = k;
    const list = nums[v]!;
    list.sort((a, b) => a.numero - b.numero || reps[a.rep]!.localeCompare(reps[b.rep]!));
    for (const n of list) {
      numero[k] = n.numero;
      numRep[k] = n.rep;
      numIris[k] = n.iris;
      k++;
    }
  }
  numStart[nums.length] = k;
  const voieIrisStart = new Int32Array(voieNom.length + 1);
  const flat: number[] = [];
  for (let v = 0; v < voieIrisSets.length; v++) {
    voieIrisStart[v] = flat.length;
    flat.push(...[...voieIrisSets[v]!].sort((a, b) => a - b));
  }
  voieIrisStart[voieIrisSets.length] = flat.length;
  return {
    departements: [...departements],
    communes: communes.map(({ pc, al, ...c }) => ({
      ...c,
      postcodes: [...pc].sort(),
      aliases: [...al].sort(),
    })),
    iris,
    reps,
    voieNom,
    voieCommune: Int32Array.from(voieCommune),
    numStart,
    numero,
    numRep,
    numIris,
    voieIrisStart,
    voieIris: Int32Array.from(flat),
  };
}

export function indexStats(ix: AddressIndex): IndexStats {
  let sansIris = 0;
  for (let i = 0; i < ix.numIris.length; i++) if (ix.numIris[i]! < 0) sansIris++;
  return { adresses: ix.numero.length, voies: ix.voieNom.length, communes: ix.communes.length, sansIris };
}

/** Concatenates the indexes of several départements into one. */
export function mergeIndexes(parts: readonly AddressIndex[]): AddressIndex {
  if (parts.length === 1) return parts[0]!;
  const out = {
    departements: [] as string[],
    communes: [] as CommuneEntry[],
    iris: [] as string[],
    reps: [] as string[],
    voieNom: [] as string[],
  };
  const repIdx = new Map<string, number>();
  const voieCommune: number[] = [];
  const numStart: number[] = [];
  const numero: number[] = [];
  const numRep: number[] = [];
  const numIris: number[] = [];
  const voieIrisStart: number[] = [];
  const voieIris: number[] = [];
  for (const p of parts) {
    const cOff = out.communes.length;
    const iOff = out.iris.length;
    const repMap = p.reps.map((r) => {
      let i = repIdx.get(r);
      if (i === undefined) {
        i = out.reps.length;
        repIdx.set(r, i);
        out.reps.push(r);
      }
      return i;
    });
    out.departements.push(...p.departements);
    out.communes.push(...p.communes);
    out.iris.push(...p.iris);
    for (let v = 0; v < p.voieNom.length; v++) {
      out.voieNom.push(p.voieNom[v]!);
      voieCommune.push(p.voieCommune[v]! + cOff);
      numStart.push(numero.length);
      for (let k = p.numStart[v]!; k < p.numStart[v + 1]!; k++) {
        numero.push(p.numero[k]!);
        numRep.push(repMap[p.numRep[k]!]!);
        numIris.push(p.numIris[k]! < 0 ? -1 : p.numIris[k]! + iOff);
      }
      voieIrisStart.push(voieIris.length);
      for (let k = p.voieIrisStart[v]!; k < p.voieIrisStart[v + 1]!; k++)
        voieIris.push(p.voieIris[k]! + iOff);
    }
  }
  numStart.push(numero.length);
  voieIrisStart.push(voieIris.length);
  return {
    ...out,
    voieCommune: Int32Array.from(voieCommune),
    numStart: Int32Array.from(numStart),
    numero: Int32Array.from(numero),
    numRep: Uint8Array.from(numRep),
    numIris: Int32Array.from(numIris),
    voieIrisStart: Int32Array.from(voieIrisStart),
    voieIris: Int32Array.from(voieIris),
  };
}

const MAGIC = "SOCLE-ADR-1";
const ARRAYS = [
  "voieCommune",
  "numStart",
  "numero",
  "numRep",
  "numIris",
  "voieIrisStart",
  "voieIris",
] as const;

/** One gzip'd blob: a JSON header (strings) followed by the typed arrays. */
export function serialiseIndex(ix: AddressIndex): Buffer {
  const header = {
    magic: MAGIC,
    departements: ix.departements,
    communes: ix.communes,
    iris: ix.iris,
    reps: ix.reps,
    voieNom: ix.voieNom,
    lengths: ARRAYS.map((a) => ix[a].length),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const chunks: Buffer[] = [len, json];
  for (const a of ARRAYS) {
    const arr = ix[a];
    chunks.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
  }
  return gzipSync(Buffer.concat(chunks), { level: 6 });
}

export function deserialiseIndex(blob: Uint8Array): AddressIndex {
  const raw = gunzipSync(blob);
  const jsonLen = raw.readUInt32LE(0);
  const header = JSON.parse(raw.subarray(4, 4 + jsonLen).toString("utf8")) as {
    magic: string;
    departements: string[];
    communes: CommuneEntry[];
    iris: string[];
    reps: string[];
    voieNom: string[];
    lengths: number[];
  };
  if (header.magic !== MAGIC) throw new Error("index d'adresses : format inconnu");
  let off = 4 + jsonLen;
  const take = <T>(ctor: { BYTES_PER_ELEMENT: number; new (b: ArrayBuffer): T }, n: number): T => {
    const bytes = n * ctor.BYTES_PER_ELEMENT;
    const copy = new Uint8Array(bytes);
    copy.set(raw.subarray(off, off + bytes));
    off += bytes;
    return new ctor(copy.buffer);
  };
  const [a, b, c, d, e, f, g] = header.lengths as [number, number, number, number, number, number, number];
  return {
    departements: header.departements,
    communes: header.communes,
    iris: header.iris,
    reps: header.reps,
    voieNom: header.voieNom,
    voieCommune: take(Int32Array, a),
    numStart: take(Int32Array, b),
    numero: take(Int32Array, c),
    numRep: take(Uint8Array, d),
    numIris: take(Int32Array, e),
    voieIrisStart: take(Int32Array, f),
    voieIris: take(Int32Array, g),
  };
}
