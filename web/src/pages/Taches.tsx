/** « Mes tâches »: what the user's organisations have to do, across their conventions. */
import { useEffect, useState } from "react";
import { dateFr } from "../api";
import { type Taches, taches } from "../api-parties";
import { Lien } from "../components/Lien";

export function TachesPage() {
  const [t, setT] = useState<Taches | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);
  useEffect(() => {
    taches().then(setT, (e) => setErreur(e instanceof Error ? e.message : "Chargement impossible."));
  }, []);
  if (erreur)
    return (
      <p className="erreur" role="alert">
        {erreur}
      </p>
    );
  if (!t) return <p className="chargement">Chargement…</p>;
  const groupes = Object.entries(t.parType).filter(([, g]) => g.nombre > 0);
  return (
    <section className="fiche">
      <h1>Mes tâches</h1>
      {t.total === 0 ? (
        <p>Rien à faire pour l'instant.</p>
      ) : (
        groupes.map(([kind, g]) => (
          <section key={kind} aria-label={g.libelle}>
            <h2>
              {g.libelle} ({g.nombre})
            </h2>
            <ul>
              {t.taches
                .filter((x) => x.kind === kind)
                .map((x, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: two requests may read the same
                  <li key={`${x.lien}-${x.date}-${i}`}>
                    <Lien href={x.lien}>{x.libelle}</Lien>{" "}
                    <span className="discret">
                      {x.conventionTitre} — {dateFr(x.date)}
                    </span>
                  </li>
                ))}
            </ul>
          </section>
        ))
      )}
    </section>
  );
}
