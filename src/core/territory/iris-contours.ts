/**
 * Turns the features of an IGN CONTOURS-IRIS file (already parsed, in their
 * source CRS) into IRIS records, or into a list of French problems naming the
 * file, the record and the field. All or nothing: one problem refuses the file.
 */
import { isCodeCommune, readIrisCode } from "./codes.js";
import { type AreaGeometry, type Crs, checkGeometry, GEOMETRY_PROBLEM_FR, to2d } from "./geometry.js";

export interface SourceFeature {
  /** 1-based position of the record in the file. */
  index: number;
  properties: Readonly<Record<string, unknown>>;
  geometry: unknown;
}

export interface ContourSource {
  fileName: string;
  /** What the file says about its CRS; `null` when it says nothing. */
  crs: Crs | { unsupported: string } | null;
  /** CRS assumed when the format has a default (GeoJSON: WGS84). */
  defaultCrs?: Crs;
  features: readonly SourceFeature[];
}

export interface IrisContour {
  code: string;
  communeCode: string;
  nom: string | null;
  typeIris: string | null;
  geometry: AreaGeometry;
}

export type ContourResult =
  | { ok: true; crs: Crs; contours: IrisContour[] }
  | { ok: false; problems: string[] };

const CODE_FIELDS = ["CODE_IRIS", "DCOMIRIS", "codeIris", "id"];
const COMMUNE_FIELDS = ["INSEE_COM", "DEPCOM", "com", "code_insee"];
const NOM_FIELDS = ["NOM_IRIS", "LIB_IRIS", "libiris"];
const TYPE_FIELDS = ["TYP_IRIS", "TYPE_IRIS"];
const MAX_PROBLEMS = 20;

/** The first of `fields` the record has, in any case (`type_iris`, `Code_Iris`…); returns the record's own key. */
function pick(fields: readonly string[], props: Readonly<Record<string, unknown>>): string | undefined {
  const keys = Object.keys(props);
  for (const f of fields) {
    const key = keys.find((k) => k.toUpperCase() === f.toUpperCase());
    if (key !== undefined) return key;
  }
  return undefined;
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === "" ? null : s;
}

export function readIrisContours(src: ContourSource): ContourResult {
  const f = src.fileName;
  if (src.crs !== null && typeof src.crs === "object")
    return {
      ok: false,
      problems: [
        `${f} : système de coordonnées non pris en charge (${src.crs.unsupported}) ; attendu : Lambert-93 (EPSG:2154) ou WGS84 (EPSG:4326).`,
      ],
    };
  const crs = src.crs ?? src.defaultCrs;
  if (!crs)
    return {
      ok: false,
      problems: [
        `${f} : système de coordonnées manquant (fichier .prj absent ou vide) ; attendu : Lambert-93 (EPSG:2154) ou WGS84 (EPSG:4326).`,
      ],
    };
  if (src.features.length === 0)
    return { ok: false, problems: [`${f} : le fichier ne contient aucune entité.`] };

  const first = src.features[0]!.properties;
  const codeField = pick(CODE_FIELDS, first);
  if (!codeField)
    return {
      ok: false,
      problems: [
        `${f} : champ du code IRIS introuvable ; attendu l'un des champs ${CODE_FIELDS.join(", ")}.`,
      ],
    };
  const communeField = pick(COMMUNE_FIELDS, first);
  const nomField = pick(NOM_FIELDS, first);
  const typeField = pick(TYPE_FIELDS, first);

  const problems: string[] = [];
  const seen = new Map<string, number>();
  const contours: IrisContour[] = [];
  let hors = 0;
  for (const feat of src.features) {
    if (problems.length >= MAX_PROBLEMS) break;
    const where = `${f}, entité n° ${feat.index}`;
    const code = readIrisCode(feat.properties[codeField]);
    if (code.kind === "manquant") {
      problems.push(`${where}, champ ${codeField} : code IRIS manquant.`);
      continue;
    }
    if (code.kind === "zero_perdu") {
      problems.push(
        `${where}, champ ${codeField} : code IRIS de ${code.digits} chiffres ; un zéro initial a été perdu (code enregistré comme nombre). Attendu : 9 caractères, par exemple « 010010000 ».`,
      );
      continue;
    }
    if (code.kind === "format") {
      problems.push(
        `${where}, champ ${codeField} : code IRIS invalide ; attendu : 9 caractères (commune + 4 chiffres).`,
      );
      continue;
    }
    const dup = seen.get(code.code);
    if (dup !== undefined) {
      problems.push(
        `${where}, champ ${codeField} : code IRIS ${code.code} en double (déjà à l'entité n° ${dup}).`,
      );
      continue;
    }
    seen.set(code.code, feat.index);
    const communeCode = code.code.slice(0, 5);
    if (communeField) {
      const declared = text(feat.properties[communeField]);
      if (declared !== null && declared.toUpperCase() !== communeCode) {
        const hint = isCodeCommune(declared) ? "" : " (code commune mal formé ou zéro initial perdu)";
        problems.push(
          `${where}, champ ${communeField} : commune ${declared} incohérente avec le code IRIS ${code.code}${hint}.`,
        );
        continue;
      }
    }
    const problem = checkGeometry(feat.geometry, crs);
    if (problem) {
      if (problem === "hors_crs") hors++;
      problems.push(
        `${where} (IRIS ${code.code}) : ${GEOMETRY_PROBLEM_FR[problem]} — ${crsHint(problem, crs)}`,
      );
      continue;
    }
    contours.push({
      code: code.code,
      communeCode,
      nom: nomField ? text(feat.properties[nomField]) : null,
      typeIris: typeField ? text(feat.properties[typeField]) : null,
      geometry: to2d(feat.geometry as AreaGeometry),
    });
  }
  if (hors > 0 && hors === problems.length)
    problems.unshift(
      `${f} : les coordonnées ne correspondent pas au système déclaré ${crs === "EPSG:2154" ? "Lambert-93 (EPSG:2154)" : "WGS84 (EPSG:4326)"} ; le système de coordonnées du fichier est probablement erroné.`,
    );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, crs, contours };
}

function crsHint(problem: string, crs: Crs): string {
  if (problem !== "hors_crs") return "la géométrie doit être un polygone valide et non vide.";
  return crs === "EPSG:4326"
    ? "attendu : longitude/latitude en degrés."
    : "attendu : coordonnées Lambert-93 en mètres.";
}
