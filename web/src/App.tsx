import { useCallback, useEffect, useState } from "react";
import { ApiError, api, type Moi } from "./api";
import { taches } from "./api-parties";
import { Lien } from "./components/Lien";
import { Accueil } from "./pages/Accueil";
import { AdministrationPage } from "./pages/Administration";
import { Connexion } from "./pages/Connexion";
import { ConventionPage } from "./pages/Convention";
import { ConventionNouvelle } from "./pages/ConventionNouvelle";
import { ConventionsPage } from "./pages/Conventions";
import { DiffusionPage } from "./pages/Diffusion";
import { FedListe, FedNouvelle, FedPage } from "./pages/Fed";
import { TachesPage } from "./pages/Taches";
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

  // The menu counter follows the user's moves (tasks get done on other pages).
  const [nbTaches, setNbTaches] = useState<number | null>(null);
  useEffect(() => {
    if (!moi) return;
    void path;
    taches().then(
      (t) => setNbTaches(t.total),
      () => setNbTaches(null),
    );
  }, [moi, path]);

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
  const fedNouvelle = /^\/conventions\/([a-z0-9-]+)\/fed\/nouvelle$/.exec(path);
  const convention = /^\/conventions\/([a-z0-9-]+)$/.exec(path);
  const fed = /^\/fed\/([0-9a-f-]{36})$/.exec(path);
  const diffusion = /^\/diffusions\/([0-9a-f-]{36})$/.exec(path);
  const page = territoire ? (
    <TerritoirePage type={territoire[1]!} code={territoire[2]!} />
  ) : path === "/conventions" ? (
    <ConventionsPage moi={moi} />
  ) : path === "/conventions/nouvelle" ? (
    <ConventionNouvelle moi={moi} />
  ) : fedNouvelle ? (
    <FedNouvelle conventionId={fedNouvelle[1]!} />
  ) : convention ? (
    <ConventionPage key={convention[1]} id={convention[1]!} />
  ) : path === "/administration" ? (
    <AdministrationPage moi={moi} />
  ) : path === "/taches" ? (
    <TachesPage key={path} />
  ) : path === "/fed" ? (
    <FedListe />
  ) : fed ? (
    <FedPage key={fed[1]} id={fed[1]!} />
  ) : diffusion ? (
    <DiffusionPage key={diffusion[1]} id={diffusion[1]!} />
  ) : (
    <Accueil />
  );
  const section =
    path.startsWith("/conventions") || path.startsWith("/diffusions")
      ? "conventions"
      : path.startsWith("/fed")
        ? "fed"
        : path === "/taches"
          ? "taches"
          : path === "/administration"
            ? "administration"
            : "territoires";
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
        <nav className="nav" aria-label="Navigation principale">
          <Lien href="/" {...(section === "territoires" ? { current: true } : {})}>
            Territoires
          </Lien>
          <Lien href="/conventions" {...(section === "conventions" ? { current: true } : {})}>
            Conventions
          </Lien>
          <Lien href="/fed" {...(section === "fed" ? { current: true } : {})}>
            Demandes FED
          </Lien>
          <Lien href="/taches" {...(section === "taches" ? { current: true } : {})}>
            Mes tâches
            {nbTaches !== null && nbTaches > 0 && (
              <span className="compteur">
                {nbTaches}
                <span className="visuellement-cache"> tâche{nbTaches > 1 ? "s" : ""} en attente</span>
              </span>
            )}
          </Lien>
          {(moi.administrateurPlateforme ||
            moi.organisations.some((o) => o.role === "admin" || o.role === "referent")) && (
            <Lien href="/administration" {...(section === "administration" ? { current: true } : {})}>
              Administration
            </Lien>
          )}
        </nav>
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
      <main>{page}</main>
    </div>
  );
}
