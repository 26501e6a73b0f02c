/**
 * The GeoPackage R-tree spatial index (extension gpkg_rtree_index), written
 * without the SQLite rtree module: sql.js is built without it, so the index is
 * bulk-loaded here (sort-tile-recursive packing) straight into the shadow
 * tables of an rtree virtual table, in the exact node format of SQLite's
 * rtree.c. GDAL and QGIS then open it as any R-tree; the triggers of the
 * specification keep it in step when they edit the layer.
 */
import type { Database } from "sql.js";

/** Bytes per cell: 8-byte id and four 32-bit floats. */
const CELL = 24;
/** What SQLite's rtree gives a 4 KiB page: 51 cells per node. */
const MAX_CELLS = 51;
const NODE_SIZE = 4 + CELL * MAX_CELLS;

export interface Box {
  id: number;
  minx: number;
  maxx: number;
  miny: number;
  maxy: number;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The float32 just at or below v (an R-tree box must contain its geometry). */
function down(v: number): number {
  f32[0] = v;
  if (f32[0]! <= v) return f32[0]!;
  i32[0] = f32[0]! > 0 ? i32[0]! - 1 : f32[0]! === 0 ? -2147483647 : i32[0]! + 1;
  return f32[0]!;
}

function up(v: number): number {
  return -down(-v);
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function pack(items: Box[]): Box[][] {
  const leaves = Math.ceil(items.length / MAX_CELLS);
  const slices = Math.ceil(Math.sqrt(leaves));
  const cx = (b: Box) => b.minx + b.maxx;
  const cy = (b: Box) => b.miny + b.maxy;
  const byX = [...items].sort((a, b) => cx(a) - cx(b) || a.id - b.id);
  const perSlice = slices * MAX_CELLS;
  const nodes: Box[][] = [];
  for (let s = 0; s < byX.length; s += perSlice) {
    const slice = byX.slice(s, s + perSlice).sort((a, b) => cy(a) - cy(b) || a.id - b.id);
    for (let k = 0; k < slice.length; k += MAX_CELLS) nodes.push(slice.slice(k, k + MAX_CELLS));
  }
  return nodes;
}

function encodeNode(cells: readonly Box[], depth: number): Uint8Array {
  const buf = new Uint8Array(NODE_SIZE);
  const v = new DataView(buf.buffer);
  v.setUint16(0, depth);
  v.setUint16(2, cells.length);
  cells.forEach((c, k) => {
    const o = 4 + k * CELL;
    v.setBigInt64(o, BigInt(c.id));
    v.setFloat32(o + 8, c.minx);
    v.setFloat32(o + 12, c.maxx);
    v.setFloat32(o + 16, c.miny);
    v.setFloat32(o + 20, c.maxy);
  });
  return buf;
}

const union = (id: number, cells: readonly Box[]): Box => ({
  id,
  minx: Math.min(...cells.map((c) => c.minx)),
  maxx: Math.max(...cells.map((c) => c.maxx)),
  miny: Math.min(...cells.map((c) => c.miny)),
  maxy: Math.max(...cells.map((c) => c.maxy)),
});

/** Creates rtree_<table>_<column> filled with the boxes, its triggers and its gpkg_extensions row. */
export function writeRtree(
  db: Database,
  table: string,
  column: string,
  fid: string,
  boxes: readonly Box[],
): void {
  const r = `rtree_${table}_${column}`;
  const [R, T, C, I] = [quote(r), quote(table), quote(column), quote(fid)];
  db.run("PRAGMA writable_schema = ON");
  db.run("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', ?, ?, 0, ?)", [
    r,
    r,
    `CREATE VIRTUAL TABLE ${R} USING rtree(id, minx, maxx, miny, maxy)`,
  ]);
  db.run("PRAGMA writable_schema = OFF");
  db.run(`CREATE TABLE ${quote(`${r}_node`)}(nodeno INTEGER PRIMARY KEY,data)`);
  db.run(`CREATE TABLE ${quote(`${r}_rowid`)}(rowid INTEGER PRIMARY KEY,nodeno)`);
  db.run(`CREATE TABLE ${quote(`${r}_parent`)}(nodeno INTEGER PRIMARY KEY,parentnode)`);

  const leafBoxes = boxes.map((b) => ({
    id: b.id,
    minx: down(b.minx),
    maxx: up(b.maxx),
    miny: down(b.miny),
    maxy: up(b.maxy),
  }));
  // Levels from the leaves up; the root is node 1, the others are numbered from 2.
  const levels: Box[][][] = [leafBoxes.length ? pack(leafBoxes) : [[]]];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    levels.push(pack(below.map((cells, k) => union(k, cells))));
  }
  const depth = levels.length - 1;
  let next = 2;
  const numbers = levels.map((nodes, l) => nodes.map(() => (l === depth ? 1 : next++)));
  const node = db.prepare(`INSERT INTO ${quote(`${r}_node`)} VALUES (?, ?)`);
  const parent = db.prepare(`INSERT INTO ${quote(`${r}_parent`)} VALUES (?, ?)`);
  const rowid = db.prepare(`INSERT INTO ${quote(`${r}_rowid`)} VALUES (?, ?)`);
  levels.forEach((nodes, l) => {
    nodes.forEach((cells, k) => {
      const no = numbers[l]![k]!;
      // Interior cells point at their child node (their id was its index in the level below).
      const out = l === 0 ? cells : cells.map((c) => ({ ...c, id: numbers[l - 1]![c.id]! }));
      node.run([no, encodeNode(out, l === depth ? depth : 0)]);
      if (l === 0) for (const c of cells) rowid.run([c.id, no]);
      else for (const c of out) parent.run([c.id, no]);
    });
  });
  node.free();
  parent.free();
  rowid.free();

  const values = `NEW.${I}, ST_MinX(NEW.${C}), ST_MaxX(NEW.${C}), ST_MinY(NEW.${C}), ST_MaxY(NEW.${C})`;
  const name = (s: string) => quote(`${r}_${s}`);
  db.run(`CREATE TRIGGER ${name("insert")} AFTER INSERT ON ${T}
    WHEN (new.${C} NOT NULL AND NOT ST_IsEmpty(NEW.${C}))
    BEGIN INSERT OR REPLACE INTO ${R} VALUES (${values}); END`);
  db.run(`CREATE TRIGGER ${name("update1")} AFTER UPDATE OF ${C} ON ${T}
    WHEN OLD.${I} = NEW.${I} AND (NEW.${C} NOTNULL AND NOT ST_IsEmpty(NEW.${C}))
    BEGIN INSERT OR REPLACE INTO ${R} VALUES (${values}); END`);
  db.run(`CREATE TRIGGER ${name("update2")} AFTER UPDATE OF ${C} ON ${T}
    WHEN OLD.${I} = NEW.${I} AND (NEW.${C} IS NULL OR ST_IsEmpty(NEW.${C}))
    BEGIN DELETE FROM ${R} WHERE id = OLD.${I}; END`);
  db.run(`CREATE TRIGGER ${name("update3")} AFTER UPDATE ON ${T}
    WHEN OLD.${I} != NEW.${I} AND (NEW.${C} NOTNULL AND NOT ST_IsEmpty(NEW.${C}))
    BEGIN DELETE FROM ${R} WHERE id = OLD.${I}; INSERT OR REPLACE INTO ${R} VALUES (${values}); END`);
  db.run(`CREATE TRIGGER ${name("update4")} AFTER UPDATE ON ${T}
    WHEN OLD.${I} != NEW.${I} AND (NEW.${C} IS NULL OR ST_IsEmpty(NEW.${C}))
    BEGIN DELETE FROM ${R} WHERE id IN (OLD.${I}, NEW.${I}); END`);
  db.run(`CREATE TRIGGER ${name("delete")} AFTER DELETE ON ${T}
    WHEN old.${C} NOT NULL
    BEGIN DELETE FROM ${R} WHERE id = OLD.${I}; END`);
  db.run(
    "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
    [table, column],
  );
}
