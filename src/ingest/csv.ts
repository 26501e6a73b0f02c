/**
 * Reads partner and reference CSV files: detects the encoding (UTF-8 with or
 * without BOM, UTF-16, else Windows-1252) and the separator (; , tab).
 */
import { readFileSync } from "node:fs";
import iconv from "iconv-lite";
import Papa from "papaparse";

export type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

export function detectEncoding(bytes: Uint8Array): { encoding: Encoding; bom: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: "utf-8", bom: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", bom: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", bom: 2 };
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { encoding: "utf-8", bom: 0 };
  } catch {
    return { encoding: "windows-1252", bom: 0 };
  }
}

export function decodeText(bytes: Uint8Array): { text: string; encoding: Encoding } {
  const { encoding, bom } = detectEncoding(bytes);
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.byteLength - bom);
  return { text: iconv.decode(body, encoding), encoding };
}

export interface CsvTable {
  header: string[];
  records: string[][];
  separator: string;
  encoding: Encoding;
}

export function parseCsvText(text: string, encoding: Encoding = "utf-8"): CsvTable {
  const firstLine = text.slice(0, text.indexOf("\n") >>> 0);
  const counts = [";", ",", "\t"].map((s) => [s, firstLine.split(s).length - 1] as const);
  const separator = counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  const parsed = Papa.parse<string[]>(text, { delimiter: separator, skipEmptyLines: "greedy" });
  const [header = [], ...records] = parsed.data;
  return { header: header.map((h) => h.trim()), records, separator, encoding };
}

export function readCsvFile(file: string): CsvTable {
  const { text, encoding } = decodeText(readFileSync(file));
  return parseCsvText(text, encoding);
}
