/**
 * A map as a standalone SVG document: the territories in Web Mercator
 * (as on screen), their fills, proportional symbols, and the title, legend
 * and source that a map must carry once it leaves Socle. The browser turns
 * the same SVG into a PNG; nothing here touches the DOM.
 */

type Ring = readonly (readonly number[])[];
export type AreaGeometry =
  | { type: "Polygon"; coordinates: readonly Ring[] }
  | { type: "MultiPolygon"; coordinates: readonly (readonly Ring[])[] };

export interface SvgArea {
  geometry: AreaGeometry | null;
  fill: string;
  /** Under statistical secrecy: hatched, so that print in greyscale still tells it apart. */
  secret?: boolean;
}

export interface SvgSymbol {
  lng: number;
  lat: number;
  radius: number;
}

export interface LegendEntry {
  libelle: string;
  couleur: string;
  hachure?: boolean;
  /** A proportional-symbol entry: the circle's radius in pixels. */
  rayon?: number;
}

export interface SvgMapInput {
  titre: string;
  sousTitre?: string;
  areas: readonly SvgArea[];
  symbols?: readonly SvgSymbol[];
  legende: readonly LegendEntry[];
  source: string;
  width?: number;
  height?: number;
}

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

const mercY = (lat: number) =>
  Math.log(Math.tan(Math.PI / 4 + (Math.max(-85, Math.min(85, lat)) * Math.PI) / 360));

function rings(g: AreaGeometry): readonly Ring[] {
  return g.type === "Polygon" ? g.coordinates : g.coordinates.flat();
}

/** Lines of text no wider than about `max` characters. */
function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > max) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

/**
 * @example carteSvg({ titre: "Taux de couverture", areas, legende, source: "Source : CAF…" })
 */
export function carteSvg(input: SvgMapInput): string {
  const W = input.width ?? 1000;
  const H = input.height ?? 720;
  const legendW = 300;
  const header = input.sousTitre ? 74 : 52;
  const sourceLines = wrap(input.source, 130);
  const footer = 16 + sourceLines.length * 16;
  const mapBox = { x: 16, y: header, w: W - legendW - 40, h: H - header - footer - 8 };

  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const a of input.areas)
    if (a.geometry)
      for (const ring of rings(a.geometry))
        for (const [lng, lat] of ring) {
          const x = (lng! * Math.PI) / 180;
          const y = mercY(lat!);
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
  const empty = !Number.isFinite(minX);
  const scale = empty ? 1 : Math.min(mapBox.w / (maxX - minX || 1e-9), mapBox.h / (maxY - minY || 1e-9));
  const offX = empty ? 0 : mapBox.x + (mapBox.w - (maxX - minX) * scale) / 2;
  const offY = empty ? 0 : mapBox.y + (mapBox.h - (maxY - minY) * scale) / 2;
  const px = (lng: number) => offX + ((lng * Math.PI) / 180 - minX) * scale;
  const py = (lat: number) => offY + (maxY - mercY(lat)) * scale;
  const r1 = (n: number) => Math.round(n * 10) / 10;

  const paths: string[] = [];
  for (const a of input.areas) {
    if (!a.geometry) continue;
    const d = rings(a.geometry)
      .map((ring) => `M${ring.map(([lng, lat]) => `${r1(px(lng!))},${r1(py(lat!))}`).join("L")}Z`)
      .join("");
    const fill = a.secret ? "url(#hachure-secret)" : a.fill;
    paths.push(`<path d="${d}" fill="${escapeXml(fill)}" fill-rule="evenodd"/>`);
  }
  const circles = (input.symbols ?? [])
    .filter((s) => s.radius > 0)
    .sort((a, b) => b.radius - a.radius)
    .map((s) => `<circle cx="${r1(px(s.lng))}" cy="${r1(py(s.lat))}" r="${r1(s.radius)}"/>`);

  const lx = W - legendW;
  const legend: string[] = [`<text x="${lx}" y="${header + 4}" font-weight="bold">Légende</text>`];
  let ly = header + 20;
  for (const e of input.legende) {
    if (e.rayon !== undefined) {
      const r = Math.max(2, e.rayon);
      legend.push(
        `<circle cx="${lx + 12}" cy="${ly + r}" r="${r1(r)}" fill="${escapeXml(e.couleur)}" fill-opacity="0.6" stroke="#333"/>`,
        `<text x="${lx + 30}" y="${ly + r + 4}">${escapeXml(e.libelle)}</text>`,
      );
      ly += 2 * r + 8;
      continue;
    }
    const fill = e.hachure ? "url(#hachure-secret)" : e.couleur;
    legend.push(
      `<rect x="${lx}" y="${ly}" width="24" height="16" fill="${escapeXml(fill)}" stroke="#666"/>`,
      `<text x="${lx + 32}" y="${ly + 13}">${escapeXml(e.libelle)}</text>`,
    );
    ly += 22;
  }

  const sourceY = H - footer + 14;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13" role="img">`,
    `<title>${escapeXml(input.titre)}</title>`,
    `<defs><pattern id="hachure-secret" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d6d6d6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#6b6b6b" stroke-width="2"/></pattern></defs>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="16" y="30" font-size="20" font-weight="bold">${escapeXml(input.titre)}</text>`,
    input.sousTitre
      ? `<text x="16" y="54" font-size="14" fill="#444">${escapeXml(input.sousTitre)}</text>`
      : "",
    `<g stroke="#555" stroke-width="0.5" stroke-linejoin="round">${paths.join("")}</g>`,
    circles.length
      ? `<g fill="#1f4e5f" fill-opacity="0.55" stroke="#fff" stroke-width="0.8">${circles.join("")}</g>`
      : "",
    `<g fill="#1b1b1b">${legend.join("")}</g>`,
    `<g font-size="11" fill="#444">${sourceLines.map((l, i) => `<text x="16" y="${sourceY + i * 16}">${escapeXml(l)}</text>`).join("")}</g>`,
    `</svg>`,
  ].join("\n");
}
