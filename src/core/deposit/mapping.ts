/**
 * Column mapping: which column of a partner's file holds each field of the
 * dataset. Proposed automatically from the column names (accents, case,
 * punctuation and common synonyms ignored), confirmed by the user,
 * remembered for the next year's deposit.
 */

import type { DatasetField } from "../convention/model.js";
import { withoutPrototype } from "../lookup.js";
import {
  ADDRESS_PARTS,
  addressColumns,
  addressKey,
  addressRoleOf,
  hasStreet,
  isAddressField,
} from "./address.js";

/** Field name → 0-based column index. */
export type Mapping = Record<string, number>;

const key = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\bn°|\bno\b|\bnum(ero)?\b/g, "numero")
    // « Nombre d'enfants » is « nombre_enfants »: little words do not count.
    .split(/[^a-z0-9]+/)
    .filter((w) => !STOPWORDS.has(w))
    .join("");

const STOPWORDS = new Set(["", "d", "de", "du", "des", "l", "la", "le", "les"]);

/** Usual names partners give to the same thing. */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = withoutPrototype({
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
  numero: ["numero", "numerovoie", "numerodanslavoie", "numvoie"],
  repetition: ["rep", "repetition", "indicerepetition", "indicederepetition", "btq", "bister"],
  voie: ["voie", "libellevoie", "nomvoie", "nomdelavoie", "rue"],
  complement: ["complement", "complementadresse", "complementdadresse", "adresse2", "adressecomplement"],
  lieu_dit: ["lieudit"],
});

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
  // Address parts the annex does not list but the file has: they feed the geocoder too.
  const roles = new Set(fields.filter((f) => mapping[f.nom] !== undefined).map(addressRoleOf));
  if (roles.size > 0 && fields.some(isAddressField))
    for (const p of ADDRESS_PARTS) if (!roles.has(p)) take(addressKey(p), SYNONYMS[p] ?? []);
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

/**
 * What a deposit may not declare absent, on every deposit path (individual
 * file, aggregated table): a field the annex marks required (it is in every
 * deposit), and a field the same request maps to a column (the deposit
 * would not say which is true). Each message names the field.
 *
 * @example absentsProblems(annexe, ["gir"], { gir: 3 }, ["id", "adresse", "sexe", "GIR"])
 * // → ["« Niveau GIR » (champ gir) est à la fois lu dans la colonne « GIR » et déclaré absent : …"]
 */
export function absentsProblems(
  dataset: { titre: string; champs: readonly DatasetField[] },
  declared: readonly string[],
  mapping: Mapping | undefined,
  header: readonly string[],
): string[] {
  const p: string[] = [];
  const label = (f: DatasetField) => f.libelle ?? f.nom;
  for (const f of dataset.champs) {
    if (!declared.includes(f.nom)) continue;
    const column = mapping?.[f.nom];
    if (column !== undefined)
      p.push(
        `« ${label(f)} » (champ ${f.nom}) est à la fois lu dans la colonne « ${header[column] ?? column + 1} » et déclaré absent : retirez la colonne ou la déclaration d'absence.`,
      );
    else if (f.requis)
      p.push(
        `« ${label(f)} » (champ ${f.nom}) est requis par l'annexe « ${dataset.titre} » : il ne peut être déclaré absent.`,
      );
  }
  return p;
}

/**
 * Whether every field of an individual annex is accounted for: mapped to a
 * column, or declared absent from this deposit by the user. A field the
 * mapping misses is never dropped without a word: the deposit stops with a
 * French question naming it. Address parts are not data (they only feed the
 * geocoder), so they need no declaration, but the address needs a street.
 * In protocol 1 the file comes without identifier nor address.
 */
export function accountForFields(
  dataset: { titre: string; champs: readonly DatasetField[]; protocole?: 1 | 2 },
  header: readonly string[],
  mapping: Mapping,
  absents: ReadonlySet<string>,
): string[] {
  const protocole = dataset.protocole ?? 2;
  const p: string[] = [];
  const label = (f: DatasetField) => f.libelle ?? f.nom.replace(/_/g, " ");
  const seen = new Map<number, string>();
  for (const [k, i] of Object.entries(mapping)) {
    if (!Number.isInteger(i) || i < 0 || i >= header.length) {
      p.push(`Champ « ${k} » : colonne n° ${i + 1} absente du fichier.`);
      continue;
    }
    const other = seen.get(i);
    if (other) p.push(`La colonne « ${header[i]} » est attribuée à « ${other} » et à « ${k} ».`);
    seen.set(i, k);
  }
  for (const k of Object.keys(mapping))
    if (!dataset.champs.some((f) => f.nom === k) && !ADDRESS_PARTS.some((part) => addressKey(part) === k))
      p.push(
        `« ${k} » n'est ni un champ de l'annexe « ${dataset.titre} » ni une partie d'adresse (${ADDRESS_PARTS.map(addressKey).join(", ")}).`,
      );
  for (const name of absents)
    if (!dataset.champs.some((f) => f.nom === name))
      p.push(
        `« ${name} » n'est pas un champ de l'annexe « ${dataset.titre} » : il ne peut être déclaré absent.`,
      );
  for (const f of dataset.champs) {
    const mapped = mapping[f.nom] !== undefined;
    if (protocole === 1 && (f.type === "identifiant" || isAddressField(f))) continue;
    if (protocole === 2 && isAddressField(f)) continue;
    const mustMap =
      f.requis === true ||
      (protocole === 2 && f.type === "identifiant") ||
      (protocole === 1 && f.type === "code_iris");
    if (mustMap && !mapped) {
      p.push(
        `Aucune colonne du fichier pour le champ « ${label(f)} » : ce champ est indispensable au dépôt, quelle colonne le contient ?`,
      );
      continue;
    }
    if (!mapped && !absents.has(f.nom))
      p.push(
        `Quelle colonne du fichier contient « ${label(f)} » (champ ${f.nom} de l'annexe « ${dataset.titre} ») ? S'il manque dans ce dépôt, déclarez-le absent : il sera « non renseigné » pour toutes les lignes.`,
      );
  }
  if (protocole === 2 && dataset.champs.some((f) => isAddressField(f) || f.type === "code_commune")) {
    if (!hasStreet(addressColumns(dataset.champs, mapping)))
      p.push(
        "Aucune colonne du fichier pour l'adresse : indiquez la colonne de l'adresse complète, ou celles du numéro et de la voie.",
      );
  }
  return p;
}
