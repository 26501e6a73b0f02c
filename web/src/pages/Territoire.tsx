import type { FeatureCollection } from "geojson";
import { useEffect, useMemo, useState } from "react";
import { quantileClasses } from "../../../src/core/indicator/classification";
import { api, type Territoire } from "../api";
import { CarteIris, PALETTE } from "../components/CarteIris";
import { IndicateurTerritoire } from "../components/IndicateurTerritoire";
import { Lien } from "../components/Lien";

const nombre = (n: number) => new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 }).format(n);
const TYPE_FR: Record<string, string> = {
  commune: "Commune",
  epci: "Intercommunalité",
  departement: "Département",
};

export function TerritoirePage({ type, code }: { type: string; code: string }) {
  const [info, setInfo] = useState<Territoire | null>(null);
  const [iris, setIris] = useState<FeatureCollection | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);

  useEffect(() => {
    setInfo(null);
    setIris(null);
    setErreur(null);
    Promise.all([api.territoire(type, code), api.iris(type, code)]).then(
      ([t, fc]) => {
        setInfo(t);
        setIris(fc);
      },
      (e) => setErreur(e.message),
    );
  }, [type, code]);

  const classes = useMemo(
    () =>
      quantileClasses(
        (iris?.features ?? [])
          .map((f) => f.properties?.population)
          .filter((p): p is number => typeof p === "number"),
        5,
      ),
    [iris],
  );

  if (erreur) return <p className="erreur">{erreur}</p>;
  if (!info || !iris) return <p className="chargement">Chargement du territoire…</p>;
  const annee = info.anneePopulation;

  return (
    <section className="territoire">
      <h1>
        {info.nom}{" "}
        <span className="discret">
          {TYPE_FR[info.kind]} {info.code}
        </span>
      </h1>
      {info.fictif && <p className="bandeau-fictif">Territoire fictif de démonstration.</p>}
      <p className="chiffres">
        {info.communes} commune{info.communes > 1 ? "s" : ""} · {info.iris} IRIS
        {info.population !== null && ` · ${nombre(info.population)} habitants (${annee})`}
        {info.parents.length > 0 && ` · ${info.parents.map((p) => p.nom).join(" › ")}`}
      </p>
      <p>
        <Lien href={`/territoires/${type}/${code}/portrait`}>Portrait du territoire</Lien>
      </p>
      <IndicateurTerritoire niveau={type as "commune" | "epci" | "departement"} code={code} />
      <h2>Population par IRIS</h2>
      {iris.features.length === 0 ? (
        <p>
          Aucun contour IRIS n'est importé pour ce territoire (commande « socle territories import-iris »).
        </p>
      ) : (
        <div className="carte-et-legende">
          <CarteIris donnees={iris} classes={classes} />
          <figure className="legende" aria-label="Légende">
            <figcaption>Population par IRIS{annee ? ` (${annee})` : ""}</figcaption>
            <ul>
              {classes.labels.map((l, i) => (
                <li key={l}>
                  <span className="pastille" style={{ background: PALETTE[i] }} /> {l}
                </li>
              ))}
              <li>
                <span className="pastille" style={{ background: "#d9d9d9" }} /> non renseignée
              </li>
            </ul>
            <p className="source">Source : INSEE, recensement de la population ; contours IRIS : IGN.</p>
          </figure>
        </div>
      )}
      <details>
        <summary>Tableau des IRIS</summary>
        <div className="defilement">
          <table>
            <thead>
              <tr>
                <th>Code IRIS</th>
                <th>Nom</th>
                <th>Commune</th>
                <th>Population</th>
              </tr>
            </thead>
            <tbody>
              {iris.features.map((f) => (
                <tr key={String(f.id)}>
                  <td>{f.properties?.code}</td>
                  <td>{f.properties?.nom}</td>
                  <td>{f.properties?.communeNom}</td>
                  <td className="nombre">
                    {typeof f.properties?.population === "number" ? nombre(f.properties.population) : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
