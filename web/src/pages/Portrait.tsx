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
  type IndicateurCatalogue,
  indicateursApi,
  NIVEAU_FR,
  type Niveau,
  type SerieReponse,
  STATUT_FR,
  type ValeursReponse,
} from "../api-indicateurs";
import { Champ } from "../components/Champ";
import { Lien } from "../components/Lien";
import { SerieGraphique } from "../components/SerieGraphique";
import { seriesDe } from "../components/serie-donnees";

interface Ligne {
  indicateur: IndicateurCatalogue;
  valeurs: ValeursReponse;
  serie: SerieReponse | null;
}

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

const cleCommentaire = (type: string, code: string) => `socle:portrait:${type}:${code}`;

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
  const [commentaire, setCommentaire] = useState(
    () => localStorage.getItem(cleCommentaire(type, code)) ?? "",
  );
  const [carte, setCarte] = useState<{ svg: string } | null>(null);
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

  // Every indicator of the level: its values (and the territory's series where it has a value).
  useEffect(() => {
    if (!catalogue) return;
    let actuel = true;
    const possibles = catalogue.indicateurs.filter((i) => i.niveaux.includes(niveau));
    Promise.all(
      possibles.map(async (i): Promise<Ligne | null> => {
        const valeurs = await indicateursApi.valeurs(i.id, niveau).catch(() => null);
        if (!valeurs?.valeurs.some((v) => v.code === code)) return null;
        const serie = await indicateursApi.serie(i.id, niveau, code).catch(() => null);
        return { indicateur: i, valeurs, serie };
      }),
    ).then((ls) => {
      if (!actuel) return;
      const ok = ls.filter((l): l is Ligne => l !== null);
      setLignes(ok);
      setThemes((t) => t ?? new Set(ok.map((l) => l.indicateur.theme)));
    });
    return () => {
      actuel = false;
    };
  }, [catalogue, niveau, code]);

  const visibles = (lignes ?? []).filter((l) => themes?.has(l.indicateur.theme));
  const refs = useMemo(() => {
    const m = new Map<string, { cle: string; nom: string; niveau: string }>();
    for (const l of lignes ?? [])
      for (const r of l.valeurs.valeurs.find((v) => v.code === code)?.references ?? [])
        m.set(`${r.niveau}:${r.code}`, { cle: `${r.niveau}:${r.code}`, nom: r.nom, niveau: r.niveau });
    return [...m.values()];
  }, [lignes, code]);
  const ref = refs.find((r) => r.cle === reference) ?? refs[0] ?? null;

  // A map of the first indicator that has IRIS values inside the territory.
  useEffect(() => {
    if (!catalogue || niveau === "iris") return;
    let actuel = true;
    (async () => {
      const contours: FeatureCollection = await api.iris(type, code);
      const codes = new Set(contours.features.map((f) => String(f.properties?.code)));
      if (codes.size === 0) return;
      for (const i of catalogue.indicateurs.filter((x) => x.niveaux.includes("iris"))) {
        const v = await indicateursApi.valeurs(i.id, "iris").catch(() => null);
        const ici = v?.valeurs.filter((x) => codes.has(x.code)) ?? [];
        if (!v || ici.length === 0) continue;
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
        return;
      }
    })().catch(() => undefined);
    return () => {
      actuel = false;
    };
  }, [catalogue, niveau, type, code]);

  const jeux = useMemo(() => new Set(visibles.flatMap((l) => l.indicateur.jeux)), [visibles]);
  const sig = sigles(conventions, jeux);
  const sources = [...new Set(visibles.flatMap((l) => l.valeurs.sources))];
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
                          const v = l.valeurs.valeurs.find((x) => x.code === code)!;
                          const r = v.references.find((x) => `${x.niveau}:${x.code}` === ref?.cle) ?? null;
                          const u = l.indicateur.unite;
                          const f = (n: number | null, s: string) =>
                            n !== null ? formatValue(n, u, 1) : (STATUT_FR[s] ?? "—");
                          return (
                            <tr key={l.indicateur.id}>
                              <th scope="row">{l.indicateur.libelle}</th>
                              <td>{l.valeurs.millesime}</td>
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
                      aide="Les données publiées sont analysées et commentées (convention d'Aix) : ce texte est imprimé avec le portrait. Il est conservé dans ce navigateur."
                    >
                      <textarea
                        rows={6}
                        value={commentaire}
                        onChange={(e) => {
                          setCommentaire(e.target.value);
                          localStorage.setItem(cleCommentaire(type, code), e.target.value);
                        }}
                      />
                    </Champ>
                  </div>
                  <div className="commentaire-imprime" data-impression="commentaire">
                    {commentaire.trim() ? (
                      commentaire.split(/\n{2,}/).map((p) => <p key={p}>{p}</p>)
                    ) : (
                      <p className="discret">Aucun commentaire.</p>
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
