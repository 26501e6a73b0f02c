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

export async function openTabular(file: string): Promise<TabularStream> {
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
  // XLSX is a zip archive.
  if (head[0] === 0x50 && head[1] === 0x4b) return openXlsx(file, fileName, size);
  return openCsv(file, fileName, size, head);
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

async function openCsv(file: string, fileName: string, size: number, head: Buffer): Promise<TabularStream> {
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
  const iterator = csvRows(decoded as AsyncIterable<string>, separator);
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

/**
 * Rows of decoded CSV text. Text arrives in chunks; each chunk is cut after
 * its last line end that is not inside quotes, and that block is parsed at
 * once by papaparse (far faster than a stream callback per row); the rest
 * waits for the next chunk.
 */
async function* csvRows(chunks: AsyncIterable<string>, delimiter: string): AsyncGenerator<string[]> {
  let carry = "";
  const parse = (block: string): string[][] => {
    const data = Papa.parse<string[]>(block, { delimiter, skipEmptyLines: false }).data;
    // A block ending with a line end gives a last empty row that is not in the file.
    const last = data[data.length - 1];
    if (/\n$/.test(block) && last && last.length === 1 && last[0] === "") data.pop();
    return data;
  };
  for await (const chunk of chunks) {
    const text = carry + chunk;
    let quoted = false;
    let cut = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) quoted = !quoted;
      else if (c === 10 && !quoted) cut = i;
    }
    if (cut < 0) {
      carry = text;
      continue;
    }
    carry = text.slice(cut + 1);
    for (const row of parse(text.slice(0, cut + 1))) yield row;
  }
  if (carry !== "") for (const row of parse(carry)) yield row;
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

async function openXlsx(file: string, fileName: string, size: number): Promise<TabularStream> {
  const ExcelJS = (await import("exceljs")).default;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
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
    const sheet = await sheets.next();
    if (sheet.done) throw invalide("fichier_vide", `${fileName} : classeur sans feuille.`);
    sheetRows = sheet.value[Symbol.asyncIterator]() as AsyncGenerator<{ number: number; values: unknown }>;
    const first = await sheetRows.next();
    if (first.done) throw invalide("fichier_vide", `${fileName} : première feuille vide.`);
    header = rowValues(first.value.values).map((h) => h.trim());
  } catch (e) {
    if (isSocleError(e)) throw e;
    throw invalide("xlsx_illisible", `${fileName} : classeur XLSX illisible ou endommagé.`);
  }
  async function* rows(): AsyncGenerator<TabularRow> {
    try {
      for (;;) {
        const r = await sheetRows.next();
        if (r.done) break;
        yield { line: r.value.number, values: rowValues(r.value.values) };
      }
    } catch {
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
