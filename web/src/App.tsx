import { lazy, type ReactNode, Suspense, useCallback, useEffect, useState } from "react";
import { ApiError, api, type Moi } from "./api";
import { taches } from "./api-parties";
import { Lien } from "./components/Lien";
import { Accueil } from "./pages/Accueil";
import { Connexion } from "./pages/Connexion";
import { DeclarationAccessibilite } from "./pages/DeclarationAccessibilite";
import { navigate, usePath } from "./router";
import { useTitreEtFocus } from "./shell/titre";

// Pages with maps, charts or long forms load on demand: the login page and
// the shell carry no MapLibre code (checked by test/browser/accessibilite.test.ts).
const TerritoirePage = lazy(() => import("./pages/Territoire").then((m) => ({ default: m.TerritoirePage })));
const DiffusionPage = lazy(() => import("./pages/Diffusion").then((m) => ({ default: m.DiffusionPage })));
const ConventionPage = lazy(() => import("./pages/Convention").then((m) => ({ default: m.ConventionPage })));
const ConventionNouvelle = lazy(() =>
  import("./pages/ConventionNouvelle").then((m) => ({ default: m.ConventionNouvelle })),
);
const ConventionsPage = lazy(() =>
  import("./pages/Conventions").then((m) => ({ default: m.ConventionsPage })),
);
const FedListe = lazy(() => import("./pages/Fed").then((m) => ({ default: m.FedListe })));
const FedNouvelle = lazy(() => import("./pages/Fed").then((m) => ({ default: m.FedNouvelle })));
const FedPage = lazy(() => import("./pages/Fed").then((m) => ({ default: m.FedPage })));
const CarteIndicateurPage = lazy(() =>
  import("./pages/CarteIndicateur").then((m) => ({ default: m.CarteIndicateurPage })),
);
const ComparaisonPage = lazy(() =>
  import("./pages/Comparaison").then((m) => ({ default: m.ComparaisonPage })),
);
const AdministrationPage = lazy(() =>
  import("./pages/Administration").then((m) => ({ default: m.AdministrationPage })),
);
const ZonesPage = lazy(() => import("./pages/ZoneEditeur").then((m) => ({ default: m.ZonesPage })));
const TachesPage = lazy(() => import("./pages/Taches").then((m) => ({ default: m.TachesPage })));
const PortraitPage = lazy(() => import("./pages/Portrait").then((m) => ({ default: m.PortraitPage })));

const contenu = () => document.getElementById("contenu");

function Pied() {
  return (
    <footer className="pied">
      <span>Socle — logiciel libre d'observation sociale partagée (EUPL 1.2)</span>
      <Lien href="/accessibilite">Déclaration d'accessibilité</Lien>
    </footer>
  );
}

function page(path: string, moi: Moi) {
  const territoire = /^\/territoires\/(commune|epci|departement|iris)\/([0-9AB]+)$/.exec(path);
  const portrait = /^\/territoires\/(commune|epci|departement|iris)\/([0-9AB]+)\/portrait$/.exec(path);
  const fedNouvelle = /^\/conventions\/([a-z0-9-]+)\/fed\/nouvelle$/.exec(path);
  const convention = /^\/conventions\/([a-z0-9-]+)$/.exec(path);
  const fed = /^\/fed\/([0-9a-f-]{36})$/.exec(path);
  const diffusion = /^\/diffusions\/([0-9a-f-]{36})$/.exec(path);
  if (territoire) return <TerritoirePage type={territoire[1]!} code={territoire[2]!} />;
  if (portrait) return <PortraitPage key={path} type={portrait[1]!} code={portrait[2]!} />;
  if (path === "/indicateurs") return <CarteIndicateurPage />;
  if (path === "/comparaison") return <ComparaisonPage />;
  if (path === "/conventions") return <ConventionsPage moi={moi} />;
  if (path === "/conventions/nouvelle") return <ConventionNouvelle moi={moi} />;
  if (fedNouvelle) return <FedNouvelle conventionId={fedNouvelle[1]!} />;
  if (convention) return <ConventionPage key={convention[1]} id={convention[1]!} />;
  if (path === "/administration") return <AdministrationPage moi={moi} />;
  if (path === "/administration/zones") return <ZonesPage moi={moi} />;
  if (path === "/taches") return <TachesPage key={path} />;
  if (path === "/fed") return <FedListe />;
  if (fed) return <FedPage key={fed[1]} id={fed[1]!} />;
  if (diffusion) return <DiffusionPage key={diffusion[1]} id={diffusion[1]!} />;
  return <Accueil />;
}

function section(path: string): string {
  if (path.startsWith("/conventions") || path.startsWith("/diffusions")) return "conventions";
  if (path.startsWith("/fed")) return "fed";
  if (path.startsWith("/indicateurs")) return "indicateurs";
  if (path.startsWith("/comparaison")) return "comparaison";
  if (path === "/taches") return "taches";
  if (path.startsWith("/administration")) return "administration";
  return "territoires";
}

export function App() {
  const path = usePath();
  const [moi, setMoi] = useState<Moi | null | undefined>(undefined);
  const [demo, setDemo] = useState(false);
  useTitreEtFocus(path, contenu);

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

  const sec = section(path);
  const courant = (s: string) => (sec === s ? { current: true } : {});
  let corps: ReactNode;
  if (path === "/accessibilite") corps = <DeclarationAccessibilite />;
  else if (moi === undefined) corps = <p className="chargement">Chargement…</p>;
  else if (moi === null)
    corps = (
      <Connexion
        demo={demo}
        onConnecte={(m) => {
          setMoi(m);
          if (path === "/connexion" || path === "/") navigate("/");
        }}
      />
    );
  else
    corps = (
      <Suspense key={path} fallback={<p className="chargement">Chargement…</p>}>
        {page(path, moi)}
      </Suspense>
    );

  return (
    <div className="app">
      <a className="lien-evitement" href="#contenu">
        Aller au contenu
      </a>
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
        {moi && (
          <>
            <nav className="nav" aria-label="Navigation principale">
              <Lien href="/" {...courant("territoires")}>
                Territoires
              </Lien>
              <Lien href="/indicateurs" {...courant("indicateurs")}>
                Cartes
              </Lien>
              <Lien href="/comparaison" {...courant("comparaison")}>
                Comparaisons
              </Lien>
              <Lien href="/conventions" {...courant("conventions")}>
                Conventions
              </Lien>
              <Lien href="/fed" {...courant("fed")}>
                Demandes FED
              </Lien>
              <Lien href="/taches" {...courant("taches")}>
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
                <Lien href="/administration" {...courant("administration")}>
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
          </>
        )}
      </header>
      {demo && (
        <div className="bandeau-demo" role="note">
          Mode démonstration : le territoire « Val de Socle » et ses chiffres sont fictifs.
        </div>
      )}
      <main id="contenu" tabIndex={-1}>
        {corps}
      </main>
      <Pied />
    </div>
  );
}
