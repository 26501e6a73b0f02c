import type { FeatureCollection } from "geojson";
import { useEffect, useMemo, useState } from "react";
import {
  COULEUR_ABSENT,
  COULEUR_SECRET,
  classIndex,
  classify,
  formatValue,
  palette,
} from "../../../src/core/observatory/classes";
import { formatGap, gap } from "../../../src/core/observatory/comparison";
import { carteSvg } from "../../../src/core/observatory/svg-map";
import { api, type ConventionDetail, type Territoire } from "../api";
import {
  type CatalogueReponse,
  indicateursApi,
  type LignePortrait,
  NIVEAU_FR,
  type Niveau,
  STATUT_FR,
  type ValeursReponse,
  type VersionCommentaire,
} from "../api-indicateurs";
import { Champ } from "../components/Champ";
import { Lien } from "../components/Lien";
import { SerieGraphique } from "../components/SerieGraphique";
import { seriesDe } from "../components/serie-donnees";

type Ligne = LignePortrait;

/** The double sigle: provider and recipient of each convention whose datasets feed the portrait. */
export function sigles(conventions: readonly ConventionDetail[], jeux: ReadonlySet<string>) {
  const all = conventions
    .filter((c) => c.versionEnVigueur.jeux.some((j) => jeux.has(j.id)))
    .map((c) => ({
      id: c.id,
      titre: c.titre,
      doubleLogo: c.versionEnVigueur.diffusion.doubleLogo,
      parties: c.versionEnVigueur.parties
        .filter((p) => p.parts.includes("fournisseur") || p.parts.includes("destinataire"))
        .map((p) => p.nom),
    }));
  // Two conventions between the same parties (a renewal, the demo's replay) carry one sigle.
  const seen = new Set<string>();
  return all.filter((s) => {
    const key = [...s.parties].sort().join("\u0000");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const dateFr = (iso: string) =>
  new Intl.DateTimeFormat("fr-FR", {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "Europe/Paris",
  }).format(new Date(iso));

/**
 * A territory portrait: the key indicators of the chosen themes beside a
 * reference territory, their time series, a map, and the analyst's
 * commentary; printed to PDF by the browser (print style sheet: A4, the
 * source mention and the double sigle repeated on every page).
 */
export function PortraitPage({ type, code }: { type: string; code: string }) {
  const niveau = type as Niveau;
  const [info, setInfo] = useState<Territoire | null>(null);
  const [catalogue, setCatalogue] = useState<CatalogueReponse | null>(null);
  const [lignes, setLignes] = useState<Ligne[] | null>(null);
  const [conventions, setConventions] = useState<ConventionDetail[]>([]);
  const [themes, setThemes] = useState<Set<string> | null>(null);
  const [reference, setReference] = useState<string | null>(null);
  // The commentary: the versions kept on the server for this territory, reference and themes.
  const [versions, setVersions] = useState<VersionCommentaire[] | null>(null);
  const [commentaire, setCommentaire] = useState("");
  const [etatCommentaire, setEtatCommentaire] = useState<{ erreur?: string; message?: string }>({});
  const [carte, setCarte] = useState<{ svg: string } | null>(null);
  const [donneesCarte, setDonneesCarte] = useState<ValeursReponse | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([api.territoire(type, code), indicateursApi.catalogue()]).then(
      ([t, c]) => {
        setInfo(t);
        setCatalogue(c);
      },
      (e) => setErreur(e.message),
    );
    api
      .conventions()
      .then((cs) => Promise.all(cs.map((c) => api.convention(c.id))))
      .then(setConventions, () => setConventions([]));
  }, [type, code]);

  // One request: every indicator that has the territory (value, references, series) and the IRIS map's values.
  useEffect(() => {
    if (!catalogue) return;
    let actuel = true;
    indicateursApi.portrait(niveau, code).then(
      (p) => {
        if (!actuel) return;
        setLignes(p.lignes);
        setThemes((t) => t ?? new Set(p.lignes.map((l) => l.indicateur.theme)));
        setDonneesCarte(p.carte);
      },
      (e) => actuel && setErreur(e.message),
    );
    return () => {
      actuel = false;
    };
  }, [catalogue, niveau, code]);

  const visibles = (lignes ?? []).filter((l) => themes?.has(l.indicateur.theme));
  const refs = useMemo(() => {
    const m = new Map<string, { cle: string; nom: string; niveau: string }>();
    for (const l of lignes ?? [])
      for (const r of l.valeur.references)
        m.set(`${r.niveau}:${r.code}`, { cle: `${r.niveau}:${r.code}`, nom: r.nom, niveau: r.niveau });
    return [...m.values()];
  }, [lignes]);
  const ref = refs.find((r) => r.cle === reference) ?? refs[0] ?? null;
  const cle = useMemo(
    () => ({ niveau, territoire: code, reference: ref?.cle ?? "", themes: [...(themes ?? [])].sort() }),
    [niveau, code, ref?.cle, themes],
  );
  const cleTexte = JSON.stringify(cle);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the portrait's key as text.
  useEffect(() => {
    if (lignes === null || themes === null) return;
    let actuel = true;
    indicateursApi.commentaires(cle).then(
      (r) => {
        if (!actuel) return;
        setVersions(r.versions);
        setCommentaire(r.versions[0]?.texte ?? "");
        setEtatCommentaire({});
      },
      (e) => actuel && setEtatCommentaire({ erreur: e.message }),
    );
    return () => {
      actuel = false;
    };
  }, [cleTexte, lignes === null]);
  const derniere = versions?.[0] ?? null;
  const modifie = commentaire.trim() !== (derniere?.texte ?? "");
  const enregistrer = () => {
    indicateursApi.enregistrerCommentaire(cle, commentaire, derniere?.version ?? null).then(
      (v) => {
        setVersions((vs) => [v, ...(vs ?? [])]);
        setCommentaire(v.texte);
        setEtatCommentaire({ message: `Version ${v.version} enregistrée.` });
      },
      (e) => setEtatCommentaire({ erreur: e.message }),
    );
  };

  // The map: the territory's IRIS coloured by the first indicator with IRIS values inside it.
  useEffect(() => {
    if (!donneesCarte || niveau === "iris") return;
    let actuel = true;
    api.iris(type, code).then(
      (contours: FeatureCollection) => {
        const v = donneesCarte;
        const ici = v.valeurs;
        const byCode = new Map(ici.map((x) => [x.code, x]));
        const c = classify(
          ici.flatMap((x) => (x.valeur !== null ? [x.valeur] : [])),
          "quantiles",
          5,
          v.indicateur.unite,
        );
        const couleurs = palette(Math.max(1, c.labels.length));
        const svg = carteSvg({
          titre: `${v.indicateur.libelle} par IRIS${v.millesime ? `, ${v.millesime}` : ""}`,
          areas: contours.features.map((f) => {
            const x = byCode.get(String(f.properties?.code));
            const secret = x?.statut === "secret";
            return {
              geometry: f.geometry as never,
              fill:
                !x || x.valeur === null
                  ? secret
                    ? COULEUR_SECRET
                    : COULEUR_ABSENT
                  : couleurs[classIndex(x.valeur, c.breaks)]!,
              secret,
            };
          }),
          legende: [
            ...c.labels.map((l, k) => ({ libelle: l, couleur: couleurs[k]! })),
            ...(ici.some((x) => x.statut === "secret")
              ? [{ libelle: "secret statistique", couleur: COULEUR_SECRET, hachure: true }]
              : []),
          ],
          source: [...v.sources, "Contours IRIS : IGN."].join(" ; "),
          width: 900,
          height: 560,
        });
        if (actuel) setCarte({ svg });
      },
      () => undefined,
    );
    return () => {
      actuel = false;
    };
  }, [donneesCarte, niveau, type, code]);

  const jeux = useMemo(() => new Set(visibles.flatMap((l) => l.indicateur.jeux)), [visibles]);
  const sig = sigles(conventions, jeux);
  const sources = [...new Set(visibles.flatMap((l) => l.sources))];
  const mention = sources.length ? sources.join(" ; ") : "Source : —";
  const aujourdhui = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long" }).format(new Date());

  if (erreur)
    return (
      <p className="erreur" role="alert">
        {erreur}
      </p>
    );
  if (!info || !catalogue) return <p className="chargement">Chargement du portrait…</p>;
  const tousThemes = [...new Set((lignes ?? []).map((l) => l.indicateur.theme))];

  return (
    <table className="mise-en-page" role="presentation">
      <thead>
        <tr>
          <td>
            <div className="entete-impression" data-impression="entete">
              <span className="sigles">
                {sig.length > 0
                  ? sig.map((s) => (
                      <span key={s.id} className="sigle-convention">
                        {s.parties.map((p) => (
                          <span key={p} className="sigle">
                            {p}
                          </span>
                        ))}
                      </span>
                    ))
                  : "Socle"}
              </span>
              <span className="discret">Portrait de territoire — {info.nom}</span>
            </div>
          </td>
        </tr>
      </thead>
      <tfoot>
        <tr>
          <td>
            <p className="pied-impression" data-impression="source">
              {mention} — document établi avec Socle le {aujourdhui}.
            </p>
          </td>
        </tr>
      </tfoot>
      <tbody>
        <tr>
          <td>
            <section className="portrait">
              <h1>Portrait de territoire : {info.nom}</h1>
              <p className="discret">
                {NIVEAU_FR[niveau]} {info.code}
                {ref ? ` — comparé à : ${ref.nom} (${NIVEAU_FR[ref.niveau] ?? ref.niveau})` : ""}
              </p>
              <div className="ecran-seulement reglages">
                <fieldset className="sans-cadre">
                  <legend>Thèmes</legend>
                  <div className="cases">
                    {tousThemes.map((t) => (
                      <label key={t}>
                        <input
                          type="checkbox"
                          checked={themes?.has(t) ?? false}
                          onChange={(e) => {
                            const n = new Set(themes);
                            if (e.target.checked) n.add(t);
                            else n.delete(t);
                            setThemes(n);
                          }}
                        />
                        {t}
                      </label>
                    ))}
                  </div>
                </fieldset>
                <Champ libelle="Territoire de référence">
                  <select value={ref?.cle ?? ""} onChange={(e) => setReference(e.target.value)}>
                    {refs.length === 0 && <option value="">aucun</option>}
                    {refs.map((r) => (
                      <option key={r.cle} value={r.cle}>
                        {r.nom} ({NIVEAU_FR[r.niveau] ?? r.niveau})
                      </option>
                    ))}
                  </select>
                </Champ>
                <button type="button" onClick={() => window.print()}>
                  Exporter en PDF (imprimer)
                </button>{" "}
                <Lien href={`/territoires/${type}/${code}`}>Retour à la fiche du territoire</Lien>
              </div>
              {lignes === null ? (
                <p className="chargement">Calcul des indicateurs…</p>
              ) : visibles.length === 0 ? (
                <p>Aucun indicateur diffusé pour ce territoire dans les thèmes choisis.</p>
              ) : (
                <>
                  <h2>Indicateurs clés</h2>
                  <div className="defilement">
                    <table className="table-portrait">
                      <thead>
                        <tr>
                          <th scope="col">Indicateur</th>
                          <th scope="col">Millésime</th>
                          <th scope="col">{info.nom}</th>
                          <th scope="col">{ref?.nom ?? "Référence"}</th>
                          <th scope="col">Écart</th>
                        </tr>
                      </thead>
                      <tbody>
                        {visibles.map((l) => {
                          const v = l.valeur;
                          const r = v.references.find((x) => `${x.niveau}:${x.code}` === ref?.cle) ?? null;
                          const u = l.indicateur.unite;
                          const f = (n: number | null, s: string) =>
                            n !== null ? formatValue(n, u, 1) : (STATUT_FR[s] ?? "—");
                          return (
                            <tr key={l.indicateur.id}>
                              <th scope="row">{l.indicateur.libelle}</th>
                              <td>{l.millesime}</td>
                              <td className="nombre">{f(v.valeur, v.statut)}</td>
                              <td className="nombre">{r ? f(r.valeur, r.statut) : "—"}</td>
                              <td className="nombre">{formatGap(gap(v.valeur, r?.valeur ?? null), u)}</td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                  <h2>Commentaire de l'analyste</h2>
                  <div className="ecran-seulement">
                    <Champ
                      libelle="Commentaire"
                      aide="Les données publiées sont analysées et commentées (convention d'Aix) : ce texte est imprimé avec le portrait. Il est enregistré sur le serveur, en versions, pour ce territoire, cette référence et ces thèmes ; le lisent ceux qui peuvent lire les diffusions du portrait."
                      erreur={etatCommentaire.erreur ?? null}
                    >
                      <textarea
                        rows={6}
                        value={commentaire}
                        onChange={(e) => setCommentaire(e.target.value)}
                      />
                    </Champ>
                    <button type="button" onClick={enregistrer} disabled={!modifie || versions === null}>
                      Enregistrer le commentaire
                    </button>{" "}
                    <span role="status" className="discret">
                      {etatCommentaire.message ?? (modifie ? "Modifications non enregistrées." : "")}
                    </span>
                    {versions && versions.length > 0 && (
                      <details className="versions-commentaire">
                        <summary>Versions du commentaire ({versions.length})</summary>
                        <ol reversed>
                          {versions.map((v) => (
                            <li key={v.version}>
                              Version {v.version}, par {v.auteur}, le {dateFr(v.creeLe)}
                              <button type="button" className="lien" onClick={() => setCommentaire(v.texte)}>
                                Reprendre ce texte
                              </button>
                            </li>
                          ))}
                        </ol>
                      </details>
                    )}
                  </div>
                  <div className="commentaire-imprime" data-impression="commentaire">
                    {commentaire.trim() ? (
                      commentaire.split(/\n{2,}/).map((p) => <p key={p}>{p}</p>)
                    ) : (
                      <p className="discret">Aucun commentaire.</p>
                    )}
                    {derniere && !modifie && (
                      <p className="discret signature-commentaire">
                        Commentaire de {derniere.auteur}, version {derniere.version} du{" "}
                        {dateFr(derniere.creeLe)}.
                      </p>
                    )}
                  </div>
                  {carte && (
                    <>
                      <h2>Carte</h2>
                      <figure
                        className="carte-portrait"
                        // The SVG is built by core/observatory/svg-map.ts, which escapes every text it writes.
                        // biome-ignore lint/security/noDangerouslySetInnerHtml: our own escaped SVG.
                        dangerouslySetInnerHTML={{ __html: carte.svg.replace(/^<\?xml[^>]*>\s*/, "") }}
                      />
                    </>
                  )}
                  <h2>Évolutions</h2>
                  {visibles
                    .filter((l) => (l.serie?.points.length ?? 0) > 1)
                    .map((l) => (
                      <div key={l.indicateur.id} className="bloc-serie">
                        <SerieGraphique
                          titre={l.indicateur.libelle}
                          series={seriesDe(l.serie!).filter((s, i) => i === 0 || s.code === ref?.cle)}
                          ruptures={l.serie!.ruptures.map((r) => ({
                            millesime: r.millesime,
                            motif: r.raison,
                          }))}
                          unite={l.indicateur.unite}
                        />
                      </div>
                    ))}
                  <h2>Sources et précautions</h2>
                  <ul>
                    {sources.map((s) => (
                      <li key={s}>{s}</li>
                    ))}
                    {visibles
                      .filter((l) => l.indicateur.precautions.length > 0)
                      .map((l) => (
                        <li key={`p-${l.indicateur.id}`}>
                          {l.indicateur.libelle} : {l.indicateur.precautions.join(" ")}
                        </li>
                      ))}
                  </ul>
                  {sig.some((s) => s.doubleLogo) && (
                    <p className="discret">
                      Étude réalisée dans le cadre de{" "}
                      {sig
                        .filter((s) => s.doubleLogo)
                        .map((s) => s.titre)
                        .join(", ")}{" "}
                      : elle porte les sigles des deux parties.
                    </p>
                  )}
                </>
              )}
            </section>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
