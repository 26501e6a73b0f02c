/**
 * The address of a row, composed from every column that holds a part of it.
 * Partner software exports the address in one column or in several (number,
 * repetition, street, complement, lieu-dit, postcode, commune name, commune
 * code); an annex may list only « adresse » and « commune » while the file
 * also has a postcode column. Every part the user maps feeds the geocoder;
 * none of them is stored (the commune code of an annex field excepted: it is
 * data of the annex, not an address).
 *
 * A part that is not a field of the annex is mapped under the key
 * `adresse.<part>` (e.g. `adresse.code_postal`), beside the fields.
 */
import type { DatasetField } from "../convention/model.js";
import type { Mapping } from "./mapping.js";

export const ADDRESS_PARTS = [
  "numero",
  "repetition",
  "voie",
  "complement",
  "lieu_dit",
  "code_postal",
  "commune",
  "code_commune",
] as const;
export type AddressPart = (typeof ADDRESS_PARTS)[number];
/** `ligne`: an address in one column (number, street, and possibly the rest). */
export type AddressRole = AddressPart | "ligne";

export const ADDRESS_PART_FR: Readonly<Record<AddressRole, string>> = {
  ligne: "adresse complète ou ligne d'adresse",
  numero: "numéro dans la voie",
  repetition: "indice de répétition (bis, ter…)",
  voie: "type et nom de la voie",
  complement: "complément d'adresse",
  lieu_dit: "lieu-dit",
  code_postal: "code postal",
  commune: "nom de la commune",
  code_commune: "code commune (INSEE)",
};

export const ADDRESS_KEY_PREFIX = "adresse.";

/** The mapping key of an address part that is not a field of the annex. */
export const addressKey = (p: AddressPart): string => `${ADDRESS_KEY_PREFIX}${p}`;

const NAMES: readonly [RegExp, AddressPart][] = [
  [/^(numero|num|numero_voie|num_voie|no_voie)$/, "numero"],
  [/^(rep|repetition|indice_repetition|btq)$/, "repetition"],
  [/^(voie|libelle_voie|nom_voie|rue)$/, "voie"],
  [/^(complement|complement_adresse|adresse_complement|adresse2)$/, "complement"],
  [/^(lieu_dit|lieudit)$/, "lieu_dit"],
  [/^(code_postal|cp)$/, "code_postal"],
  [/^(commune|ville|libelle_commune|nom_commune|localite)$/, "commune"],
];

/** The address role of an annex field, or null when the field is not part of the address. */
export function addressRoleOf(f: DatasetField): AddressRole | null {
  if (f.type === "code_commune") return "code_commune";
  for (const [re, part] of NAMES) if (re.test(f.nom)) return part;
  if (f.type === "adresse") return "ligne";
  return null;
}

/** Whether an annex field carries the address itself (used to geocode, never stored). */
export function isAddressField(f: DatasetField): boolean {
  const r = addressRoleOf(f);
  return r !== null && r !== "code_commune";
}

export interface AddressColumn {
  role: AddressRole;
  column: number;
}

/** Columns of the file that feed the geocoder: annex address fields and extra `adresse.*` keys. */
export function addressColumns(fields: readonly DatasetField[], mapping: Mapping): AddressColumn[] {
  const out: AddressColumn[] = [];
  for (const f of fields) {
    const role = addressRoleOf(f);
    const column = mapping[f.nom];
    if (role && column !== undefined) out.push({ role, column });
  }
  for (const p of ADDRESS_PARTS) {
    const column = mapping[addressKey(p)];
    if (column !== undefined && !out.some((c) => c.column === column)) out.push({ role: p, column });
  }
  return out;
}

/** Order in which the parts are handed to the geocoder: the commune last, as a person writes it. */
const ORDER: readonly AddressRole[] = [
  "numero",
  "repetition",
  "voie",
  "ligne",
  "complement",
  "lieu_dit",
  "code_postal",
  "commune",
];

export interface ComposedAddress {
  parts: string[];
  /** The commune code a column gives, when it reads as one. */
  codeCommune: string | null;
}

/** The parts of one row's address, in reading order, and the commune code when given. */
export function composeAddress(
  columns: readonly AddressColumn[],
  values: readonly string[],
): ComposedAddress {
  const parts: string[] = [];
  for (const role of ORDER)
    for (const c of columns)
      if (c.role === role) {
        const v = (values[c.column] ?? "").trim();
        if (v !== "") parts.push(v);
      }
  let codeCommune: string | null = null;
  const cc = columns.find((c) => c.role === "code_commune");
  if (cc) {
    let s = (values[cc.column] ?? "").trim().toUpperCase().replace(/\.0+$/, "");
    if (/^\d{4}$/.test(s)) s = `0${s}`;
    if (/^(\d{2}|2A|2B)\d{3}$/.test(s)) codeCommune = s;
  }
  return { parts, codeCommune };
}

/** Whether the mapping gives the geocoder something to find a street with. */
export function hasStreet(columns: readonly AddressColumn[]): boolean {
  return columns.some((c) => c.role === "ligne" || c.role === "voie" || c.role === "lieu_dit");
}
