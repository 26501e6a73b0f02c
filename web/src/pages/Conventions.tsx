import { useEffect, useState } from "react";
import { api, type ConventionResume, dateFr, type Moi } from "../api";
import { Lien } from "../components/Lien";
import { BadgeStatut } from "../components/Statut";

export function ConventionsPage({ moi }: { moi: Moi }) {
  const [liste, setListe] = useState<ConventionResume[] | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);

  useEffect(() => {
    api.conventions().then(setListe, (e) => setErreur(e.message));
  }, []);

  const peutCreer =
    moi.administrateurPlateforme ||
    moi.organisations.some((o) => o.role === "admin" || o.role === "referent");
  const alertes = (liste ?? []).flatMap((c) => c.alertes.map((a) => ({ ...a, convention: c })));

  return (
    <section>
      <div className="titre-actions">
        <h1>Conventions</h1>
        {peutCreer && (
          <Lien href="/conventions/nouvelle" className="bouton">
            Nouvelle convention
          </Lien>
        )}
      </div>
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      {alertes.length > 0 && (
        <section className="alertes" aria-label="Alertes">
          <h2>Alertes</h2>
          <ul>
            {alertes.map((a) => (
              <li key={`${a.convention.id}-${a.kind}-${a.date}`} className={`alerte alerte-${a.kind}`}>
                <strong>{a.convention.titre}</strong> — {a.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      {liste === null ? (
        <p className="chargement">Chargement…</p>
      ) : liste.length === 0 ? (
        <p>Votre organisation n'est partie à aucune convention.</p>
      ) : (
        <table className="liste-conventions">
          <thead>
            <tr>
              <th>Convention</th>
              <th>Statut</th>
              <th>Votre rôle</th>
              <th>Reconduction</th>
              <th>Fin prévue</th>
              <th>Alertes</th>
            </tr>
          </thead>
          <tbody>
            {liste.map((c) => (
              <tr key={c.id}>
                <td>
                  <Lien href={`/conventions/${c.id}`}>{c.titre}</Lien>
                </td>
                <td>
                  <BadgeStatut statut={c.statut} libelle={c.statutLibelle} />
                </td>
                <td>{c.mesRoles.join(", ") || "—"}</td>
                <td>{dateFr(c.prochaineReconduction)}</td>
                <td>{dateFr(c.finPrevue)}</td>
                <td className="nombre">{c.alertes.length || ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
