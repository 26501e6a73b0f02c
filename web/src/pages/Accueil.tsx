import { useEffect, useState } from "react";
import { api, type Resultat } from "../api";
import { Champ } from "../components/Champ";
import { Lien } from "../components/Lien";

const GENRE: Record<string, string> = {
  commune: "commune",
  epci: "intercommunalité",
  departement: "département",
  iris: "IRIS",
};

type Etat =
  | { kind: "vide" }
  | { kind: "court" }
  | { kind: "attente" }
  | { kind: "trouve"; q: string; resultats: Resultat[] }
  | { kind: "erreur"; message: string };

export function Accueil() {
  const [q, setQ] = useState("");
  const [etat, setEtat] = useState<Etat>({ kind: "vide" });

  useEffect(() => {
    const texte = q.trim();
    if (texte.length === 0) return setEtat({ kind: "vide" });
    if (texte.length < 2) return setEtat({ kind: "court" });
    setEtat({ kind: "attente" });
    let actuel = true;
    const t = setTimeout(() => {
      api.chercher(texte).then(
        (resultats) => actuel && setEtat({ kind: "trouve", q: texte, resultats }),
        (e) => actuel && setEtat({ kind: "erreur", message: e.message }),
      );
    }, 200);
    return () => {
      actuel = false;
      clearTimeout(t);
    };
  }, [q]);

  return (
    <section className="accueil">
      <h1>Territoires</h1>
      <search className="recherche">
        <form onSubmit={(e) => e.preventDefault()}>
          <Champ
            libelle="Rechercher une commune, une intercommunalité ou un département"
            aide="Nom (accents, tirets et ordre des mots indifférents), code postal, code INSEE ou numéro de département."
            erreur={etat.kind === "erreur" ? etat.message : null}
          >
            <input
              type="search"
              value={q}
              placeholder="ex. saint aubin des pres, 76000, 62…"
              autoComplete="off"
              onChange={(e) => setQ(e.target.value)}
            />
          </Champ>
        </form>
      </search>
      <p className="statut-recherche" role="status">
        {etat.kind === "court"
          ? "Saisissez au moins 2 caractères."
          : etat.kind === "trouve"
            ? etat.resultats.length === 0
              ? `Aucun résultat pour « ${etat.q} ».`
              : `${etat.resultats.length} résultat${etat.resultats.length > 1 ? "s" : ""}.`
            : ""}
      </p>
      {etat.kind === "trouve" && etat.resultats.length > 0 && (
        <ul className="resultats" aria-label="Résultats de la recherche">
          {etat.resultats.map((r) => (
            <li key={`${r.kind}-${r.code}`}>
              <Lien href={`/territoires/${r.kind}/${r.code}`}>{r.nom}</Lien>{" "}
              <span className="discret">
                {GENRE[r.kind] ?? r.kind} {r.code}
                {r.detail ? ` · ${r.detail}` : ""}
                {typeof r.iris === "number" ? ` · ${r.iris} IRIS` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="discret">
        Accès direct : <Lien href="/territoires/epci/000000001">Agglomération fictive du Val de Socle</Lien>
      </p>
    </section>
  );
}
