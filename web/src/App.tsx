import { useCallback, useEffect, useState } from "react";
import { ApiError, api, type Moi } from "./api";
import { Accueil } from "./pages/Accueil";
import { Connexion } from "./pages/Connexion";
import { TerritoirePage } from "./pages/Territoire";
import { navigate, usePath } from "./router";

export function App() {
  const path = usePath();
  const [moi, setMoi] = useState<Moi | null | undefined>(undefined);
  const [demo, setDemo] = useState(false);

  useEffect(() => {
    api.sante().then(
      (s) => setDemo(s.demo),
      () => undefined,
    );
    api.moi().then(setMoi, (e) => (e instanceof ApiError && e.status === 401 ? setMoi(null) : setMoi(null)));
  }, []);

  const deconnecter = useCallback(async () => {
    await api.deconnexion();
    setMoi(null);
    navigate("/connexion");
  }, []);

  if (moi === undefined) return <p className="chargement">Chargement…</p>;
  if (moi === null)
    return (
      <Connexion
        demo={demo}
        onConnecte={(m) => {
          setMoi(m);
          if (path === "/connexion" || path === "/") navigate("/");
        }}
      />
    );

  const territoire = /^\/territoires\/(commune|epci|departement)\/([0-9AB]+)$/.exec(path);
  return (
    <div className="app">
      <header className="entete">
        <a
          className="marque"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate("/");
          }}
        >
          Socle
        </a>
        <span className="sous-titre">Observation sociale partagée</span>
        <span className="utilisateur">
          {moi.nom}
          {moi.organisations[0]
            ? ` — ${moi.organisations[0].nom}`
            : moi.administrateurPlateforme
              ? " — administration"
              : ""}
          <button type="button" onClick={deconnecter}>
            Se déconnecter
          </button>
        </span>
      </header>
      {demo && (
        <div className="bandeau-demo" role="note">
          Mode démonstration : le territoire « Val de Socle » et ses chiffres sont fictifs.
        </div>
      )}
      <main>{territoire ? <TerritoirePage type={territoire[1]!} code={territoire[2]!} /> : <Accueil />}</main>
    </div>
  );
}
