/**
 * Streams the rows of a partner's tabular file: CSV in any common encoding
 * (UTF-8 with or without BOM, UTF-16, Windows-1252) and separator (; , tab),
 * or XLSX (first sheet, exceljs streaming reader). A file is never loaded
 * whole; a binary or empty file is refused with a French message.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import iconv from "iconv-lite";
import Papa from "papaparse";
import { invalide, isSocleError } from "../core/errors.js";
import { checkReadSize, STALL_MS, withinStall, withinTime } from "./budget.js";
import { detectEncoding, type Encoding } from "./csv.js";
import { refuseUnsupportedSpreadsheet } from "./office-formats.js";

export interface TabularRow {
  /** 1-based line (CSV) or row (XLSX) number in the file. */
  line: number;
  values: string[];
}

export interface TabularStream {
  fileName: string;
  format: "csv" | "xlsx";
  encoding?: Encoding;
  separator?: string;
  header: string[];
  /** Bytes of the file, for progress. */
  size: number;
  /** Bytes read so far (CSV; XLSX reports 0 until the end). */
  bytesRead(): number;
  rows: AsyncGenerator<TabularRow>;
}

const PREFIX = 65_536;

function readPrefix(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(PREFIX);
    const n = readSync(fd, buf, 0, PREFIX, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface TabularOptions {
  /** Longest wait for the next row before the read is given up (default STALL_MS). */
  stallMs?: number;
}

export async function openTabular(file: string, options: TabularOptions = {}): Promise<TabularStream> {
  const fileName = path.basename(file);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw invalide("fichier_absent", `${fileName} : fichier introuvable.`);
  }
  if (size === 0) throw invalide("fichier_vide", `${fileName} : fichier vide.`);
  const head = readPrefix(file);
  refuseUnsupportedSpreadsheet(head, fileName);
  const stallMs = options.stallMs ?? STALL_MS;
  // XLSX is a zip archive.
  if (head[0] === 0x50 && head[1] === 0x4b) {
    checkReadSize(file, "xlsx", size);
    return openXlsx(file, fileName, size, stallMs);
  }
  checkReadSize(file, "csv", size);
  return openCsv(file, fileName, size, head, stallMs);
}

function looksBinary(head: Buffer, encoding: Encoding): boolean {
  if (encoding.startsWith("utf-16")) return false;
  let ctrl = 0;
  for (const b of head) {
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) ctrl++;
  }
  return ctrl > head.length / 100;
}

async function openCsv(
  file: string,
  fileName: string,
  size: number,
  head: Buffer,
  stallMs: number,
): Promise<TabularStream> {
  // Decide the encoding on the prefix, cut at a line end so a character is not split.
  const cut = head.length === PREFIX ? Math.max(head.lastIndexOf(10), 1) : head.length;
  const { encoding, bom } = detectEncoding(head.subarray(0, cut));
  if (looksBinary(head, encoding))
    throw invalide(
      "fichier_binaire",
      `${fileName} : fichier binaire ou non textuel ; attendu un fichier CSV (texte) ou un classeur XLSX.`,
    );
  const text = iconv.decode(head.subarray(bom, cut), encoding);
  const firstLine = text.split(/\r?\n/)[0] ?? "";
  if (firstLine.trim() === "")
    throw invalide("entete_absent", `${fileName}, ligne 1 : en-tête de colonnes absent.`);
  const counts = [";", ",", "\t"].map((s) => [s, firstLine.split(s).length - 1] as const);
  const separator = counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];

  let read = 0;
  const raw = createReadStream(file, { start: bom });
  raw.on("data", (d) => {
    read += d.length;
  });
  const decoded = raw.pipe(iconv.decodeStream(encoding));
  // The stall budget watches the decoded chunks: rows are cut from a chunk
  // synchronously, so only the wait for the next chunk can stall (a timer
  // and a race per row cost more than the CSV parsing itself).
  const chunks = withinStall((decoded as AsyncIterable<string>)[Symbol.asyncIterator](), {
    fileName,
    kind: "csv",
    ms: stallMs,
    abort: () => raw.destroy(),
  });
  const iterator = csvRows(chunks, separator, fileName);
  const first = await iterator.next();
  if (first.done) throw invalide("fichier_vide", `${fileName} : fichier vide.`);
  const header = first.value.map((h) => h.trim());
  async function* rows(): AsyncGenerator<TabularRow> {
    let line = 1;
    for (;;) {
      const r = await iterator.next();
      if (r.done) return;
      line++;
      yield { line, values: r.value };
    }
  }
  return {
    fileName,
    format: "csv",
    encoding,
    separator,
    header,
    size,
    bytesRead: () => read,
    rows: rows(),
  };
}

/** Longest CSV record (in characters) and most fields in a row that a reader accepts. */
export const READER_LIMITS = { maxLineChars: 1_048_576, maxFields: 2_000 } as const;

const tooLong = (fileName: string, line: number) =>
  invalide(
    "ligne_trop_longue",
    `${fileName}, ligne ${line} : ligne de plus de ${READER_LIMITS.maxLineChars.toLocaleString("fr-FR")} caractères ; guillemet non refermé ou fichier qui n'est pas un tableau ?`,
  );

const tooManyFields = (fileName: string, line: number) =>
  invalide(
    "trop_de_colonnes",
    `${fileName}, ligne ${line} : plus de ${READER_LIMITS.maxFields.toLocaleString("fr-FR")} colonnes ; séparateur attendu : point-virgule, virgule ou tabulation.`,
  );

enum Scan {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

/**
 * Rows of decoded CSV text. Text arrives in chunks; each chunk is cut after
 * its last record end (a line end outside quotes) and that block is parsed
 * at once by papaparse (far faster than a stream callback per row); the
 * rest waits for the next chunk. The scanner keeps its state across chunks,
 * so each character is looked at once whatever the quotes: a quote opens a
 * quoted field only at the start of a field, as papaparse reads it, and a
 * stray quote inside an unquoted field is text. A record longer than
 * READER_LIMITS.maxLineChars (a quote never closed, a 60 MB line) stops the
 * reading with a French message naming the line, before it fills memory.
 */
export async function* csvRows(
  chunks: AsyncIterable<string>,
  delimiter: string,
  fileName = "fichier",
): AsyncGenerator<string[]> {
  const delim = delimiter.charCodeAt(0);
  let carry = "";
  /** Records completed before `carry` (so the one in progress is line records + 1). */
  let records = 0;
  let state = Scan.FieldStart;
  let fields = 1;
  // Decided at the first record end and kept for every block: papaparse would
  // guess it again on each one, and a block of blank lines guesses wrong.
  let newline: "\n" | "\r\n" | undefined;
  const parse = (block: string, firstLine: number): string[][] => {
    const data = Papa.parse<string[]>(block, { delimiter, newline, skipEmptyLines: false }).data;
    // A block ending with a line end gives a last empty row that is not in the file.
    const last = data[data.length - 1];
    if (/\n$/.test(block) && last && last.length === 1 && last[0] === "") data.pop();
    for (let i = 0; i < data.length; i++)
      if (data[i]!.length > READER_LIMITS.maxFields) throw tooManyFields(fileName, firstLine + i);
    return data;
  };
  for await (const chunk of chunks) {
    const text = carry + chunk;
    // Characters of `carry` were scanned with the previous chunk.
    let cut = -1;
    let recordStart = 0;
    let ended = 0;
    for (let i = carry.length; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (state) {
        case Scan.FieldStart:
        case Scan.Unquoted:
        case Scan.QuoteInQuoted:
          if (c === 34 && state === Scan.FieldStart) state = Scan.Quoted;
          else if (c === 34 && state === Scan.QuoteInQuoted) state = Scan.Quoted;
          // papaparse closes a quoted field only before a delimiter or a line
          // end (\r\n included); any other character keeps it open.
          else if (state === Scan.QuoteInQuoted && c !== delim && c !== 10) {
            if (c !== 13) state = Scan.Quoted;
          } else if (c === delim) {
            state = Scan.FieldStart;
            if (++fields > READER_LIMITS.maxFields) throw tooManyFields(fileName, records + ended + 1);
          } else if (c === 10) {
            if (i - recordStart > READER_LIMITS.maxLineChars) throw tooLong(fileName, records + ended + 1);
            newline ??= i > 0 && text.charCodeAt(i - 1) === 13 ? "\r\n" : "\n";
            state = Scan.FieldStart;
            fields = 1;
            cut = i;
            recordStart = i + 1;
            ended++;
          } else if (state !== Scan.Unquoted) state = Scan.Unquoted;
          break;
        case Scan.Quoted:
          if (c === 34) state = Scan.QuoteInQuoted;
          break;
      }
    }
    if (text.length - recordStart > READER_LIMITS.maxLineChars) throw tooLong(fileName, records + ended + 1);
    if (cut < 0) {
      carry = text;
      continue;
    }
    carry = text.slice(cut + 1);
    const firstLine = records + 1;
    records += ended;
    for (const row of parse(text.slice(0, cut + 1), firstLine)) yield row;
  }
  if (carry !== "") for (const row of parse(carry, records + 1)) yield row;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === "object") {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown };
    if (o.richText) return o.richText.map((t) => t.text).join("");
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
  }
  return "";
}

async function openXlsx(
  file: string,
  fileName: string,
  size: number,
  stallMs: number,
): Promise<TabularStream> {
  const ExcelJS = (await import("exceljs")).default;
  // Our own stream, so that a read given up (exceljs never settles on some
  // damaged archives) lets go of the file.
  const input = createReadStream(file);
  input.on("error", () => {});
  const budget = { fileName, kind: "xlsx" as const, ms: stallMs, abort: () => input.destroy() };
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: "emit",
    sharedStrings: "cache",
    hyperlinks: "ignore",
    styles: "ignore",
  });
  let done = false;
  const sheets = reader[Symbol.asyncIterator]();
  let sheetRows: AsyncGenerator<{ number: number; values: unknown }>;
  let header: string[];
  try {
    const sheet = await withinTime(sheets.next(), budget);
    if (sheet.done) throw invalide("fichier_vide", `${fileName} : classeur sans feuille.`);
    sheetRows = sheet.value[Symbol.asyncIterator]() as AsyncGenerator<{ number: number; values: unknown }>;
    const first = await withinTime(sheetRows.next(), budget);
    if (first.done) throw invalide("fichier_vide", `${fileName} : première feuille vide.`);
    header = rowValues(first.value.values).map((h) => h.trim());
    if (header.length > READER_LIMITS.maxFields) throw tooManyFields(fileName, first.value.number);
  } catch (e) {
    if (isSocleError(e)) throw e;
    throw invalide("xlsx_illisible", `${fileName} : classeur XLSX illisible ou endommagé.`);
  }
  async function* rows(): AsyncGenerator<TabularRow> {
    try {
      for (;;) {
        const r = await withinTime(sheetRows.next(), budget);
        if (r.done) break;
        const values = rowValues(r.value.values);
        if (values.length > READER_LIMITS.maxFields) throw tooManyFields(fileName, r.value.number);
        yield { line: r.value.number, values };
      }
    } catch (e) {
      if (isSocleError(e)) throw e;
      throw invalide("xlsx_illisible", `${fileName} : classeur XLSX illisible ou endommagé.`);
    }
    done = true;
  }
  return {
    fileName,
    format: "xlsx",
    header,
    size,
    bytesRead: () => (done ? size : 0),
    rows: rows(),
  };
}

function rowValues(values: unknown): string[] {
  // exceljs rows are 1-based sparse arrays.
  const arr = Array.isArray(values) ? values.slice(1) : [];
  return Array.from(arr, (v) => cellText(v));
}
