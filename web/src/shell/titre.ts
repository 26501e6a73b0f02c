import { useEffect, useRef } from "react";

const SUFFIXE = "Socle";

/** The document title of a page: its heading, then the application's name. */
export function titreDocument(titre: string | null | undefined): string {
  const t = (titre ?? "").replace(/\s+/g, " ").trim();
  return t ? `${t} — ${SUFFIXE}` : `${SUFFIXE} — observation sociale partagée`;
}

/** The heading's own text, without its grey annotations (codes, kinds). */
function texteTitre(h1: HTMLElement): string {
  const copie = h1.cloneNode(true) as HTMLElement;
  for (const d of copie.querySelectorAll(".discret, [aria-hidden='true']")) d.remove();
  return copie.textContent ?? "";
}

/**
 * Keeps `document.title` equal to the page's heading, and moves the focus
 * to that heading after each client-side navigation (not on the first load),
 * so that a screen reader announces the new page. Pages load their data
 * asynchronously: the heading is awaited with a MutationObserver.
 */
export function useTitreEtFocus(path: string, conteneur: () => HTMLElement | null): void {
  const precedent = useRef<string | null>(null);
  useEffect(() => {
    const racine = conteneur();
    if (!racine) return;
    const focaliser = precedent.current !== null && precedent.current !== path;
    precedent.current = path;
    let focalise = false;
    const suivre = () => {
      // A Suspense boundary keeps the previous page hidden while the next one loads.
      const h1 = [...racine.querySelectorAll("h1")].find((h) => h.getClientRects().length > 0);
      document.title = titreDocument(h1 ? texteTitre(h1) : null);
      if (h1 && focaliser && !focalise) {
        if (!h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
        h1.focus();
        focalise = document.activeElement === h1;
      }
    };
    suivre();
    const obs = new MutationObserver(suivre);
    obs.observe(racine, { childList: true, subtree: true, characterData: true });
    return () => obs.disconnect();
  }, [path, conteneur]);
}
