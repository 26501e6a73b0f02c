/**
 * The indicator map's renderer: Canvas 2D, no WebGL. Headless and software
 * browsers render WebGL on the CPU (SwiftShader) and read every frame back,
 * which cost seconds per restyle; a 2D canvas fills 1,500 small polygons in
 * milliseconds on the CPU.
 *
 * The contours are projected once (Web Mercator, fitted to the viewport:
 * "base" pixels) into one Path2D per area; a change of values or classes
 * only changes fill colours, and pan and zoom only change the transform the
 * same paths are drawn with (core/observatory/map-view.ts). Hover and click
 * find the area by a spatial index of the areas' frames (flatbush), then
 * isPointInPath.
 */
import Flatbush from "flatbush";
import type { Feature, Geometry } from "geojson";
import {
  type Box,
  boxOf,
  fitBox,
  IDENTITY,
  mercator,
  toBase,
  toScreen,
  unionBox,
  type View,
  visibleBox,
} from "../../../src/core/observatory/map-view";

export interface Zone {
  /** Territory code at the level mapped (an area's colour is its territory's). */
  cle: string;
  path: Path2D;
  box: Box;
}

export interface Symbole {
  cle: string;
  lng: number;
  lat: number;
  rayon: number;
}

export interface Style {
  /** Fill of each area's territory; a missing territory is filled `absent`. */
  fill: (cle: string) => string | "hachure";
  symboles: readonly Symbole[] | null;
  selection: string | null;
}

const FOND = "#f3f6f7";
const TRAIT = "#666";
const TRAIT_SELECTION = "#8a5a00";
const PADDING = 20;

type Ring = number[][];
function ringsOf(g: Geometry | null): Ring[] {
  if (!g) return [];
  if (g.type === "Polygon") return g.coordinates as Ring[];
  if (g.type === "MultiPolygon") return (g.coordinates as Ring[][]).flat();
  return [];
}

/** Frame of features in world (Mercator) units; null without any geometry. */
export function worldBox(features: readonly Feature[]): Box | null {
  let box: Box | null = null;
  for (const f of features)
    for (const r of ringsOf(f.geometry)) box = unionBox(box, boxOf(r.map(([x, y]) => mercator(x!, y!))));
  return box;
}

/** Hatching for secret areas, so that greyscale print tells them from missing ones. */
function motifHachure(ctx: CanvasRenderingContext2D): CanvasPattern | string {
  const tile = document.createElement("canvas");
  tile.width = tile.height = 8;
  const t = tile.getContext("2d");
  if (!t) return "#9e9e9e";
  t.fillStyle = "#c8c8c8";
  t.fillRect(0, 0, 8, 8);
  t.fillStyle = "#5a5a5a";
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) if ((x + y) % 8 < 2) t.fillRect(x, 7 - y, 1, 1);
  return ctx.createPattern(tile, "repeat") ?? "#9e9e9e";
}

export class CarteCanvas {
  readonly zones: Zone[] = [];
  private readonly index: Flatbush | null;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly hachure: CanvasPattern | string;
  private readonly contour = new Path2D();
  /** World → base pixels, fixed at construction. */
  private readonly base: View;
  private readonly wholeBase: Box | null;
  private view: View = IDENTITY;
  private width: number;
  private height: number;
  private style: Style | null = null;
  private frame = 0;
  private readonly onDrawn: (zonesVisibles: number) => void;

  constructor(
    readonly canvas: HTMLCanvasElement,
    features: readonly Feature[],
    onDrawn: (zonesVisibles: number) => void,
  ) {
    const ctx = canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("Carte impossible : le navigateur refuse le dessin.");
    this.ctx = ctx;
    this.onDrawn = onDrawn;
    this.hachure = motifHachure(ctx);
    this.width = canvas.clientWidth || 760;
    this.height = canvas.clientHeight || 520;
    const world = worldBox(features);
    this.base = world ? fitBox(world, this.width, this.height, PADDING) : IDENTITY;
    for (const f of features) {
      const cle = String(f.properties?.cle ?? "");
      const path = new Path2D();
      let box: Box | null = null;
      for (const r of ringsOf(f.geometry)) {
        const pts = r.map(([lng, lat]) => {
          const [wx, wy] = mercator(lng!, lat!);
          return toScreen(this.base, wx, wy);
        });
        if (pts.length < 3) continue;
        path.moveTo(pts[0]![0], pts[0]![1]);
        for (let i = 1; i < pts.length; i++) path.lineTo(pts[i]![0], pts[i]![1]);
        path.closePath();
        box = unionBox(box, boxOf(pts));
      }
      if (!box) continue;
      this.contour.addPath(path);
      this.zones.push({ cle, path, box });
    }
    this.wholeBase = this.zones.reduce<Box | null>((b, z) => unionBox(b, z.box), null);
    if (this.zones.length) {
      const index = new Flatbush(this.zones.length);
      for (const z of this.zones) index.add(z.box[0], z.box[1], z.box[2], z.box[3]);
      index.finish();
      this.index = index;
    } else this.index = null;
    this.resize();
  }

  /** Base position of a longitude and latitude (symbols). */
  project(lng: number, lat: number): [number, number] {
    const [wx, wy] = mercator(lng, lat);
    return toScreen(this.base, wx, wy);
  }

  /** Follows the canvas's CSS size (and the screen's pixel ratio) and draws again. */
  resize(): void {
    const dpr = window.devicePixelRatio || 1;
    this.width = this.canvas.clientWidth || this.width;
    this.height = this.canvas.clientHeight || this.height;
    const w = Math.round(this.width * dpr);
    const h = Math.round(this.height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.schedule();
  }

  setStyle(style: Style): void {
    this.style = style;
    this.schedule();
  }

  getView(): View {
    return this.view;
  }

  setView(v: View): void {
    this.view = v;
    this.schedule();
  }

  /** The view showing the areas of `cle` (or every area), as `fitBounds` would. */
  frameOf(cle: string | null, padding: number, kMax: number): View {
    const box = cle
      ? this.zones.filter((z) => z.cle === cle).reduce<Box | null>((b, z) => unionBox(b, z.box), null)
      : this.wholeBase;
    if (!box) return IDENTITY;
    return fitBox(box, this.width, this.height, padding, kMax);
  }

  /** The territory drawn at a point of the canvas (CSS pixels), the topmost area first. */
  hit(sx: number, sy: number): string | null {
    if (!this.index) return null;
    const [bx, by] = toBase(this.view, sx, sy);
    const found = this.index.search(bx, by, bx, by);
    this.ctx.save();
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    try {
      for (const i of found.sort((a, b) => b - a))
        if (this.ctx.isPointInPath(this.zones[i]!.path, bx, by, "evenodd")) return this.zones[i]!.cle;
      return null;
    } finally {
      this.ctx.restore();
    }
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { ctx, view: v } = this;
    const dpr = this.canvas.width / this.width;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = FOND;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const style = this.style;
    if (!style) return;
    ctx.setTransform(dpr * v.k, 0, 0, dpr * v.k, dpr * v.x, dpr * v.y);
    if (typeof this.hachure !== "string") this.hachure.setTransform(new DOMMatrix().scale(1 / v.k));
    // One fill per area (evenodd keeps holes; areas of two zones overlap and must not cancel out).
    let current = "";
    for (const z of this.zones) {
      const f = style.fill(z.cle);
      if (f !== current) {
        ctx.fillStyle = f === "hachure" ? this.hachure : f;
        current = f;
      }
      ctx.fill(z.path, "evenodd");
    }
    ctx.lineJoin = "round";
    ctx.strokeStyle = TRAIT;
    ctx.lineWidth = 0.5 / v.k;
    ctx.stroke(this.contour);
    if (style.selection) {
      ctx.strokeStyle = TRAIT_SELECTION;
      ctx.lineWidth = 3 / v.k;
      for (const z of this.zones) if (z.cle === style.selection) ctx.stroke(z.path);
    }
    if (style.symboles?.length) {
      // Symbols keep their size in screen pixels whatever the zoom.
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "rgba(31, 78, 95, 0.55)";
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 0.8;
      for (const s of [...style.symboles].sort((a, b) => b.rayon - a.rayon)) {
        const [sx, sy] = toScreen(v, ...this.project(s.lng, s.lat));
        ctx.beginPath();
        ctx.arc(sx, sy, s.rayon, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
    this.onDrawn(this.visibleCount());
  }

  /** How many territories have an area in view (tests and assistive tools read it). */
  private visibleCount(): number {
    if (!this.index) return 0;
    const [a, b, c, d] = visibleBox(this.view, this.width, this.height);
    return new Set(this.index.search(a, b, c, d).map((i) => this.zones[i]!.cle)).size;
  }
}
