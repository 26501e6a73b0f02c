import { useEffect, useState } from "react";
import { formatValue } from "../../../src/core/observatory/classes";
import { formatGap, gap } from "../../../src/core/observatory/comparison";
import {
  type CatalogueReponse,
  indicateursApi,
  NIVEAU_FR,
  type Niveau,
  type SerieReponse,
  STATUT_FR,
  type ValeursReponse,
} from "../api-indicateurs";
import { Champ } from "./Champ";
import { SerieGraphique } from "./SerieGraphique";
import { seriesDe } from "./serie-donnees";

/** One indicator for a territory: its value beside its references, and every vintage as a chart. */
export function IndicateurTerritoire({ niveau, code }: { niveau: Niveau; code: string }) {
  const [catalogue, setCatalogue] = useState<CatalogueReponse | null>(null);
  const [id, setId] = useState<string | null>(null);
  const [valeurs, setValeurs] = useState<ValeursReponse | null>(null);
  const [serie, setSerie] = useState<SerieReponse | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);

  useEffect(() => {
    indicateursApi.catalogue().then(
      (c) => {
        setCatalogue(c);
        setId(
          new URLSearchParams(window.location.search).get("indicateur") ??
            c.indicateurs.find((i) => i.niveaux.includes(niveau))?.id ??
            null,
        );
      },
      (e) => setErreur(e.message),
    );
  }, [niveau]);
  useEffect(() => {
    if (!id) return;
    let actuel = true;
    setValeurs(null);
    setSerie(null);
    Promise.all([indicateursApi.valeurs(id, niveau), indicateursApi.serie(id, niveau, code)]).then(
      ([v, s]) => {
        if (!actuel) return;
        setValeurs(v);
        setSerie(s);
      },
      (e) => actuel && setErreur(e.message),
    );
    return () => {
      actuel = false;
    };
  }, [id, niveau, code]);

  if (!catalogue) return erreur ? <p className="erreur">{erreur}</p> : null;
  const possibles = catalogue.indicateurs.filter((i) => i.niveaux.includes(niveau));
  if (possibles.length === 0) return null;
  const unite = valeurs?.indicateur.unite ?? "";
  const ici = valeurs?.valeurs.find((v) => v.code === code) ?? null;
  const f = (v: number | null, statut: string) =>
    v !== null ? formatValue(v, unite, 1) : (STATUT_FR[statut] ?? "—");

  return (
    <section className="indicateur-territoire" aria-labelledby="titre-indicateurs">
      <h2 id="titre-indicateurs">Indicateurs</h2>
      <Champ libelle="Indicateur affiché">
        <select value={id ?? ""} onChange={(e) => setId(e.target.value)}>
          {possibles.map((i) => (
            <option key={i.id} value={i.id}>
              {i.libelle}
            </option>
          ))}
        </select>
      </Champ>
      {erreur && <p className="erreur">{erreur}</p>}
      {valeurs && (
        <div className="defilement">
          <table className="table-references">
            <caption>
              {valeurs.indicateur.libelle}
              {valeurs.millesime ? ` (${valeurs.millesime})` : ""} : le territoire et ses références
            </caption>
            <thead>
              <tr>
                <th scope="col">Territoire</th>
                <th scope="col">Niveau</th>
                <th scope="col">Valeur</th>
                <th scope="col">Écart du territoire</th>
              </tr>
            </thead>
            <tbody>
              {ici ? (
                <>
                  <tr className="territoire-courant">
                    <th scope="row">{ici.nom}</th>
                    <td>{NIVEAU_FR[niveau]}</td>
                    <td className="nombre">{f(ici.valeur, ici.statut)}</td>
                    <td />
                  </tr>
                  {ici.references.map((r) => (
                    <tr key={`${r.niveau}:${r.code}`}>
                      <th scope="row">{r.nom}</th>
                      <td>{NIVEAU_FR[r.niveau] ?? r.niveau}</td>
                      <td className="nombre">{f(r.valeur, r.statut)}</td>
                      <td className="nombre">{formatGap(gap(ici.valeur, r.valeur), unite)}</td>
                    </tr>
                  ))}
                </>
              ) : (
                <tr>
                  <td colSpan={4}>
                    Aucune valeur diffusée pour ce territoire
                    {valeurs.millesime ? ` en ${valeurs.millesime}` : ""}.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {serie && serie.points.length > 0 && (
        <SerieGraphique
          titre={`Évolution : ${serie.indicateur.libelle}`}
          series={seriesDe(serie)}
          ruptures={serie.ruptures.map((r) => ({ millesime: r.millesime, motif: r.raison }))}
          unite={serie.indicateur.unite}
        />
      )}
      {serie && serie.sources.length > 0 && <p className="source">{serie.sources.join(" ; ")}</p>}
    </section>
  );
}
