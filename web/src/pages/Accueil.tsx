import { useEffect, useState } from "react";
import { api, type Resultat } from "../api";
import { navigate } from "../router";

export function Accueil() {
  const [q, setQ] = useState("");
  const [resultats, setResultats] = useState<Resultat[]>([]);
  const [erreur, setErreur] = useState<string | null>(null);

  useEffect(() => {
    if (q.trim().length < 2) {
      setResultats([]);
      return;
    }
    const t = setTimeout(() => {
      api.chercher(q.trim()).then(
        (r) => {
          setResultats(r);
          setErreur(null);
        },
        (e) => setErreur(e.message),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [q]);

  return (
    <section className="accueil">
      <h1>Territoires</h1>
      <label className="recherche">
        Rechercher une commune ou une intercommunalité
        <input
          type="search"
          value={q}
          placeholder="ex. Valsocle, Rouen, 76540…"
          onChange={(e) => setQ(e.target.value)}
        />
      </label>
      {erreur && <p className="erreur">{erreur}</p>}
      <ul className="resultats">
        {resultats.map((r) => (
          <li key={`${r.kind}-${r.code}`}>
            <a
              href={`/territoires/${r.kind}/${r.code}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/territoires/${r.kind}/${r.code}`);
              }}
            >
              {r.nom}
            </a>{" "}
            <span className="discret">
              {r.kind === "epci" ? "intercommunalité" : "commune"} {r.code} · {r.iris} IRIS
            </span>
          </li>
        ))}
      </ul>
      <p className="discret">
        Accès direct :{" "}
        <a
          href="/territoires/epci/000000001"
          onClick={(e) => {
            e.preventDefault();
            navigate("/territoires/epci/000000001");
          }}
        >
          Agglomération fictive du Val de Socle
        </a>
      </p>
    </section>
  );
}
