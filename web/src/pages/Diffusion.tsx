import type { FeatureCollection } from "geojson";
import { useEffect, useMemo, useState } from "react";
import { quantileClasses } from "../../../src/core/indicator/classification";
import { api, type Diffusion, dateFr } from "../api";
import { CarteIris, PALETTE, SANS_VALEUR } from "../components/CarteIris";
import { Lien } from "../components/Lien";
import { AccordsDiffusion } from "./DiffusionExterne";

const nombre = (n: number) => new Intl.NumberFormat("fr-FR").format(n);

/** A release: its protected tables as a map and a table, its downloads and its source. */
export function DiffusionPage({ id }: { id: string }) {
  const [d, setD] = useState<Diffusion | null>(null);
  const [tableau, setTableau] = useState(0);
  const [geo, setGeo] = useState<FeatureCollection | null>(null);
  const [modalite, setModalite] = useState("Total");
  const [erreur, setErreur] = useState<string | null>(null);

  useEffect(() => {
    api.diffusion(id).then(setD, (e) => setErreur(e.message));
  }, [id]);
  useEffect(() => {
    setGeo(null);
    api.diffusionGeo(id, tableau).then(setGeo, (e) => setErreur(e.message));
  }, [id, tableau]);

  const t = d?.tableaux[tableau];
  const colonnes = useMemo(() => {
    if (!t) return [];
    const b = t.variables[1];
    if (!b) return ["Effectif"];
    const codes = Object.keys(t.libelles[b.nom] ?? {});
    return [...codes.filter((c) => c !== "Total"), "Total"].map((c) => t.libelles[b.nom]?.[c] ?? c);
  }, [t]);
  const libelle = colonnes.includes(modalite) ? modalite : (colonnes.at(-1) ?? "Total");
  // The GeoJSON names its value properties for GIS tools (`n_total`); `champs` gives their labels.
  const champs = (geo as { champs?: { nom: string; libelle: string }[] } | null)?.champs ?? [];
  const propriete = champs.find((c) => c.libelle === libelle)?.nom ?? libelle;
  const classes = useMemo(
    () =>
      quantileClasses(
        (geo?.features ?? [])
          .map((f) => f.properties?.[propriete])
          .filter((v): v is number => typeof v === "number"),
        5,
      ),
    [geo, propriete],
  );

  if (erreur)
    return (
      <p className="erreur" role="alert">
        {erreur}
      </p>
    );
  if (!d || !t) return <p className="chargement">Chargement de la diffusion…</p>;
  const territoire = t.variables[0]!.nom;
  const breakdown = t.variables[1];
  const index = new Map(t.cellules.map((c) => [c.codes.join("|"), c]));
  const modalites = breakdown ? Object.keys(t.libelles[breakdown.nom] ?? {}) : [];
  const ordre = breakdown ? [...modalites.filter((m) => m !== "Total"), "Total"] : [""];
  const secretes = (geo?.features ?? []).filter((f) => typeof f.properties?.[propriete] !== "number").length;

  return (
    <section className="fiche">
      <p>
        <Lien href={`/conventions/${d.conventionId}`}>← Convention</Lien>
      </p>
      <h1>
        Diffusion {d.annee} <span className="discret">du {dateFr(d.diffuseLe)}</span>
      </h1>
      <Tampons d={d} />
      <p className="source">{d.mentionSource}</p>
      {d.champsAbsents && d.champsAbsents.length > 0 && (
        <p className="champs-absents">
          Champs absents du dépôt, non diffusés : {d.champsAbsents.map((f) => f.libelle).join(", ")}.
        </p>
      )}
      <p>
        Télécharger :{" "}
        <a href={`/api/diffusions/${d.id}/export/xlsx`} download>
          Excel (XLSX)
        </a>{" "}
        ·{" "}
        <a href={`/api/diffusions/${d.id}/export/csv`} download>
          CSV
        </a>{" "}
        ·{" "}
        <a href={`/api/diffusions/${d.id}/export/geojson?tableau=${tableau}`} download>
          GeoJSON (IRIS)
        </a>{" "}
        ·{" "}
        <a href={`/api/diffusions/${d.id}/export/gpkg?tableau=${tableau}`} download>
          GeoPackage (QGIS, WGS84)
        </a>{" "}
        ·{" "}
        <a href={`/api/diffusions/${d.id}/export/gpkg?tableau=${tableau}&epsg=2154`} download>
          GeoPackage (Lambert-93)
        </a>{" "}
        ·{" "}
        <a href={`/api/diffusions/${d.id}/export/csv?tableau=${tableau}`} download>
          CSV de ce tableau
        </a>
      </p>
      <AccordsDiffusion diffusionId={d.id} conventionId={d.conventionId} />
      <p className="discret">
        Secret statistique : {d.audit.primaires} cellule(s) sous secret primaire, {d.audit.secondaires} sous
        secret secondaire ; l'audit a vérifié qu'aucune ne se recalcule.
        {d.nonLocalises > 0 &&
          ` ${d.nonLocalises} ligne(s) sans adresse localisée ne figurent dans aucun tableau.`}
      </p>
      <div className="ligne">
        <label>
          Tableau
          <select value={tableau} onChange={(e) => setTableau(Number(e.target.value))}>
            {d.tableaux.map((x, i) => (
              <option key={x.nom} value={i}>
                {x.nom}
              </option>
            ))}
          </select>
        </label>
        <label>
          Carte de
          <select value={libelle} onChange={(e) => setModalite(e.target.value)}>
            {colonnes.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      {geo && (
        <div className="carte-et-legende">
          <CarteIris
            donnees={geo}
            classes={classes}
            propriete={propriete}
            description={`Carte des ${geo.features.length} IRIS : ${libelle}`}
            infobulle={(p) =>
              `${p.nom ?? p.code} (${p.code}) : ${typeof p[propriete] === "number" ? nombre(p[propriete] as number) : "secret statistique"}`
            }
          />
          <figure className="legende" aria-label="Légende">
            <figcaption>
              {t.nom} — {propriete}
            </figcaption>
            <ul>
              {classes.labels.map((l, i) => (
                <li key={l}>
                  <span className="pastille" style={{ background: PALETTE[i] }} /> {l}
                </li>
              ))}
              <li>
                <span className="pastille" style={{ background: SANS_VALEUR }} /> secret statistique (
                {secretes} IRIS)
              </li>
            </ul>
            <p className="source">{d.mentionSource}</p>
          </figure>
        </div>
      )}
      <table className="tableau-diffusion">
        <thead>
          <tr>
            <th>Code</th>
            <th>{t.variables[0]!.libelle}</th>
            {colonnes.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.keys(t.libelles[territoire] ?? {}).map((code) => (
            <tr key={code}>
              <td>{code.replace(/^[CE](?=\d)/, "")}</td>
              <td>{t.libelles[territoire]?.[code]}</td>
              {ordre.map((m) => {
                const c = index.get(breakdown ? `${code}|${m}` : code);
                return (
                  <td
                    key={m}
                    className="nombre"
                    title={c?.valeur === null ? "secret statistique" : undefined}
                  >
                    {c?.valeur === null || c === undefined ? "s" : nombre(c.valeur)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="discret">s : secret statistique.</p>
      <p className="source">{d.mentionSource}</p>
    </section>
  );
}

/** The double sigle and the « Usage interne » stamp the convention asks for, as on every export. */
function Tampons({ d }: { d: Diffusion }) {
  if (!d.usageInterne && !d.doubleSigle) return null;
  return (
    <div className="tampons">
      {d.doubleSigle && <p className="double-sigle">Étude {d.doubleSigle}</p>}
      {d.usageInterne && (
        <p className="usage-interne" role="note" aria-label="Usage interne">
          {d.usageInterne}
        </p>
      )}
    </div>
  );
}
