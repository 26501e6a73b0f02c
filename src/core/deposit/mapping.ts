/**
 * Column mapping: which column of a partner's file holds each field of the
 * dataset. Proposed automatically from the column names (accents, case,
 * punctuation and common synonyms ignored), confirmed by the user,
 * remembered for the next year's deposit.
 */
import type { DatasetField } from "../convention/model.js";

/** Field name → 0-based column index. */
export type Mapping = Record<string, number>;

const key = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\bn°|\bno\b|\bnum(ero)?\b/g, "numero")
    .replace(/[^a-z0-9]+/g, "");

/** Usual names partners give to the same thing. */
const SYNONYMS: Record<string, readonly string[]> = {
  identifiant: [
    "id",
    "identifiant",
    "matricule",
    "numeroallocataire",
    "numerodossier",
    "index",
    "indexdossier",
  ],
  adresse: ["adresse", "adressepostale", "adr", "adresse1", "voie", "libellevoie"],
  code_postal: ["codepostal", "cp", "cpostal"],
  commune: ["commune", "ville", "localite", "libellecommune"],
  code_commune: ["codecommune", "codeinsee", "insee", "depcom", "cog"],
  code_iris: ["codeiris", "iris"],
  sexe: ["sexe", "genre", "civilite"],
  date_naissance: ["datenaissance", "datedenaissance", "naissance", "dtnaiss", "ddn"],
  gir: ["gir", "niveaugir", "groupeisoressources"],
};

/** Proposes a mapping: exact name first, then synonyms of the field's name or type. */
export function proposeMapping(fields: readonly DatasetField[], header: readonly string[]): Mapping {
  const keys = header.map(key);
  const used = new Set<number>();
  const mapping: Mapping = {};
  const take = (field: string, candidates: readonly string[]) => {
    if (mapping[field] !== undefined) return;
    for (const c of candidates) {
      const i = keys.findIndex((k, j) => k === c && !used.has(j));
      if (i >= 0) {
        mapping[field] = i;
        used.add(i);
        return;
      }
    }
  };
  for (const f of fields) take(f.nom, [key(f.nom), ...(f.libelle ? [key(f.libelle)] : [])]);
  for (const f of fields) take(f.nom, [...(SYNONYMS[f.nom] ?? []), ...(SYNONYMS[f.type] ?? [])]);
  return mapping;
}

/** French problems of a mapping: fields without a column, a column used twice, an index out of range. */
export function mappingProblems(
  fields: readonly DatasetField[],
  header: readonly string[],
  mapping: Mapping,
  optional: ReadonlySet<string> = new Set(),
): string[] {
  const p: string[] = [];
  const seen = new Map<number, string>();
  for (const f of fields) {
    const i = mapping[f.nom];
    if (i === undefined) {
      if (!optional.has(f.nom)) p.push(`Aucune colonne du fichier pour le champ « ${f.libelle ?? f.nom} ».`);
      continue;
    }
    if (!Number.isInteger(i) || i < 0 || i >= header.length) {
      p.push(`Champ « ${f.nom} » : colonne n° ${i + 1} absente du fichier.`);
      continue;
    }
    const other = seen.get(i);
    if (other) p.push(`La colonne « ${header[i]} » est attribuée à « ${other} » et à « ${f.nom} ».`);
    seen.set(i, f.nom);
  }
  return p;
}
