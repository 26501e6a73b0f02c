/**
 * Reads BAN `adresses-XX.csv` files (plain or gzip), the exact 23-column
 * layout published by adresse.data.gouv.fr, streaming: a département of
 * 500,000 lines never sits in memory as text.
 */
import { createReadStream } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { isCodeCommune } from "../core/territory/codes.js";
import { checkReadSize, withinStall } from "../ingest/budget.js";

export const BAN_COLUMNS = [
  "id",
  "id_fantoir",
  "numero",
  "rep",
  "nom_voie",
  "code_postal",
  "code_insee",
  "nom_commune",
  "code_insee_ancienne_commune",
  "nom_ancienne_commune",
  "x",
  "y",
  "lon",
  "lat",
  "type_position",
  "alias",
  "nom_ld",
  "libelle_acheminement",
  "nom_afnor",
  "source_position",
  "source_nom_voie",
  "certification_commune",
  "cad_parcelles",
] as const;

const COL = Object.fromEntries(BAN_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof BAN_COLUMNS)[number],
  number
>;

export interface BanRow {
  communeCode: string;
  communeNom: string;
  codePostal: string;
  ancienneCode: string;
  ancienneNom: string;
  libelleAcheminement: string;
  nomVoie: string;
  numero: number | null;
  rep: string;
  x: number;
  y: number;
}

export type BanLine = { ok: true; row: BanRow } | { ok: false; column: string; problem: string };

/** The French problem with a header line, or null when it is the BAN layout. */
export function checkBanHeader(line: string): string | null {
  const cols = line.replace(/^\uFEFF/, "").split(";");
  if (cols.length !== BAN_COLUMNS.length)
    return `${cols.length} colonne(s) trouvée(s), 23 attendues (format BAN adresses-XX.csv, séparateur « ; »).`;
  for (let i = 0; i < cols.length; i++)
    if (cols[i]!.trim() !== BAN_COLUMNS[i])
      return `colonne ${i + 1} : « ${cols[i]!.slice(0, 40)} » trouvée, « ${BAN_COLUMNS[i]} » attendue.`;
  return null;
}

/** Splits one `;` line; the BAN does not quote, but a quoted field is accepted. */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(";");
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ";") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parseBanLine(line: string): BanLine {
  const f = splitLine(line);
  if (f.length !== BAN_COLUMNS.length)
    return { ok: false, column: "", problem: `${f.length} champ(s) au lieu de 23` };
  const code = f[COL.code_insee]!;
  if (!isCodeCommune(code))
    return { ok: false, column: "code_insee", problem: "code commune de 5 caractères attendu" };
  const numRaw = f[COL.numero]!;
  const numero = Number(numRaw);
  if (numRaw === "" || !Number.isInteger(numero) || numero < 0)
    return { ok: false, column: "numero", problem: "numéro entier attendu" };
  const x = Number(f[COL.x]);
  const y = Number(f[COL.y]);
  if (f[COL.x] === "" || !Number.isFinite(x))
    return {
      ok: false,
      column: "x",
      problem: "coordonnée x attendue (Lambert-93, ou UTM du département outre-mer)",
    };
  if (f[COL.y] === "" || !Number.isFinite(y))
    return {
      ok: false,
      column: "y",
      problem: "coordonnée y attendue (Lambert-93, ou UTM du département outre-mer)",
    };
  if (f[COL.nom_voie]!.trim() === "") return { ok: false, column: "nom_voie", problem: "nom de voie vide" };
  return {
    ok: true,
    row: {
      communeCode: code,
      communeNom: f[COL.nom_commune]!,
      codePostal: f[COL.code_postal]!,
      ancienneCode: f[COL.code_insee_ancienne_commune]!,
      ancienneNom: f[COL.nom_ancienne_commune]!,
      libelleAcheminement: f[COL.libelle_acheminement]!,
      nomVoie: f[COL.nom_voie]!,
      // 99999 is the BAN's number of a lieu-dit without address number.
      numero: numero === 99999 ? null : numero,
      rep: f[COL.rep]!,
      x,
      y,
    },
  };
}

/** Lines of a plain or gzip file (detected by its magic bytes, not its name). */
export async function* banLines(file: string, onBytes?: (n: number) => void): AsyncGenerator<string> {
  checkReadSize(file, "ban");
  const head = await new Promise<Buffer>((resolve, reject) => {
    const s = createReadStream(file, { start: 0, end: 1 });
    const parts: Buffer[] = [];
    s.on("data", (d) => parts.push(d as Buffer));
    s.on("end", () => resolve(Buffer.concat(parts)));
    s.on("error", reject);
  });
  const raw = createReadStream(file);
  if (onBytes) raw.on("data", (d) => onBytes(d.length));
  let input: Readable = raw;
  if (head[0] === 0x1f && head[1] === 0x8b) input = input.pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Infinity });
  yield* withinStall(rl[Symbol.asyncIterator](), {
    fileName: path.basename(file),
    kind: "ban",
    abort: () => raw.destroy(),
  });
}
