import { useEffect, useMemo, useState } from "react";
import { decimalsFor, formatValue } from "../../../src/core/observatory/classes";
import {
  filterRows,
  formatGap,
  gap,
  type Row,
  type SortKey,
  sortRows,
} from "../../../src/core/observatory/comparison";
import {
  type CatalogueReponse,
  indicateursApi,
  NIVEAU_FR,
  type Niveau,
  STATUT_FR,
  type ValeursReponse,
} from "../api-indicateurs";
import { Champ } from "../components/Champ";
import { Lien } from "../components/Lien";
import { ValeurCellule } from "../components/ValeurCellule";
import { ficheDe } from "./CarteIndicateur";

const ORDRE_NIVEAUX = ["iris", "commune", "epci", "departement", "zone", "france"];

/** The references the territories of a table share, highest level first (France, département…). */
export function referencesCommunes(d: ValeursReponse) {
  const m = new Map<string, { cle: string; niveau: string; code: string; nom: string; n: number }>();
  for (const v of d.valeurs)
    for (const r of v.references) {
      const cle = `${r.niveau}:${r.code}`;
      const e = m.get(cle) ?? { cle, niveau: r.niveau, code: r.code, nom: r.nom, n: 0 };
      e.n++;
      m.set(cle, e);
    }
  return [...m.values()].sort(
    (a, b) => b.n - a.n || ORDRE_NIVEAUX.indexOf(a.niveau) - ORDRE_NIVEAUX.indexOf(b.niveau),
  );
}

const COLONNES: { cle: SortKey; libelle: string; nombre?: boolean }[] = [
  { cle: "code", libelle: "Code" },
  { cle: "nom", libelle: "Territoire" },
  { cle: "valeur", libelle: "Valeur", nombre: true },
  { cle: "ecart", libelle: "Écart à la référence", nombre: true },
];

/** A sortable, filterable table of every territory of a level, with the gap to a reference. */
export function ComparaisonPage() {
  const init = useMemo(() => new URLSearchParams(window.location.search), []);
  const [catalogue, setCatalogue] = useState<CatalogueReponse | null>(null);
  const [id, setId] = useState<string | null>(init.get("indicateur"));
  const [niveau, setNiveau] = useState<Niveau>((init.get("niveau") as Niveau | null) ?? "commune");
  const [millesime, setMillesime] = useState<number | null>(
    init.get("millesime") ? Number(init.get("millesime")) : null,
  );
  const [donnees, setDonnees] = useState<ValeursReponse | null>(null);
  const [reference, setReference] = useState<string | null>(null);
  const [filtre, setFiltre] = useState("");
  const [tri, setTri] = useState<{ cle: SortKey; desc: boolean }>({ cle: "valeur", desc: true });
  const [erreur, setErreur] = useState<string | null>(null);

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
    setErreur(null);
    indicateursApi.valeurs(id, niveauEffectif, millesime).then(
      (d) => actuel && setDonnees(d),
      (e) => actuel && setErreur(e.message),
    );
    return () => {
      actuel = false;
    };
  }, [id, niveauEffectif, millesime]);

  const refs = useMemo(() => (donnees ? referencesCommunes(donnees) : []), [donnees]);
  const ref = refs.find((r) => r.cle === reference) ?? refs[0] ?? null;
  const unite = donnees?.indicateur.unite ?? "";
  const lignes = useMemo(() => {
    const rows: (Row & { refValeur: number | null })[] = (donnees?.valeurs ?? []).map((v) => {
      const rv = ref ? (v.references.find((r) => `${r.niveau}:${r.code}` === ref.cle) ?? null) : null;
      const refValeur = rv?.valeur ?? null;
      return {
        code: v.code,
        nom: v.nom,
        valeur: v.valeur,
        statut: v.statut,
        ecart: gap(v.valeur, refValeur),
        refValeur,
      };
    });
    return sortRows(filterRows(rows, filtre), tri.cle, tri.desc);
  }, [donnees, ref, filtre, tri]);
  const refValeur = lignes.find((l) => l.refValeur !== null)?.refValeur ?? null;
  const decimales = Math.max(
    1,
    decimalsFor(
      lignes.flatMap((l) => (l.valeur !== null ? [l.valeur] : [0])),
      unite,
    ),
  );

  if (erreur && !catalogue)
    return (
      <p className="erreur" role="alert">
        {erreur}
      </p>
    );
  if (!catalogue) return <p className="chargement">Chargement du catalogue…</p>;
  const themes = [...new Set(catalogue.indicateurs.map((i) => i.theme))];

  return (
    <section className="comparaison">
      <h1>Comparer les territoires</h1>
      <form className="reglages" onSubmit={(e) => e.preventDefault()} aria-label="Réglages du tableau">
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
        <Champ libelle="Référence">
          <select value={ref?.cle ?? ""} onChange={(e) => setReference(e.target.value)}>
            {refs.length === 0 && <option value="">aucune</option>}
            {refs.map((r) => (
              <option key={r.cle} value={r.cle}>
                {r.nom} ({NIVEAU_FR[r.niveau] ?? r.niveau})
              </option>
            ))}
          </select>
        </Champ>
        <Champ libelle="Filtrer" aide="Nom ou code ; accents et tirets indifférents.">
          <input
            type="search"
            value={filtre}
            onChange={(e) => setFiltre(e.target.value)}
            autoComplete="off"
          />
        </Champ>
      </form>
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      <p role="status">
        {donnees
          ? `${lignes.length} territoire${lignes.length > 1 ? "s" : ""}${donnees.millesime ? `, millésime ${donnees.millesime}` : ""}${
              ref && refValeur !== null ? ` ; ${ref.nom} : ${formatValue(refValeur, unite, decimales)}` : ""
            }.`
          : "Chargement…"}
      </p>
      <div className="defilement">
        <table className="table-comparaison">
          <caption>
            {indicateur?.libelle} — {NIVEAU_FR[niveauEffectif]}
          </caption>
          <thead>
            <tr>
              {COLONNES.map((c) => (
                <th
                  key={c.cle}
                  scope="col"
                  aria-sort={tri.cle === c.cle ? (tri.desc ? "descending" : "ascending") : "none"}
                  className={c.nombre ? "nombre" : undefined}
                >
                  <button
                    type="button"
                    className="tri"
                    onClick={() =>
                      setTri((t) => ({ cle: c.cle, desc: t.cle === c.cle ? !t.desc : c.nombre === true }))
                    }
                  >
                    {c.libelle}
                    <span aria-hidden="true">{tri.cle === c.cle ? (tri.desc ? " ▼" : " ▲") : " ↕"}</span>
                  </button>
                </th>
              ))}
              <th scope="col">Statut</th>
            </tr>
          </thead>
          <tbody>
            {lignes.map((l) => {
              const fiche = ficheDe(niveauEffectif, l.code);
              return (
                <tr key={l.code}>
                  <td>{l.code}</td>
                  <td>{fiche ? <Lien href={fiche}>{l.nom}</Lien> : l.nom}</td>
                  <td className="nombre">
                    <ValeurCellule
                      valeur={l.valeur}
                      statut={l.statut}
                      texte={(n) => formatValue(n, unite, decimales)}
                    />
                  </td>
                  <td className="nombre">{formatGap(l.ecart, unite, decimales)}</td>
                  <td>{STATUT_FR[l.statut] ?? l.statut}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {donnees && donnees.sources.length > 0 && <p className="source">{donnees.sources.join(" ; ")}</p>}
    </section>
  );
}
