/**
 * Well-Known Binary for the only geometries Socle stores: Polygon and
 * MultiPolygon (2-D; Z and M ordinates are read and dropped).
 */
import type { Position } from "geojson";
import type { AreaGeometry } from "../core/territory/geometry.js";

export class WkbError extends Error {}

export function decodeWkb(buf: Uint8Array, offset = 0): AreaGeometry | { type: string } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = offset;
  const need = (n: number) => {
    if (pos + n > buf.byteLength) throw new WkbError("WKB tronqué");
  };
  const readGeom = (): { kind: number; value: unknown } => {
    need(5);
    const le = view.getUint8(pos) === 1;
    pos += 1;
    let type = view.getUint32(pos, le);
    pos += 4;
    let dims = 2;
    // EWKB flags, then ISO 1000/2000/3000 offsets.
    if (type & 0x80000000) dims++;
    if (type & 0x40000000) dims++;
    if (type & 0x20000000) {
      need(4);
      pos += 4;
    }
    type &= 0x0fffffff;
    if (type >= 3000) {
      dims = 4;
      type -= 3000;
    } else if (type >= 1000) {
      dims = 3;
      type -= type >= 2000 ? 2000 : 1000;
    }
    const readRing = (): Position[] => {
      need(4);
      const n = view.getUint32(pos, le);
      pos += 4;
      need(n * dims * 8);
      const ring: Position[] = [];
      for (let i = 0; i < n; i++) {
        ring.push([view.getFloat64(pos, le), view.getFloat64(pos + 8, le)]);
        pos += dims * 8;
      }
      return ring;
    };
    const readPolygon = (): Position[][] => {
      need(4);
      const n = view.getUint32(pos, le);
      pos += 4;
      const rings: Position[][] = [];
      for (let i = 0; i < n; i++) rings.push(readRing());
      return rings;
    };
    if (type === 3) return { kind: 3, value: readPolygon() };
    if (type === 6) {
      need(4);
      const n = view.getUint32(pos, le);
      pos += 4;
      const polys: Position[][][] = [];
      for (let i = 0; i < n; i++) {
        const g = readGeom();
        if (g.kind !== 3) throw new WkbError("MultiPolygon contenant autre chose que des polygones");
        polys.push(g.value as Position[][]);
      }
      return { kind: 6, value: polys };
    }
    return { kind: type, value: null };
  };
  const g = readGeom();
  if (g.kind === 3) return { type: "Polygon", coordinates: g.value as Position[][] };
  if (g.kind === 6) return { type: "MultiPolygon", coordinates: g.value as Position[][][] };
  return { type: `WKB type ${g.kind}` };
}

export function encodeWkb(g: AreaGeometry): Uint8Array {
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  const polySize = (p: Position[][]) => 9 + p.reduce((s, r) => s + 4 + r.length * 16, 0);
  const size =
    g.type === "Polygon" ? polySize(g.coordinates) : 9 + polys.reduce((s, p) => s + polySize(p), 0);
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  let pos = 0;
  const header = (type: number, n: number) => {
    view.setUint8(pos, 1);
    view.setUint32(pos + 1, type, true);
    view.setUint32(pos + 5, n, true);
    pos += 9;
  };
  const writePolygon = (p: Position[][]) => {
    header(3, p.length);
    for (const ring of p) {
      view.setUint32(pos, ring.length, true);
      pos += 4;
      for (const c of ring) {
        view.setFloat64(pos, c[0]!, true);
        view.setFloat64(pos + 8, c[1]!, true);
        pos += 16;
      }
    }
  };
  if (g.type === "Polygon") writePolygon(g.coordinates);
  else {
    header(6, polys.length);
    for (const p of polys) writePolygon(p);
  }
  return buf;
}
