/**
 * Geocodes a partner's file row by row (protocol 1: what the provider runs on
 * its own machine): identifier + IRIS + result type + score are written, the
 * address never is; each address is dropped as soon as its result is known.
 * Lines that cannot be read go to a rejected-lines report that names the
 * line, the column and the problem, never the content.
 */

import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { invalide } from "../core/errors.js";
import { openTabular } from "../ingest/tabular-stream.js";
import { type GeocodeResult, type Geocoder, RESULT_TYPE_FR, type ResultType } from "./geocoder.js";

/** An address longer than this is not an address: the line is rejected. */
export const MAX_ADDRESS_LENGTH = 1000;

export interface GeocodeFileOptions {
  idCol: string;
  addressCols: readonly string[];
  out: string;
  rejects: string;
  onProgress?: (lines: number, bytesRead: number, size: number) => void;
}

export interface GeocodeSummary {
  fichier: string;
  lignes: number;
  lignesVides: number;
  rejetees: number;
  parType: Record<ResultType, number>;
  avecIris: number;
  parCommune: { code: string; lignes: number; avecIris: number }[];
  secondes: number;
}

function csvField(s: string): string {
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

function findColumn(header: readonly string[], name: string, fileName: string): number {
  const want = name.trim().toLowerCase();
  const i = header.findIndex((h) => h.trim().toLowerCase() === want);
  if (i < 0)
    throw invalide(
      "colonne_absente",
      `${fileName} : colonne « ${name} » absente ; colonnes du fichier : ${header.map((h) => `« ${h} »`).join(", ")}.`,
    );
  return i;
}

export async function geocodeFile(
  geocoder: Geocoder,
  input: string,
  opts: GeocodeFileOptions,
): Promise<GeocodeSummary> {
  const t0 = performance.now();
  const tab = await openTabular(input);
  const idIdx = findColumn(tab.header, opts.idCol, tab.fileName);
  if (opts.addressCols.length === 0)
    throw invalide("colonne_absente", "Aucune colonne d'adresse donnée (--address-cols).");
  const addrIdx = opts.addressCols.map((c) => findColumn(tab.header, c, tab.fileName));
  const out = createWriteStream(opts.out, { encoding: "utf8" });
  const rej = createWriteStream(opts.rejects, { encoding: "utf8" });
  await write(out, "\uFEFFidentifiant;code_iris;code_commune;type_resultat;score\n");
  await write(rej, "\uFEFFligne;colonne;probleme\n");
  const parType: Record<ResultType, number> = {
    housenumber: 0,
    interpolated: 0,
    street: 0,
    municipality: 0,
    not_found: 0,
  };
  const communes = new Map<string, { lignes: number; avecIris: number }>();
  let lignes = 0;
  let vides = 0;
  let rejetees = 0;
  let avecIris = 0;
  const reject = async (line: number, col: string, problem: string) => {
    rejetees++;
    await write(rej, `${line};${csvField(col)};${csvField(problem)}\n`);
  };
  try {
    for await (const row of tab.rows) {
      if (row.values.every((v) => v.trim() === "")) {
        vides++;
        continue;
      }
      lignes++;
      const id = (row.values[idIdx] ?? "").trim();
      if (id === "") {
        await reject(row.line, opts.idCol, "identifiant vide");
        continue;
      }
      const parts = addrIdx.map((i) => row.values[i] ?? "");
      const long = parts.findIndex((p) => p.length > MAX_ADDRESS_LENGTH);
      if (long >= 0) {
        await reject(
          row.line,
          opts.addressCols[long]!,
          `adresse de plus de ${MAX_ADDRESS_LENGTH} caractères`,
        );
        continue;
      }
      if (parts.every((p) => p.trim() === "")) {
        await reject(row.line, opts.addressCols.join(", "), "adresse vide");
        continue;
      }
      const r: GeocodeResult = geocoder.geocode(parts);
      parType[r.type]++;
      if (r.codeIris) avecIris++;
      if (r.codeCommune) {
        const c = communes.get(r.codeCommune) ?? { lignes: 0, avecIris: 0 };
        c.lignes++;
        if (r.codeIris) c.avecIris++;
        communes.set(r.codeCommune, c);
      }
      await write(out, `${csvField(id)};${r.codeIris ?? ""};${r.codeCommune ?? ""};${r.type};${r.score}\n`);
      if ((lignes & 0x3ff) === 0) opts.onProgress?.(lignes, tab.bytesRead(), tab.size);
    }
  } finally {
    out.end();
    rej.end();
    await Promise.all([once(out, "close"), once(rej, "close")]);
  }
  opts.onProgress?.(lignes, tab.size, tab.size);
  return {
    fichier: tab.fileName,
    lignes,
    lignesVides: vides,
    rejetees,
    parType,
    avecIris,
    parCommune: [...communes.entries()]
      .map(([code, c]) => ({ code, ...c }))
      .sort((a, b) => b.lignes - a.lignes || a.code.localeCompare(b.code)),
    secondes: (performance.now() - t0) / 1000,
  };
}

/** The quality summary in French, as the CLI prints it. */
export function formatSummary(s: GeocodeSummary, topCommunes = 15): string {
  const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)} %` : "—");
  const geocoded = s.lignes - s.rejetees;
  const lines = [
    `${s.fichier} : ${s.lignes} ligne(s) lue(s), ${s.rejetees} rejetée(s), ${s.lignesVides} vide(s) ignorée(s), en ${s.secondes.toFixed(1)} s.`,
    `IRIS attribué : ${s.avecIris} ligne(s) (${pct(s.avecIris, geocoded)}).`,
    "Par type de résultat :",
    ...(Object.keys(s.parType) as ResultType[]).map(
      (t) =>
        `  ${RESULT_TYPE_FR[t].padEnd(18)} ${String(s.parType[t]).padStart(8)}  ${pct(s.parType[t], geocoded)}`,
    ),
  ];
  if (s.parCommune.length > 0) {
    lines.push("Par commune (lignes, part avec IRIS) :");
    for (const c of s.parCommune.slice(0, topCommunes))
      lines.push(`  ${c.code}  ${String(c.lignes).padStart(8)}  ${pct(c.avecIris, c.lignes)}`);
    if (s.parCommune.length > topCommunes)
      lines.push(`  … et ${s.parCommune.length - topCommunes} autre(s) commune(s)`);
  }
  return lines.join("\n");
}
