import type { Feature, FeatureCollection, Point } from "geojson";
import * as maplibregl from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef } from "react";
import { COULEUR_ABSENT, COULEUR_SECRET } from "../../../src/core/observatory/classes";

maplibregl.setWorkerUrl(workerUrl);

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

type Expr = maplibregl.ExpressionSpecification;

function fill(breaks: readonly number[], couleurs: readonly string[]): Expr {
  const v: Expr = ["to-number", ["feature-state", "v"], 0];
  const steps: (number | string)[] = [couleurs[0] ?? "#41b6c4"];
  for (const [i, b] of breaks.entries()) steps.push(b, couleurs[i + 1] ?? couleurs[couleurs.length - 1]!);
  return [
    "case",
    ["==", ["feature-state", "s"], "secret"],
    COULEUR_SECRET,
    ["!=", ["typeof", ["feature-state", "v"]], "number"],
    COULEUR_ABSENT,
    breaks.length ? (["step", v, ...steps] as unknown as Expr) : steps[0]!,
  ] as unknown as Expr;
}

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

/** Hatching for secret areas, so that greyscale print tells them from missing ones. */
function hachure(): { width: number; height: number; data: Uint8Array } {
  const n = 8;
  const data = new Uint8Array(n * n * 4);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const on = (x + y) % n < 2;
      const i = (y * n + x) * 4;
      const c = on ? 90 : 200;
      data.set([c, c, c, 255], i);
    }
  return { width: n, height: n, data };
}

/** Values and statuses go to the feature state: a change of indicator re-tiles nothing. */
function etats(map: maplibregl.Map, contours: FeatureCollection, valeurs: ReadonlyMap<string, ValeurCarte>) {
  let secrets = 0;
  for (const f of contours.features) {
    const v = valeurs.get(String(f.properties?.cle));
    if (v?.statut === "secret") secrets++;
    map.setFeatureState(
      { source: "zones", id: String(f.properties?.code) },
      { s: v?.statut ?? "manquant", v: v && v.valeur !== null ? v.valeur : null },
    );
  }
  // The hatching is a pattern fill over every area: drawn only when some area is secret.
  map.setLayoutProperty("zones-secret", "visibility", secrets > 0 ? "visible" : "none");
}

/**
 * The map of an indicator: areas coloured by class (or proportional
 * symbols for counts), secret areas hatched, missing ones white. The map is
 * built once per set of contours; a change of indicator, vintage or classes
 * only updates its data and paint (the < 300 ms indicator switch).
 */
export function CarteValeurs(p: CarteValeursProps) {
  const ref = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const ready = useRef(false);
  const latest = useRef(p);
  latest.current = p;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the map is rebuilt for new contours only; the rest is applied below.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const bounds = boundsOf(p.contours.features);
    const map = new maplibregl.Map({
      container: el,
      style: {
        version: 8,
        sources: {},
        layers: [{ id: "fond", type: "background", paint: { "background-color": "#f3f6f7" } }],
        // No animated paint changes: a restyle is drawn in one frame (software rendering makes each frame dear).
        transition: { duration: 0, delay: 0 },
      },
      fadeDuration: 0,
      // Kept: the map's pixels are read back (tests, screenshots of the page).
      canvasContextAttributes: { preserveDrawingBuffer: true },
      ...(bounds ? { bounds, fitBoundsOptions: { padding: 20 } } : { center: [2.5, 46.6], zoom: 4.5 }),
      attributionControl: false,
    });
    mapRef.current = map;
    ready.current = false;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.on("load", () => {
      const cur = latest.current;
      map.addImage("hachure", hachure());
      map.addSource("zones", { type: "geojson", data: cur.contours, promoteId: "code" });
      map.addSource("symboles", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      map.addLayer({
        id: "zones-aplat",
        type: "fill",
        source: "zones",
        // Opaque, with no white layer under it: one fill pass fewer per frame.
        paint: { "fill-color": fill(cur.breaks, cur.couleurs) },
      });
      map.addLayer({
        id: "zones-secret",
        type: "fill",
        source: "zones",
        paint: {
          "fill-pattern": "hachure",
          "fill-opacity": ["case", ["==", ["feature-state", "s"], "secret"], 1, 0],
        },
      });
      map.addLayer({
        id: "zones-contour",
        type: "line",
        source: "zones",
        paint: { "line-color": "#666", "line-width": 0.4 },
      });
      map.addLayer({
        id: "zones-selection",
        type: "line",
        source: "zones",
        filter: ["==", ["get", "cle"], ""],
        paint: { "line-color": "#8a5a00", "line-width": 3 },
      });
      map.addLayer({
        id: "symboles",
        type: "circle",
        source: "symboles",
        paint: {
          "circle-radius": ["get", "r"],
          "circle-color": "#1f4e5f",
          "circle-opacity": 0.55,
          "circle-stroke-color": "#fff",
          "circle-stroke-width": 0.8,
        },
      });
      ready.current = true;
      appliquer(map, latest.current);
    });
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    const survol = (e: maplibregl.MapLayerMouseEvent) => {
      const cle = e.features?.[0]?.properties?.cle;
      if (typeof cle !== "string") return;
      map.getCanvas().style.cursor = "pointer";
      const div = document.createElement("div");
      div.textContent = latest.current.infobulle(cle);
      popup.setLngLat(e.lngLat).setDOMContent(div).addTo(map);
    };
    map.on("mousemove", "zones-aplat", survol);
    map.on("mouseleave", "zones-aplat", () => {
      map.getCanvas().style.cursor = "";
      popup.remove();
    });
    map.on("click", "zones-aplat", (e) => {
      const cle = e.features?.[0]?.properties?.cle;
      if (typeof cle === "string") latest.current.onChoisir(cle);
    });
    // Tells tests and assistive tools how many areas are drawn, and when; the
    // count (a query over every polygon) is taken again only when the framing changed.
    let compter = true;
    map.on("moveend", () => {
      compter = true;
    });
    map.on("idle", () => {
      if (!map.getLayer("zones-aplat")) return;
      if (compter) {
        const drawn = new Set(
          map.queryRenderedFeatures({ layers: ["zones-aplat"] }).map((f) => f.properties?.cle),
        );
        el.dataset.zonesRendues = String(drawn.size);
        compter = false;
      }
      el.dataset.pret = "1";
    });
    return () => {
      ready.current = false;
      mapRef.current = null;
      map.remove();
    };
  }, [p.contours]);

  useEffect(() => {
    const map = mapRef.current;
    if (map && ready.current) appliquer(map, p);
  });

  return (
    <div
      ref={ref}
      className="carte"
      role="img"
      aria-label={p.description}
      data-zones-total={new Set(p.contours.features.map((f) => f.properties?.cle)).size}
    />
  );
}

const applied = new WeakMap<
  maplibregl.Map,
  { valeurs: unknown; breaks: string; symboles: unknown; selection: unknown }
>();

function appliquer(map: maplibregl.Map, p: CarteValeursProps) {
  const prev = applied.get(map);
  const breaks = JSON.stringify([p.breaks, p.couleurs]);
  if (
    prev &&
    prev.valeurs === p.valeurs &&
    prev.breaks === breaks &&
    prev.symboles === p.symboles &&
    prev.selection === p.selection
  )
    return;
  if (!prev || prev.valeurs !== p.valeurs) etats(map, p.contours, p.valeurs);
  if (!prev || prev.breaks !== breaks)
    map.setPaintProperty("zones-aplat", "fill-color", fill(p.breaks, p.couleurs));
  if (!prev || prev.symboles !== p.symboles) {
    const pts: Feature<Point>[] = (p.symboles ?? []).map((s) => ({
      type: "Feature",
      properties: { cle: s.cle, r: s.rayon },
      geometry: { type: "Point", coordinates: [s.lng, s.lat] },
    }));
    (map.getSource("symboles") as maplibregl.GeoJSONSource).setData({
      type: "FeatureCollection",
      features: pts,
    });
    // Under symbols, areas show only their status (the page passes one colour, no breaks).
  }
  if (!prev || prev.selection !== p.selection) {
    map.setFilter("zones-selection", ["==", ["get", "cle"], p.selection ?? ""]);
    // A territory found by the search is framed; clearing the search frames the whole map again.
    const b = p.selection
      ? boundsOf(p.contours.features.filter((f) => f.properties?.cle === p.selection))
      : prev
        ? boundsOf(p.contours.features)
        : null;
    if (b) map.fitBounds(b, { padding: p.selection ? 60 : 20, maxZoom: 13, duration: 0 });
  }
  applied.set(map, { valeurs: p.valeurs, breaks, symboles: p.symboles, selection: p.selection });
  map.getContainer().dataset.pret = "0";
  map.triggerRepaint();
}
