import type { Feature, FeatureCollection } from "geojson";
import { useEffect, useRef } from "react";
import { COULEUR_ABSENT, classIndex } from "../../../src/core/observatory/classes";
import { panBy, type View, zoomAt } from "../../../src/core/observatory/map-view";
import { CarteCanvas } from "./carte-canvas";

export interface ValeurCarte {
  valeur: number | null;
  statut: string;
  nom: string;
}

export interface CarteValeursProps {
  /** IRIS contours, each with `cle`: the code of its territory at the level mapped. */
  contours: FeatureCollection;
  valeurs: ReadonlyMap<string, ValeurCarte>;
  breaks: readonly number[];
  couleurs: readonly string[];
  /** Proportional symbols (counts) instead of coloured areas. */
  symboles: { cle: string; lng: number; lat: number; rayon: number }[] | null;
  /** A territory to frame and outline (the map's search). */
  selection: string | null;
  infobulle: (cle: string) => string;
  onChoisir: (cle: string) => void;
  description: string;
}

/** The frame of features in longitude and latitude, or null without geometry. */
export function boundsOf(features: readonly Feature[]): [[number, number], [number, number]] | null {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") {
      b[0] = Math.min(b[0]!, c[0] as number);
      b[1] = Math.min(b[1]!, c[1] as number);
      b[2] = Math.max(b[2]!, c[0] as number);
      b[3] = Math.max(b[3]!, c[1] as number);
    } else if (Array.isArray(c)) for (const x of c) visit(x);
  };
  for (const f of features) if (f.geometry && "coordinates" in f.geometry) visit(f.geometry.coordinates);
  if (!Number.isFinite(b[0])) return null;
  return [
    [b[0]!, b[1]!],
    [b[2]!, b[3]!],
  ];
}

const PAS_CLAVIER = 80;
const ZOOM_CLAVIER = 1.5;
const ZOOM_SELECTION_MAX = 40;

/**
 * The map of an indicator: areas coloured by class (or proportional
 * symbols for counts), secret areas hatched, missing ones white; drawn on a
 * 2D canvas (carte-canvas.ts). The contours are projected once per set of
 * contours; a change of indicator, vintage or classes only refills them
 * (the < 300 ms indicator switch). Drag or arrow keys move the map, the
 * wheel, the buttons or + and − zoom; the values table under the map is its
 * text alternative.
 */
export function CarteValeurs(p: CarteValeursProps) {
  const boite = useRef<HTMLDivElement>(null);
  const toile = useRef<HTMLCanvasElement>(null);
  const bulle = useRef<HTMLDivElement>(null);
  const moteur = useRef<CarteCanvas | null>(null);
  /** The view was moved by the user: a resize keeps it instead of framing everything again. */
  const deplacee = useRef(false);
  const latest = useRef(p);
  latest.current = p;

  // The paths are built for new contours only; values, classes and selection are applied below.
  useEffect(() => {
    const el = boite.current;
    const canvas = toile.current;
    if (!el || !canvas) return;
    const m = new CarteCanvas(canvas, p.contours.features, (n) => {
      el.dataset.zonesRendues = String(n);
      el.dataset.pret = "1";
    });
    moteur.current = m;
    deplacee.current = false;
    applied.delete(canvas);
    appliquer(m, latest.current);

    const bouger = (v: View) => {
      deplacee.current = true;
      m.setView(v);
    };
    const local = (e: { clientX: number; clientY: number }) => {
      const r = canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top] as const;
    };
    const cacherBulle = () => {
      if (bulle.current) bulle.current.hidden = true;
      canvas.style.cursor = "";
    };
    let glisse: { id: number; x: number; y: number; v: View; loin: boolean } | null = null;
    const down = (e: PointerEvent) => {
      if (e.button !== 0) return;
      glisse = { id: e.pointerId, x: e.clientX, y: e.clientY, v: m.getView(), loin: false };
      canvas.setPointerCapture(e.pointerId);
    };
    const move = (e: PointerEvent) => {
      if (glisse && glisse.id === e.pointerId) {
        const dx = e.clientX - glisse.x;
        const dy = e.clientY - glisse.y;
        if (Math.abs(dx) + Math.abs(dy) > 4) glisse.loin = true;
        if (glisse.loin) {
          cacherBulle();
          bouger(panBy(glisse.v, dx, dy));
          return;
        }
      }
      const [x, y] = local(e);
      const cle = m.hit(x, y);
      const b = bulle.current;
      if (!cle || !b) return cacherBulle();
      canvas.style.cursor = "pointer";
      b.textContent = latest.current.infobulle(cle);
      b.style.left = `${x + 12}px`;
      b.style.top = `${y + 12}px`;
      b.hidden = false;
    };
    const up = (e: PointerEvent) => {
      if (!glisse || glisse.id !== e.pointerId) return;
      const clic = !glisse.loin;
      glisse = null;
      if (!clic) return;
      const [x, y] = local(e);
      const cle = m.hit(x, y);
      if (cle) latest.current.onChoisir(cle);
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const [x, y] = local(e);
      bouger(zoomAt(m.getView(), Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002)), x, y));
    };
    const dbl = (e: MouseEvent) => {
      const [x, y] = local(e);
      bouger(zoomAt(m.getView(), 2, x, y));
    };
    canvas.addEventListener("pointerdown", down);
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", () => {
      glisse = null;
    });
    canvas.addEventListener("pointerleave", cacherBulle);
    canvas.addEventListener("wheel", wheel, { passive: false });
    canvas.addEventListener("dblclick", dbl);
    const ro = new ResizeObserver(() => {
      m.resize();
      if (!deplacee.current) m.setView(m.frameOf(latest.current.selection, 20, ZOOM_SELECTION_MAX));
    });
    ro.observe(canvas);
    return () => {
      ro.disconnect();
      m.destroy();
      moteur.current = null;
    };
  }, [p.contours]);

  useEffect(() => {
    if (moteur.current) appliquer(moteur.current, p);
  });

  const zoomer = (f: number) => {
    const m = moteur.current;
    const c = toile.current;
    if (!m || !c) return;
    deplacee.current = true;
    m.setView(zoomAt(m.getView(), f, c.clientWidth / 2, c.clientHeight / 2));
  };
  const toutVoir = () => {
    const m = moteur.current;
    if (!m) return;
    deplacee.current = false;
    m.setView(m.frameOf(null, 20, Infinity));
  };
  const clavier = (e: React.KeyboardEvent) => {
    const m = moteur.current;
    if (!m) return;
    const pas: Record<string, [number, number]> = {
      ArrowLeft: [PAS_CLAVIER, 0],
      ArrowRight: [-PAS_CLAVIER, 0],
      ArrowUp: [0, PAS_CLAVIER],
      ArrowDown: [0, -PAS_CLAVIER],
    };
    const d = pas[e.key];
    if (d) {
      deplacee.current = true;
      m.setView(panBy(m.getView(), d[0], d[1]));
    } else if (e.key === "+" || e.key === "=") zoomer(ZOOM_CLAVIER);
    else if (e.key === "-") zoomer(1 / ZOOM_CLAVIER);
    else if (e.key === "0") toutVoir();
    else return;
    e.preventDefault();
  };

  const total = new Set(p.contours.features.map((f) => f.properties?.cle)).size;
  return (
    <div ref={boite} className="carte carte-canvas" data-zones-total={total}>
      <canvas
        ref={toile}
        role="img"
        aria-label={p.description}
        // Focusable: the map is moved with the keyboard (arrows, + and −).
        tabIndex={0}
        aria-describedby="aide-carte"
        onKeyDown={clavier}
      />
      <p id="aide-carte" className="visuellement-cache">
        Flèches pour déplacer la carte, + et − pour zoomer, 0 pour la voir en entier.
      </p>
      <div className="zoom-carte">
        <button type="button" aria-label="Zoomer" title="Zoomer" onClick={() => zoomer(ZOOM_CLAVIER)}>
          +
        </button>
        <button type="button" aria-label="Dézoomer" title="Dézoomer" onClick={() => zoomer(1 / ZOOM_CLAVIER)}>
          −
        </button>
        <button
          type="button"
          aria-label="Voir la carte entière"
          title="Voir la carte entière"
          onClick={toutVoir}
        >
          ⤢
        </button>
      </div>
      <div ref={bulle} className="infobulle-carte" hidden aria-hidden="true" />
    </div>
  );
}

const applied = new WeakMap<
  HTMLCanvasElement,
  { valeurs: unknown; breaks: string; symboles: unknown; selection: unknown }
>();

function appliquer(m: CarteCanvas, p: CarteValeursProps) {
  const prev = applied.get(m.canvas);
  const breaks = JSON.stringify([p.breaks, p.couleurs]);
  if (
    prev &&
    prev.valeurs === p.valeurs &&
    prev.breaks === breaks &&
    prev.symboles === p.symboles &&
    prev.selection === p.selection
  )
    return;
  const couleurs = p.couleurs;
  const fills = new Map<string, string>();
  for (const [cle, v] of p.valeurs)
    fills.set(
      cle,
      v.statut === "secret"
        ? "hachure"
        : v.valeur === null
          ? COULEUR_ABSENT
          : p.breaks.length
            ? couleurs[classIndex(v.valeur, p.breaks)]!
            : (couleurs[0] ?? COULEUR_ABSENT),
    );
  const el = m.canvas.parentElement;
  if (el) el.dataset.pret = "0";
  m.setStyle({
    fill: (cle) => fills.get(cle) ?? COULEUR_ABSENT,
    symboles: p.symboles,
    selection: p.selection,
  });
  if (prev && prev.selection !== p.selection)
    // A territory found by the search is framed; clearing the search frames the whole map again.
    m.setView(m.frameOf(p.selection, p.selection ? 60 : 20, p.selection ? ZOOM_SELECTION_MAX : Infinity));
  applied.set(m.canvas, { valeurs: p.valeurs, breaks: breaks, symboles: p.symboles, selection: p.selection });
}
