/**
 * dBase (.dbf) attributes of a Shapefile, decoded with the right code page:
 * the .cpg when there is one and it names an encoding, else the DBF's
 * language driver byte, else UTF-8 when the bytes are valid UTF-8, else
 * Windows-1252 (what French GIS software writes). Never U+FFFD for a Latin-1
 * accent. iconv-lite decodes (Node's TextDecoder gets €, œ and ’ wrong).
 */
import iconv from "iconv-lite";

/** Language driver ids (byte 29 of the header) → code page. */
const LDID: Record<number, string> = {
  1: "cp437",
  2: "cp850",
  3: "cp1252",
  8: "cp865",
  9: "cp437",
  10: "cp850",
  11: "cp437",
  13: "cp437",
  14: "cp850",
  15: "cp437",
  16: "cp850",
  17: "cp437",
  18: "cp850",
  19: "cp932",
  20: "cp850",
  21: "cp437",
  22: "cp850",
  23: "cp865",
  24: "cp437",
  25: "cp437",
  26: "cp850",
  27: "cp437",
  29: "cp850",
  31: "cp852",
  34: "cp852",
  35: "cp852",
  36: "cp860",
  37: "cp850",
  38: "cp866",
  55: "cp850",
  64: "cp852",
  77: "cp936",
  78: "cp949",
  79: "cp950",
  80: "cp874",
  87: "cp1252",
  88: "cp1252",
  89: "cp1252",
  100: "cp852",
  101: "cp866",
  102: "cp865",
  103: "cp861",
  106: "cp737",
  107: "cp857",
  120: "cp950",
  121: "cp949",
  122: "cp936",
  123: "cp932",
  124: "cp874",
  125: "cp1255",
  126: "cp1256",
  200: "cp1250",
  201: "cp1251",
  202: "cp1254",
  203: "cp1253",
  204: "cp1257",
};

/** The encoding a .cpg names (« UTF-8 », « 1252 », « ANSI 1252 », « ISO-8859-1 », « 88591 »…), if iconv knows it. */
export function cpgEncoding(text: string): string | null {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/^ansi\s*/, "");
  if (t === "") return null;
  const candidates = [t, t.replace(/[\s_-]/g, "")];
  if (/^\d+$/.test(t)) candidates.unshift(t === "65001" ? "utf8" : t === "88591" ? "latin1" : `cp${t}`);
  if (/^8859\d+$/.test(t)) candidates.unshift(`iso-8859-${t.slice(4)}`);
  return candidates.find((c) => iconv.encodingExists(c)) ?? null;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export interface DbfTable {
  encoding: string;
  records: Record<string, string | number | boolean | null>[];
}

/** Reads every record, deleted ones included (they keep their shape's place); `cpg` is the .cpg's text, if any. */
export function readDbf(bytes: Buffer, cpg: string | null): DbfTable {
  const count = bytes.readUInt32LE(4);
  const headerLen = bytes.readUInt16LE(8);
  const recordLen = bytes.readUInt16LE(10);
  const body = bytes.subarray(headerLen, headerLen + count * recordLen);
  const encoding =
    (cpg !== null ? cpgEncoding(cpg) : null) ?? LDID[bytes[29]!] ?? (isUtf8(body) ? "utf8" : "cp1252");
  const fields: { name: string; type: string; offset: number; length: number }[] = [];
  let offset = 1;
  for (let p = 32; p + 32 <= headerLen && bytes[p] !== 0x0d; p += 32) {
    const raw = bytes.subarray(p, p + 11);
    const end = raw.indexOf(0);
    const name = iconv.decode(end >= 0 ? raw.subarray(0, end) : raw, encoding).trim();
    const length = bytes[p + 16]!;
    fields.push({ name, type: String.fromCharCode(bytes[p + 11]!).toUpperCase(), offset, length });
    offset += length;
  }
  const records: DbfTable["records"] = [];
  for (let r = 0; r < count; r++) {
    const rec = body.subarray(r * recordLen, (r + 1) * recordLen);
    const out: DbfTable["records"][number] = {};
    for (const f of fields) {
      const text = iconv.decode(rec.subarray(f.offset, f.offset + f.length), encoding).replace(/\0+$/, "");
      const t = text.trim();
      if (f.type === "N" || f.type === "F")
        out[f.name] = t === "" || Number.isNaN(Number(t)) ? null : Number(t);
      else if (f.type === "L") out[f.name] = /^[yt]$/i.test(t) ? true : /^[nf]$/i.test(t) ? false : null;
      else out[f.name] = t === "" ? null : t;
    }
    records.push(out);
  }
  return { encoding, records };
}
