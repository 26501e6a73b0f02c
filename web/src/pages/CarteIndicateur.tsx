import type { FeatureCollection } from "geojson";
import { useEffect, useMemo, useState } from "react";
import {
  CLASS_METHODS,
  type ClassMethod,
  COULEUR_ABSENT,
  COULEUR_SECRET,
  classIndex,
  classify,
  decimalsFor,
  formatValue,
  palette,
  symbolRadius,
} from "../../../src/core/observatory/classes";
import { normalise } from "../../../src/core/observatory/comparison";
import { carteSvg, type LegendEntry } from "../../../src/core/observatory/svg-map";
import {
  type CatalogueReponse,
  contoursPour,
  indicateursApi,
  NIVEAU_FR,
  type Niveau,
  STATUT_FR,
  type ValeursReponse,
} from "../api-indicateurs";
import { boundsOf, CarteValeurs, type ValeurCarte } from "../components/CarteValeurs";
import { Champ } from "../components/Champ";
import { nomFichier, svgEnPng, telecharger } from "../components/export";
import { ValeurCellule } from "../components/ValeurCellule";
import { navigate } from "../router";

const RAYON_MAX = 28;

/** The territory sheet a click on the map opens (an IRIS opens its commune). */
export function ficheDe(niveau: Niveau, code: string): string | null {
  if (niveau === "iris") return `/territoires/commune/${code.slice(0, 5)}`;
  if (niveau === "commune" || niveau === "epci" || niveau === "departement")
    return `/territoires/${niveau}/${code}`;
  return null;
}

function lireUrl() {
  const u = new URLSearchParams(window.location.search);
  return { indicateur: u.get("indicateur"), niveau: u.get("niveau") as Niveau | null };
}

/** Parses « 10 ; 20,5 ; 30 » into breaks; null when a part is not a number. */
export function lireSeuils(texte: string): number[] | null {
  const parts = texte
    .split(/[;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const nums = parts.map((s) => Number(s.replace(",", ".")));
  return nums.some((n) => !Number.isFinite(n)) ? null : nums;
}

export function CarteIndicateurPage() {
  const initial = useMemo(lireUrl, []);
  const [catalogue, setCatalogue] = useState<CatalogueReponse | null>(null);
  const [id, setId] = useState<string | null>(initial.indicateur);
  const [niveau, setNiveau] = useState<Niveau>(initial.niveau ?? "iris");
  const [millesime, setMillesime] = useState<number | null>(null);
  const [donnees, setDonnees] = useState<ValeursReponse | null>(null);
  const [contours, setContours] = useState<FeatureCollection | null>(null);
  const [methode, setMethode] = useState<ClassMethod>("quantiles");
  const [k, setK] = useState(5);
  const [seuilsTexte, setSeuilsTexte] = useState("");
  const [symboles, setSymboles] = useState(false);
  const [recherche, setRecherche] = useState("");
  const [selection, setSelection] = useState<string | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);
  const [chargement, setChargement] = useState(false);
  const [tableauOuvert, setTableauOuvert] = useState(false);

  useEffect(() => {
    indicateursApi.catalogue().then(
      (c) => {
        setCatalogue(c);
        setId((cur) =>
          cur && c.indicateurs.some((i) => i.id === cur) ? cur : (c.indicateurs[0]?.id ?? null),
        );
      },
      (e) => setErreur(e.message),
    );
  }, []);

  const indicateur = catalogue?.indicateurs.find((i) => i.id === id) ?? null;
  const niveaux = indicateur?.niveaux ?? [];
  const niveauEffectif: Niveau = (niveaux as readonly Niveau[]).includes(niveau)
    ? niveau
    : (niveaux[0] ?? "commune");

  useEffect(() => {
    if (!id) return;
    let actuel = true;
    setChargement(true);
    setErreur(null);
    const url = new URL(window.location.href);
    url.searchParams.set("indicateur", id);
    url.searchParams.set("niveau", niveauEffectif);
    window.history.replaceState(null, "", url);
    indicateursApi.valeurs(id, niveauEffectif, millesime).then(
      (d) => {
        if (!actuel) return;
        setDonnees(d);
        setChargement(false);
      },
      (e) => {
        if (!actuel) return;
        setErreur(e.message);
        setChargement(false);
      },
    );
    return () => {
      actuel = false;
    };
  }, [id, niveauEffectif, millesime]);

  // Contours are fetched again only when the set of territories changes (not on an indicator switch).
  const codes = useMemo(() => (donnees ? donnees.valeurs.map((v) => v.code).sort() : []), [donnees]);
  const cleContours = `${donnees?.niveau ?? ""}|${codes.join(",")}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the set of territories, not by the values.
  useEffect(() => {
    if (!donnees || codes.length === 0) return setContours(null);
    let actuel = true;
    const membres = new Map(
      donnees.valeurs.flatMap((v) => (v.membres ? [[v.code, v.membres] as const] : [])),
    );
    contoursPour(donnees.niveau, codes, membres).then(
      (fc) => actuel && setContours(fc),
      (e) => actuel && setErreur(e.message),
    );
    return () => {
      actuel = false;
    };
  }, [cleContours]);

  const valeurs = useMemo(() => {
    const m = new Map<string, ValeurCarte>();
    for (const v of donnees?.valeurs ?? []) m.set(v.code, { valeur: v.valeur, statut: v.statut, nom: v.nom });
    return m;
  }, [donnees]);
  const unite = donnees?.indicateur.unite ?? indicateur?.unite ?? "";
  const publiees = useMemo(
    () => [...valeurs.values()].map((v) => v.valeur).filter((v): v is number => v !== null),
    [valeurs],
  );
  const seuilsManuels = useMemo(() => lireSeuils(seuilsTexte), [seuilsTexte]);
  const erreurSeuils =
    methode === "manuelles" && (seuilsManuels === null || seuilsManuels.length === 0)
      ? "Saisissez des seuils numériques séparés par des points-virgules, par exemple 10 ; 20 ; 30."
      : null;
  const classes = useMemo(
    () =>
      classify(
        publiees,
        methode === "manuelles" && !seuilsManuels?.length ? "quantiles" : methode,
        k,
        unite,
        seuilsManuels ?? [],
      ),
    [publiees, methode, k, unite, seuilsManuels],
  );
  const couleurs = palette(Math.max(1, classes.labels.length));
  const comptage = unite === "nombre";
  const avecSymboles = comptage && symboles;
  const nbSecret = [...valeurs.values()].filter((v) => v.statut === "secret").length;
  const nbManquant = [...valeurs.values()].filter((v) => v.statut === "manquant").length;
  const decimales = decimalsFor(publiees.length ? publiees : [0], unite);

  const centres = useMemo(() => {
    const m = new Map<string, { lng: number; lat: number }>();
    if (!contours) return m;
    const groups = new Map<string, typeof contours.features>();
    for (const f of contours.features) {
      const cle = String(f.properties?.cle);
      groups.set(cle, [...(groups.get(cle) ?? []), f]);
    }
    for (const [cle, fs] of groups) {
      const b = boundsOf(fs);
      if (b) m.set(cle, { lng: (b[0][0] + b[1][0]) / 2, lat: (b[0][1] + b[1][1]) / 2 });
    }
    return m;
  }, [contours]);
  const cercles = useMemo(() => {
    if (!avecSymboles) return null;
    const max = Math.max(0, ...publiees);
    return [...valeurs.entries()].flatMap(([cle, v]) => {
      const c = centres.get(cle);
      return c && v.valeur !== null ? [{ cle, ...c, rayon: symbolRadius(v.valeur, max, RAYON_MAX) }] : [];
    });
  }, [avecSymboles, valeurs, centres, publiees]);

  const titre = indicateur
    ? `${indicateur.libelle} — ${NIVEAU_FR[niveauEffectif] ?? niveauEffectif}${donnees?.millesime ? `, ${donnees.millesime}` : ""}`
    : "";
  const source = [...(donnees?.sources ?? []), "Contours IRIS : IGN ; traitement Socle."].join(" ; ");
  const legende: LegendEntry[] = [
    ...(avecSymboles
      ? [
          { libelle: formatValue(Math.max(0, ...publiees), unite, 0), couleur: "#1f4e5f", rayon: RAYON_MAX },
          {
            libelle: formatValue(Math.max(0, ...publiees) / 4, unite, 0),
            couleur: "#1f4e5f",
            rayon: RAYON_MAX / 2,
          },
        ]
      : classes.labels.map((l, i) => ({ libelle: `${l} (${classes.counts[i]})`, couleur: couleurs[i]! }))),
    ...(nbSecret
      ? [{ libelle: `secret statistique (${nbSecret})`, couleur: COULEUR_SECRET, hachure: true }]
      : []),
    ...(nbManquant ? [{ libelle: `non disponible (${nbManquant})`, couleur: COULEUR_ABSENT }] : []),
  ];

  const infobulle = (cle: string) => {
    const v = valeurs.get(cle);
    if (!v) return cle;
    const val =
      v.valeur !== null
        ? formatValue(v.valeur, unite, Math.max(1, decimales))
        : (STATUT_FR[v.statut] ?? v.statut);
    return `${v.nom} (${cle}) : ${val}${v.statut === "fragile" ? " — fragile, petit effectif" : ""}`;
  };
  const choisir = (cle: string) => {
    const to = ficheDe(niveauEffectif, cle);
    if (to) navigate(to);
  };
  const trouves = useMemo(() => {
    const words = normalise(recherche).split(" ").filter(Boolean);
    if (!words.length) return [];
    return [...valeurs.entries()]
      .filter(([cle, v]) => words.every((w) => `${normalise(v.nom)} ${cle.toLowerCase()}`.includes(w)))
      .slice(0, 10);
  }, [recherche, valeurs]);

  const svg = () =>
    carteSvg({
      titre,
      sousTitre: `Classes : ${CLASS_METHODS.find((m) => m.id === methode)?.libelle ?? methode}`,
      areas: (contours?.features ?? []).map((f) => {
        const v = valeurs.get(String(f.properties?.cle));
        const secret = v?.statut === "secret";
        const fillColour =
          !v || v.valeur === null || avecSymboles
            ? COULEUR_ABSENT
            : couleurs[classIndex(v.valeur, classes.breaks)]!;
        return { geometry: f.geometry as never, fill: secret ? COULEUR_SECRET : fillColour, secret };
      }),
      symbols: (cercles ?? []).map((c) => ({ lng: c.lng, lat: c.lat, radius: c.rayon })),
      legende,
      source,
    });

  if (erreur && !catalogue)
    return (
      <p className="erreur" role="alert">
        {erreur}
      </p>
    );
  if (!catalogue) return <p className="chargement">Chargement du catalogue…</p>;
  const themes = [...new Set(catalogue.indicateurs.map((i) => i.theme))];

  return (
    <section className="carte-indicateur">
      <h1>Carte d'un indicateur</h1>
      <form className="reglages" onSubmit={(e) => e.preventDefault()} aria-label="Réglages de la carte">
        <Champ libelle="Indicateur">
          <select value={id ?? ""} onChange={(e) => setId(e.target.value)}>
            {themes.map((t) => (
              <optgroup key={t} label={t}>
                {catalogue.indicateurs
                  .filter((i) => i.theme === t)
                  .map((i) => (
                    <option key={i.id} value={i.id}>
                      {i.libelle}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </Champ>
        <Champ libelle="Niveau">
          <select value={niveauEffectif} onChange={(e) => setNiveau(e.target.value as Niveau)}>
            {niveaux.map((n) => (
              <option key={n} value={n}>
                {NIVEAU_FR[n]}
              </option>
            ))}
          </select>
        </Champ>
        <Champ libelle="Millésime">
          <select
            value={donnees?.millesime ?? ""}
            onChange={(e) => setMillesime(e.target.value ? Number(e.target.value) : null)}
          >
            {(donnees?.millesimes ?? []).length === 0 && <option value="">aucun</option>}
            {(donnees?.millesimes ?? []).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Champ>
        <Champ libelle="Méthode de classes">
          <select value={methode} onChange={(e) => setMethode(e.target.value as ClassMethod)}>
            {CLASS_METHODS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.libelle}
              </option>
            ))}
          </select>
        </Champ>
        {methode === "manuelles" ? (
          <Champ
            libelle="Seuils"
            aide="Séparés par des points-virgules, ex. 10 ; 20 ; 30"
            erreur={erreurSeuils}
          >
            <input value={seuilsTexte} onChange={(e) => setSeuilsTexte(e.target.value)} inputMode="decimal" />
          </Champ>
        ) : (
          <Champ libelle="Nombre de classes">
            <select value={k} onChange={(e) => setK(Number(e.target.value))}>
              {[3, 4, 5, 6, 7].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </Champ>
        )}
        {comptage && (
          <label className="case">
            <input type="checkbox" checked={symboles} onChange={(e) => setSymboles(e.target.checked)} />{" "}
            Symboles proportionnels
          </label>
        )}
      </form>
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      {indicateur && (
        <p className="discret">
          {indicateur.formule}. Source : {indicateur.source}.
          {indicateur.precautions.length > 0 && ` Précautions : ${indicateur.precautions.join(" ")}`}
        </p>
      )}
      <p className="statut-carte" role="status">
        {chargement
          ? "Chargement des valeurs…"
          : donnees
            ? donnees.valeurs.length === 0
              ? "Aucune diffusion lisible ne contient cet indicateur à ce niveau."
              : `${donnees.valeurs.length} territoires : ${publiees.length} avec une valeur, ${nbSecret} sous secret statistique, ${nbManquant} non disponibles.`
            : ""}
      </p>
      {donnees && donnees.valeurs.length > 0 && contours && (
        <>
          <div className="outils-carte">
            <search className="recherche-carte">
              <Champ libelle="Chercher sur la carte">
                <input
                  type="search"
                  value={recherche}
                  onChange={(e) => setRecherche(e.target.value)}
                  placeholder="nom ou code"
                  autoComplete="off"
                />
              </Champ>
              {selection && (
                <button
                  type="button"
                  className="lien"
                  onClick={() => {
                    setSelection(null);
                    setRecherche("");
                  }}
                >
                  Voir toute la carte
                </button>
              )}
              {recherche.trim() && (
                <ul className="resultats" aria-label="Territoires trouvés sur la carte">
                  {trouves.length === 0 && <li>Aucun résultat.</li>}
                  {trouves.map(([cle, v]) => (
                    <li key={cle}>
                      <button type="button" className="lien" onClick={() => setSelection(cle)}>
                        {v.nom} ({cle})
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </search>
            <div className="exports">
              <button
                type="button"
                className="secondaire"
                onClick={() =>
                  telecharger(new Blob([svg()], { type: "image/svg+xml" }), nomFichier(titre, "svg"))
                }
              >
                Exporter en SVG
              </button>
              <button
                type="button"
                className="secondaire"
                onClick={() =>
                  svgEnPng(svg(), 1000, 720).then(
                    (b) => telecharger(b, nomFichier(titre, "png")),
                    (e) => setErreur(e.message),
                  )
                }
              >
                Exporter en PNG
              </button>
            </div>
          </div>
          <div className="carte-et-legende">
            <CarteValeurs
              contours={contours}
              valeurs={valeurs}
              breaks={avecSymboles ? [] : classes.breaks}
              couleurs={avecSymboles ? [COULEUR_ABSENT] : couleurs}
              symboles={cercles}
              selection={selection}
              infobulle={infobulle}
              onChoisir={choisir}
              description={`Carte : ${titre}. Les valeurs sont dans le tableau qui suit la carte.`}
            />
            <figure className="legende" aria-label="Légende">
              <figcaption>{titre}</figcaption>
              <ul>
                {legende.map((l) => (
                  <li key={l.libelle}>
                    {l.rayon !== undefined ? (
                      <span
                        className="cercle"
                        style={{ width: l.rayon * 2, height: l.rayon * 2 }}
                        aria-hidden="true"
                      />
                    ) : (
                      <span
                        className={l.hachure ? "pastille hachuree" : "pastille"}
                        style={l.hachure ? {} : { background: l.couleur }}
                        aria-hidden="true"
                      />
                    )}{" "}
                    {l.libelle}
                  </li>
                ))}
              </ul>
              <p className="source">{source}</p>
            </figure>
          </div>
          <details onToggle={(e) => setTableauOuvert(e.currentTarget.open)}>
            <summary>Tableau des valeurs</summary>
            {/* Rendered only when opened: 1,500 rows would slow every change of the map. */}
            {tableauOuvert && (
              <div className="defilement">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Code</th>
                      <th scope="col">Territoire</th>
                      <th scope="col">Valeur</th>
                      <th scope="col">Statut</th>
                    </tr>
                  </thead>
                  <tbody>
                    {donnees.valeurs.map((v) => (
                      <tr key={v.code}>
                        <td>{v.code}</td>
                        <td>{v.nom}</td>
                        <td className="nombre">
                          <ValeurCellule
                            valeur={v.valeur}
                            statut={v.statut}
                            texte={(n) => formatValue(n, unite, Math.max(1, decimales))}
                          />
                        </td>
                        <td>{STATUT_FR[v.statut] ?? v.statut}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </details>
        </>
      )}
    </section>
  );
}
