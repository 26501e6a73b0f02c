/**
 * A small PDF writer for printable French documents (the destruction
 * attestation): A4 pages of wrapped text in Helvetica with WinAnsi encoding
 * (accents, « », –, ’, œ, €), and signature boxes. No dependency: the
 * documents are text, and a PDF of text is a few objects.
 */

const WIDTH = 595;
const HEIGHT = 842;
const MARGIN = 56;

/** Windows-1252 bytes of the characters outside Latin-1 that French text uses. */
const CP1252: Record<string, number> = {
  "€": 0x80,
  "‚": 0x82,
  "„": 0x84,
  "…": 0x85,
  "‘": 0x91,
  "’": 0x92,
  "“": 0x93,
  "”": 0x94,
  "–": 0x96,
  "—": 0x97,
  œ: 0x9c,
  Œ: 0x8c,
  Ÿ: 0x9f,
};

function winAnsi(s: string): number[] {
  const out: number[] = [];
  for (const ch of s.normalize("NFC")) {
    const code = ch.codePointAt(0)!;
    if (CP1252[ch] !== undefined) out.push(CP1252[ch]);
    else if (ch === "\u202f" || ch === "\u00a0") out.push(0x20);
    else if (code < 0x100) out.push(code);
    else out.push(0x3f);
  }
  return out;
}

/** A PDF string literal of the text, escaped. */
function pdfString(s: string): string {
  let out = "(";
  for (const b of winAnsi(s)) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return `${out})`;
}

/** Wraps a line to about `width` characters at spaces. */
function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(" ", width);
    if (cut <= 0) cut = width;
    out.push(rest.slice(0, cut));
    rest = `    ${rest.slice(cut).trimStart()}`;
  }
  out.push(rest);
  return out;
}

export interface PdfDocument {
  title: string;
  lines: readonly string[];
  /** One signature box per name: « Pour ‹organisation› », name, date, signature. */
  signatures?: readonly string[];
}

/** The document as PDF bytes; the same document gives the same bytes. */
export function textPdf(doc: PdfDocument): Uint8Array {
  const pages: string[][] = [[]];
  let y = HEIGHT - MARGIN;
  const page = () => pages[pages.length - 1]!;
  const need = (h: number) => {
    if (y - h < MARGIN) {
      pages.push([]);
      y = HEIGHT - MARGIN;
    }
  };
  need(20);
  page().push(`BT /F2 15 Tf ${MARGIN} ${y - 15} Td ${pdfString(doc.title)} Tj ET`);
  y -= 36;
  for (const line of doc.lines)
    for (const part of wrap(line, 92)) {
      need(15);
      page().push(`BT /F1 10 Tf ${MARGIN} ${y - 10} Td ${pdfString(part)} Tj ET`);
      y -= 15;
    }
  const boxW = (WIDTH - 2 * MARGIN - 20) / 2;
  const boxH = 110;
  (doc.signatures ?? []).forEach((name, k) => {
    if (k % 2 === 0) {
      y -= 24;
      need(boxH);
    }
    const x = MARGIN + (k % 2) * (boxW + 20);
    const top = y;
    page().push(`0.4 G 0.8 w ${x} ${top - boxH} ${boxW} ${boxH} re S`);
    page().push(`BT /F2 10 Tf ${x + 8} ${top - 16} Td ${pdfString(`Pour ${name}`)} Tj ET`);
    ["Nom, fonction :", "Date :", "Signature :"].forEach((label, i) => {
      page().push(`BT /F1 10 Tf ${x + 8} ${top - 36 - i * 20} Td ${pdfString(label)} Tj ET`);
    });
    if (k % 2 === 1 || k === (doc.signatures?.length ?? 0) - 1) y -= boxH;
  });

  const objects: string[] = [];
  /** Appends an object; returns its number (objects are numbered from 1). */
  const add = (body: string) => objects.push(body);
  const catalog = add("");
  const pagesObj = add("");
  const f1 = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  const f2 = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
  const kids: number[] = [];
  for (const ops of pages) {
    const content = ops.join("\n");
    const stream = add(
      `<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}\nendstream`,
    );
    kids.push(
      add(
        `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${WIDTH} ${HEIGHT}] /Resources << /Font << /F1 ${f1} 0 R /F2 ${f2} 0 R >> >> /Contents ${stream} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj - 1] =
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`;
  const info = add(`<< /Title ${pdfString(doc.title)} /Producer (Socle) >>`);
  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, "latin1"));
}
