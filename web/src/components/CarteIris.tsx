import type { FeatureCollection } from "geojson";
import * as maplibregl from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef } from "react";
import type { Classes } from "../../../src/core/indicator/classification";

maplibregl.setWorkerUrl(workerUrl);

/** Sequential palette (ColorBrewer YlOrRd, 5 classes). */
export const PALETTE = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];

/** Colour of IRIS without a value (not known, or under statistical secrecy). */
export const SANS_VALEUR = "#d9d9d9";

function fillColor(classes: Classes, property: string): maplibregl.ExpressionSpecification {
  const steps: (number | string)[] = [PALETTE[0]!];
  for (const [i, b] of classes.breaks.entries()) steps.push(b, PALETTE[i + 1]!);
  return [
    "case",
    ["==", ["typeof", ["get", property]], "number"],
    ["step", ["get", property], ...steps] as unknown as maplibregl.ExpressionSpecification,
    SANS_VALEUR,
  ];
}

/** The frame of the features, or undefined when none has a geometry (a table by commune without contours). */
function bounds(fc: FeatureCollection): maplibregl.LngLatBoundsLike | undefined {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") {
      b[0] = Math.min(b[0]!, c[0] as number);
      b[1] = Math.min(b[1]!, c[1] as number);
      b[2] = Math.max(b[2]!, c[0] as number);
      b[3] = Math.max(b[3]!, c[1] as number);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  for (const f of fc.features) if (f.geometry && "coordinates" in f.geometry) visit(f.geometry.coordinates);
  if (!b.every(Number.isFinite)) return undefined;
  return [
    [b[0]!, b[1]!],
    [b[2]!, b[3]!],
  ];
}

export function CarteIris({
  donnees,
  classes,
  propriete = "population",
  infobulle,
  description,
}: {
  donnees: FeatureCollection;
  classes: Classes;
  /** The numeric property that colours each IRIS. */
  propriete?: string;
  infobulle?: (p: Record<string, unknown>) => string;
  description?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const cadre = bounds(donnees);
    const map = new maplibregl.Map({
      container: el,
      style: {
        version: 8,
        sources: {},
        layers: [{ id: "fond", type: "background", paint: { "background-color": "#f4f6f8" } }],
      },
      // Without any geometry, the map shows France rather than failing on an infinite frame.
      ...(cadre ? { bounds: cadre, fitBoundsOptions: { padding: 20 } } : { center: [2.5, 46.5], zoom: 4.5 }),
      attributionControl: false,
      // Lets the map be exported as an image (and checked by the browser test).
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.on("load", () => {
      map.addSource("iris", { type: "geojson", data: donnees, promoteId: "code" });
      map.addLayer({
        id: "iris-fill",
        type: "fill",
        source: "iris",
        paint: { "fill-color": fillColor(classes, propriete), "fill-opacity": 0.85 },
      });
      map.addLayer({
        id: "iris-contour",
        type: "line",
        source: "iris",
        paint: { "line-color": "#555", "line-width": 0.6 },
      });
    });
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    map.on("mousemove", "iris-fill", (e) => {
      const p = e.features?.[0]?.properties;
      if (!p) return;
      map.getCanvas().style.cursor = "pointer";
      const pop =
        typeof p.population === "number"
          ? new Intl.NumberFormat("fr-FR").format(p.population)
          : "non renseignée";
      const div = document.createElement("div");
      div.textContent = infobulle
        ? infobulle(p)
        : `${p.nom ?? p.code} (${p.code}) — ${p.communeNom} : ${pop} hab.`;
      popup.setLngLat(e.lngLat).setDOMContent(div).addTo(map);
    });
    map.on("mouseleave", "iris-fill", () => {
      map.getCanvas().style.cursor = "";
      popup.remove();
    });
    // Tells tests and assistive tools how many IRIS are actually drawn.
    map.on("idle", () => {
      if (!map.getLayer("iris-fill")) return;
      const drawn = new Set(
        map.queryRenderedFeatures({ layers: ["iris-fill"] }).map((f) => f.properties?.code),
      );
      el.dataset.irisRendus = String(drawn.size);
    });
    return () => map.remove();
  }, [donnees, classes, propriete, infobulle]);

  return (
    <div
      ref={ref}
      className="carte"
      role="img"
      aria-label={description ?? `Carte des ${donnees.features.length} IRIS colorés selon leur population`}
      data-iris-total={donnees.features.length}
    />
  );
}
