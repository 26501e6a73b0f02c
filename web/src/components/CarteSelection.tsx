/**
 * A map to pick units of a territory: a click on an IRIS adds or removes
 * it, or its whole commune when the zone groups communes. The picked units
 * are filled; the unit under the pointer is named in a live line below the
 * map. The same choice can be made without the mouse in the list beside
 * it (ZoneEditeur), so the map is a convenience, not the only way.
 */
import type { FeatureCollection } from "geojson";
import * as maplibregl from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef, useState } from "react";
import { bbox } from "../../../src/core/territory/geometry";

maplibregl.setWorkerUrl(workerUrl);

const CHOISI = "#1d5a99";
const LIBRE = "#eef1f4";

export type Unites = "communes" | "iris";

/** The code a click on this IRIS picks: the IRIS, or its commune. */
export function uniteDe(p: Record<string, unknown>, unites: Unites): string {
  return String(unites === "iris" ? p.code : p.commune);
}

/** The frame of the IRIS drawn, or undefined when none has a geometry. */
function cadre(fc: FeatureCollection): maplibregl.LngLatBoundsLike | undefined {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of fc.features) {
    if (f.geometry?.type !== "Polygon" && f.geometry?.type !== "MultiPolygon") continue;
    const [x0, y0, x1, y1] = bbox(f.geometry);
    b[0] = Math.min(b[0]!, x0);
    b[1] = Math.min(b[1]!, y0);
    b[2] = Math.max(b[2]!, x1);
    b[3] = Math.max(b[3]!, y1);
  }
  if (!b.every(Number.isFinite)) return undefined;
  return [
    [b[0]!, b[1]!],
    [b[2]!, b[3]!],
  ];
}

export function CarteSelection({
  donnees,
  unites,
  choisis,
  basculer,
  description,
}: {
  /** The IRIS of the territory, with their commune (GET /api/territoires/…/iris). */
  donnees: FeatureCollection;
  unites: Unites;
  /** Codes picked (IRIS or communes, as `unites` says). */
  choisis: ReadonlySet<string>;
  basculer: (code: string) => void;
  description: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const carte = useRef<maplibregl.Map | null>(null);
  const [prete, setPrete] = useState(false);
  const [survol, setSurvol] = useState<string | null>(null);
  // The handlers are bound once per map: they read the latest props through refs.
  const etat = useRef({ unites, choisis, basculer });
  etat.current = { unites, choisis, basculer };

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const b = cadre(donnees);
    const map = new maplibregl.Map({
      container: el,
      style: {
        version: 8,
        sources: {},
        layers: [{ id: "fond", type: "background", paint: { "background-color": "#f8f9fa" } }],
      },
      ...(b ? { bounds: b, fitBoundsOptions: { padding: 20 } } : { center: [2.5, 46.5], zoom: 4.5 }),
      attributionControl: false,
      doubleClickZoom: false,
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    carte.current = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.on("load", () => {
      map.addSource("unites", { type: "geojson", data: donnees, promoteId: "code" });
      map.addLayer({
        id: "unites-fond",
        type: "fill",
        source: "unites",
        paint: {
          "fill-color": ["case", ["boolean", ["feature-state", "choisi"], false], CHOISI, LIBRE],
          "fill-opacity": 0.85,
        },
      });
      map.addLayer({
        id: "unites-contour",
        type: "line",
        source: "unites",
        paint: { "line-color": "#4a4a4a", "line-width": 0.7 },
      });
      setPrete(true);
    });
    const nom = (p: Record<string, unknown>) =>
      etat.current.unites === "iris"
        ? `${p.nom ?? p.code} (IRIS ${p.code}, ${p.communeNom})`
        : `${p.communeNom} (commune ${p.commune})`;
    map.on("mousemove", "unites-fond", (e) => {
      const p = e.features?.[0]?.properties;
      if (!p) return;
      map.getCanvas().style.cursor = "pointer";
      setSurvol(nom(p));
    });
    map.on("mouseleave", "unites-fond", () => {
      map.getCanvas().style.cursor = "";
      setSurvol(null);
    });
    map.on("click", "unites-fond", (e) => {
      const p = e.features?.[0]?.properties;
      if (p) etat.current.basculer(uniteDe(p, etat.current.unites));
    });
    return () => {
      setPrete(false);
      carte.current = null;
      map.remove();
    };
  }, [donnees]);

  // The picked units are a feature state: a change repaints, it re-tiles nothing.
  useEffect(() => {
    const map = carte.current;
    // A map just replaced (new data) has no source yet: its own load repaints.
    if (!map || !prete || !map.getSource("unites")) return;
    let n = 0;
    for (const f of donnees.features) {
      const p = f.properties ?? {};
      const choisi = choisis.has(uniteDe(p, unites));
      if (choisi) n++;
      map.setFeatureState({ source: "unites", id: String(p.code) }, { choisi });
    }
    if (ref.current) ref.current.dataset.irisChoisis = String(n);
  }, [donnees, choisis, unites, prete]);

  return (
    <div className="carte-selection">
      <div
        ref={ref}
        className="carte"
        role="img"
        aria-label={description}
        data-prete={prete ? "oui" : "non"}
      />
      <p className="discret survol" aria-live="polite">
        {survol ? `Sous le pointeur : ${survol}` : "Cliquez sur la carte pour ajouter ou retirer une unité."}
      </p>
    </div>
  );
}
