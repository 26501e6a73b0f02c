/**
 * Size and time budgets of the file readers: a file larger than its kind
 * allows is refused before it is read, and a read that stops making
 * progress (a damaged archive on which a library never settles) is given up
 * with a French message naming the file and what was expected, instead of
 * hanging a deposit, an import or the whole server.
 *
 * A timer can only interrupt a read that waits (streams, promises): the
 * readers that parse in one synchronous step (GeoPackage through sql.js,
 * GeoJSON, τ-Argus and sdcTable text files) are bounded by their size budget.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { invalide } from "../core/errors.js";

const MiB = 1024 * 1024;

export type ReaderKind = "csv" | "xlsx" | "shapefile" | "geopackage" | "geojson" | "ban" | "sdc";

/** What each kind of file is, in the messages, and its largest accepted size. */
export const READ_BUDGETS: Record<ReaderKind, { expected: string; maxBytes: number }> = {
  csv: { expected: "un fichier CSV", maxBytes: 4096 * MiB },
  xlsx: { expected: "un classeur XLSX", maxBytes: 512 * MiB },
  shapefile: { expected: "un Shapefile de contours IRIS", maxBytes: 2048 * MiB },
  geopackage: { expected: "un GeoPackage de contours IRIS", maxBytes: 2048 * MiB },
  geojson: { expected: "un GeoJSON de contours IRIS", maxBytes: 256 * MiB },
  ban: { expected: "un fichier d'adresses de la BAN", maxBytes: 4096 * MiB },
  sdc: { expected: "un fichier de tableau ou de métadonnées (τ-Argus, sdcTable)", maxBytes: 256 * MiB },
};

/** Longest wait for the next piece of a file (a row, a sheet, a record) before the read is given up. */
export const STALL_MS = 30_000;

const mo = (bytes: number) => Math.ceil(bytes / MiB).toLocaleString("fr-FR");

/** Refuses a file over its kind's size budget (the name only: never a path or a value). */
export function checkReadSize(file: string, kind: ReaderKind, known?: number): number {
  const b = READ_BUDGETS[kind];
  let size: number;
  try {
    size = known ?? statSync(file).size;
  } catch {
    throw invalide("fichier_absent", `${path.basename(file)} : fichier introuvable.`);
  }
  if (size > b.maxBytes)
    throw invalide(
      "fichier_trop_volumineux",
      `${path.basename(file)} : fichier de ${mo(size)} Mo ; attendu ${b.expected} de ${mo(b.maxBytes)} Mo au plus.`,
    );
  return size;
}

export const stalled = (fileName: string, kind: ReaderKind, ms: number) =>
  invalide(
    "lecture_bloquee",
    `${fileName} : lecture abandonnée, aucune progression depuis ${Math.round(ms / 1000)} s ; attendu ${READ_BUDGETS[kind].expected} lisible (fichier endommagé ?).`,
  );

/**
 * `work`, or the French « lecture bloquée » error if it has not settled
 * within `ms`; `abort` then releases what the read holds (its stream).
 */
export function withinTime<T>(
  work: Promise<T>,
  o: { fileName: string; kind: ReaderKind; ms?: number; abort?: () => void },
): Promise<T> {
  const ms = o.ms ?? STALL_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      o.abort?.();
      reject(stalled(o.fileName, o.kind, ms));
    }, ms);
  });
  // The abandoned read may still fail later: that failure is no one's to handle.
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** An async iteration in which every step must arrive within the stall budget. */
export async function* withinStall<T>(
  source: AsyncIterator<T>,
  o: { fileName: string; kind: ReaderKind; ms?: number; abort?: () => void },
): AsyncGenerator<T> {
  for (;;) {
    const r = await withinTime(source.next(), o);
    if (r.done) return;
    yield r.value;
  }
}
