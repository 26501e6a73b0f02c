import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { Convention } from "../../../src/core/convention/model";
import {
  api,
  type ConventionDetail,
  type DiffusionResume,
  dateFr,
  type Evenement,
  type Fed,
  type Jeu,
  type Restitution,
} from "../api";
import { DepotPanel } from "../components/Depot";
import { Lien } from "../components/Lien";
import { BadgeStatut } from "../components/Statut";
import { Gestion } from "./ConventionGestion";
import { Anomalies, SeancesRestitution } from "./Echanges";

const EVENEMENT_FR: Record<string, string> = {
  creation: "Enregistrement de la convention",
  avenant: "Avenant",
  preavis: "Préavis",
  publication: "Publication de l'étude",
  fed_demande: "Demande FED déposée",
  fed_reponse: "Réponse à une demande FED",
  destruction: "Destruction d'un jeu de données",
  restitution: "Restitution de l'étude",
  accord_diffusion: "Accord de diffusion externe d'une diffusion",
  acceptation: "Acceptation par une partie",
  referents: "Changement de référents (annexe 2)",
  donnees_ciblees: "Données ciblées définies par une réponse FED",
  seance_restitution: "Séance de restitution",
};

const NIVEAU_FR: Record<string, string> = {
  iris: "IRIS",
  commune: "commune",
  epci: "EPCI",
  departement: "département",
  zone: "zones",
};

/** A party's services in words: per output kind where the convention says so. */
function servicesEnMots(p: Convention["parties"][number] | undefined): string {
  const parts = [
    p?.servicesAutorises?.length ? p.servicesAutorises.join(", ") : null,
    p?.servicesParSortie?.carte?.length ? `couche : ${p.servicesParSortie.carte.join(", ")}` : null,
    p?.servicesParSortie?.tableau?.length ? `tableau : ${p.servicesParSortie.tableau.join(", ")}` : null,
  ].filter((x): x is string => x !== null);
  return parts.length > 0 ? parts.join(" ; ") : "tous";
}

function duree(c: Convention): string {
  if (c.duree.kind === "tacite") return `${c.duree.periodeMois} mois, reconduction tacite`;
  if (c.duree.kind === "echeance") return `jusqu'au ${dateFr(c.duree.fin)}`;
  return "jusqu'à la publication de l'étude";
}

function resiliation(c: Convention): string {
  const r = c.resiliation;
  const base =
    r.ordinaire === false
      ? "pas de résiliation ordinaire"
      : r.mode === "a_echeance"
        ? `préavis de ${r.preavisMois} mois avant l'échéance`
        : `à tout moment, préavis de ${r.preavisMois} mois`;
  return r.preavisFauteMois !== undefined
    ? `${base} ; manquement : ${r.preavisFauteMois === 0 ? "sans préavis" : `${r.preavisFauteMois} mois`}`
    : base;
}

function detailEvenement(e: Evenement): string {
  const d = e.detail;
  if (e.kind === "fed_reponse")
    return `avis ${d.avis === "favorable" ? "favorable" : "défavorable"}${d.motif ? ` — motif : ${String(d.motif)}` : ""}`;
  if (e.kind === "preavis")
    return `donné le ${dateFr(String(d.donneLe))} (${d.motif === "faute" ? "manquement" : "ordinaire"})`;
  if (e.kind === "avenant") return String(d.objet ?? "");
  if (e.kind === "destruction")
    return `${String(d.titre ?? "")} — empreinte ${String(d.empreinte ?? "").slice(0, 16)}…`;
  if (e.kind === "restitution") return String(d.titre ?? "");
  if (e.kind === "publication") return dateFr(String(d.publieeLe));
  if (e.kind === "seance_restitution") return `tenue le ${dateFr(String(d.tenueLe))}`;
  return "";
}

export function ConventionPage({ id }: { id: string }) {
  const [c, setC] = useState<ConventionDetail | null>(null);
  const [historique, setHistorique] = useState<Evenement[]>([]);
  const [jeux, setJeux] = useState<Jeu[]>([]);
  const [feds, setFeds] = useState<Fed[]>([]);
  const [restitutions, setRestitutions] = useState<Restitution[]>([]);
  const [diffusions, setDiffusions] = useState<DiffusionResume[]>([]);
  const [erreur, setErreur] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const charger = useCallback(async () => {
    try {
      const conv = await api.convention(id);
      setC(conv);
      const [h, j, f, r] = await Promise.all([
        api.historique(id),
        api.jeux(id),
        api.feds(),
        api.restitutions(id),
      ]);
      setHistorique(h);
      setJeux(j);
      setFeds(f.filter((x) => x.conventionId === id));
      setRestitutions(r);
      if (conv.permis.voir_sorties_protegees) setDiffusions(await api.diffusions(id));
    } catch (e) {
      setErreur(e instanceof Error ? e.message : "Chargement impossible.");
    }
  }, [id]);

  useEffect(() => {
    void charger();
  }, [charger]);

  async function agir(action: () => Promise<unknown>, succes: string) {
    setErreur(null);
    setMessage(null);
    try {
      await action();
      setMessage(succes);
      await charger();
    } catch (e) {
      setErreur(e instanceof Error ? e.message : "Action impossible.");
    }
  }

  if (!c)
    return erreur ? (
      <p className="erreur" role="alert">
        {erreur}
      </p>
    ) : (
      <p className="chargement">Chargement…</p>
    );
  const d = c.versionEnVigueur;
  const nomPartie = (pid: string) => d.parties.find((p) => p.id === pid)?.nom ?? pid;

  return (
    <section className="fiche">
      <p>
        <Lien href="/conventions">← Conventions</Lien>
      </p>
      <h1>
        {c.titre} <BadgeStatut statut={c.statut} libelle={c.statutLibelle} />
      </h1>
      <p className="discret">
        {d.objet}
        {c.mesRoles.length > 0 && ` — votre organisation : ${c.mesRoles.join(", ")}`}
      </p>
      {message && (
        <p className="succes" role="status">
          {message}
        </p>
      )}
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      {c.alertes.length > 0 && (
        <section className="alertes" aria-label="Alertes">
          <h2>Alertes</h2>
          <ul>
            {c.alertes.map((a) => (
              <li key={`${a.kind}-${a.date}`}>{a.message}</li>
            ))}
          </ul>
        </section>
      )}

      <div className="grille">
        <section>
          <h2>Dates</h2>
          <dl>
            <dt>Signée le</dt>
            <dd>{dateFr(d.signeeLe)}</dd>
            <dt>En vigueur le</dt>
            <dd>{dateFr(d.effetLe)}</dd>
            <dt>Durée</dt>
            <dd>{duree(d)}</dd>
            <dt>Résiliation</dt>
            <dd>{resiliation(d)}</dd>
            {c.prochaineReconduction && (
              <>
                <dt>Prochaine reconduction</dt>
                <dd>{dateFr(c.prochaineReconduction)}</dd>
                <dt>Dernier jour pour dénoncer</dt>
                <dd>{dateFr(c.dernierJourPreavis)}</dd>
              </>
            )}
            <dt>Fin prévue</dt>
            <dd>{dateFr(c.finPrevue)}</dd>
            {d.publieeLe && (
              <>
                <dt>Étude publiée le</dt>
                <dd>{dateFr(d.publieeLe)}</dd>
              </>
            )}
          </dl>
        </section>
        <section>
          <h2>Règles</h2>
          <dl>
            <dt>Secret statistique</dt>
            <dd>
              seuil {d.secret.seuil}
              {d.secret.zoneMinimum !== undefined &&
                ` ; zones de moins de ${d.secret.zoneMinimum} ${d.secret.zoneUnite ?? "habitants"} non diffusées`}
              {d.secret.niveauRepli && ` (repli : ${NIVEAU_FR[d.secret.niveauRepli]})`}
              {d.secret.zerosSensibles ? " ; zéros sensibles" : ""}
            </dd>
            <dt>Source</dt>
            <dd>{d.mentionSource}</dd>
            <dt>Diffusion</dt>
            <dd>
              {d.diffusion.interneSeulement
                ? "usage interne seulement"
                : d.diffusion.accordPrealable
                  ? "externe après accord préalable du fournisseur"
                  : "libre"}
              {d.diffusion.doubleLogo ? " ; double logo" : ""}
            </dd>
            <dt>Obligations</dt>
            <dd>
              {[
                d.obligations.destructionFinEtude && "destruction des données en fin d'étude",
                d.obligations.copieEtude && "copie de l'étude aux fournisseurs",
                d.obligations.analyseConjointe && "analyse conjointe",
              ]
                .filter(Boolean)
                .join(" ; ") || "—"}
            </dd>
            <dt>Destruction des données par</dt>
            <dd>
              {(d.obligations.destructionPar ?? []).length > 0
                ? (d.obligations.destructionPar ?? []).map(nomPartie).join(", ")
                : "le prestataire et le fournisseur (par défaut)"}
              {d.obligations.diffusionsConservees === false
                ? " ; les diffusions sont détruites avec les données"
                : " ; les diffusions sont conservées"}
            </dd>
            {d.financement && (
              <>
                <dt>Financement</dt>
                <dd>
                  {d.financement.objet}
                  {d.financement.revueLe && ` (révision le ${dateFr(d.financement.revueLe)})`}
                </dd>
              </>
            )}
          </dl>
        </section>
      </div>

      {c.acceptationsAttendues.length > 0 && (
        <section className="alertes" aria-label="Signatures">
          <h2>Brouillon : acceptation attendue</h2>
          <p>
            Cette convention a été enregistrée par une autre partie. Elle n'engage ses parties qu'une fois
            acceptée par le référent de chacune : en attendant, ni demande FED, ni dépôt, ni avenant.
          </p>
          {c.permis.accepter_convention && (
            <button type="button" onClick={() => agir(() => api.accepter(c.id), "Convention acceptée.")}>
              Accepter la convention au nom de mon organisation
            </button>
          )}
        </section>
      )}

      <h2>Parties</h2>
      <table>
        <thead>
          <tr>
            <th>Partie</th>
            <th>Rôle</th>
            <th>Organisation dans Socle</th>
            <th>Services autorisés</th>
            <th>Acceptation</th>
          </tr>
        </thead>
        <tbody>
          {c.parties.map((p) => (
            <tr key={p.id}>
              <td>
                {p.nom}
                {c.traitement === p.id ? " (produit les diffusions)" : ""}
              </td>
              <td>{p.roles.join(", ")}</td>
              <td>{p.organisation ?? "—"}</td>
              <td>{servicesEnMots(d.parties.find((x) => x.id === p.id))}</td>
              <td>
                {p.acceptation === null
                  ? "a enregistré la convention"
                  : p.acceptation.accepteeLe
                    ? `acceptée le ${dateFr(p.acceptation.accepteeLe)}`
                    : "en attente"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Annexes (jeux de données)</h2>
      <table>
        <thead>
          <tr>
            <th>Jeu de données</th>
            <th>Fournisseur</th>
            <th>Nature</th>
            <th>Niveaux</th>
            <th>Observation</th>
            <th>Périodicité</th>
          </tr>
        </thead>
        <tbody>
          {d.jeux.map((j) => (
            <tr key={j.id}>
              <td>{j.titre}</td>
              <td>{nomPartie(j.fournisseur)}</td>
              <td>{j.kind === "individuel" ? "fichier individuel" : "tableau agrégé"}</td>
              <td>{j.niveaux.map((n) => NIVEAU_FR[n]).join(", ")}</td>
              <td>{j.dateObservation}</td>
              <td>
                {j.periodicite}
                {j.millesimes ? ` (${j.millesimes.de}–${j.millesimes.a})` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="titre-actions">
        <h2>Demandes de données (FED)</h2>
        {c.permis.demander_donnees && (
          <Lien href={`/conventions/${c.id}/fed/nouvelle`} className="bouton">
            Nouvelle demande FED
          </Lien>
        )}
      </div>
      {feds.length === 0 ? (
        <p className="discret">Aucune demande.</p>
      ) : (
        <ul>
          {feds.map((f) => (
            <li key={f.id}>
              <Lien href={`/fed/${f.id}`}>
                {f.feuille1.etude} — {f.demandeurNom} → {f.fournisseurNom}
              </Lien>{" "}
              <BadgeStatut statut={f.statut} libelle={f.statutLibelle} />
            </li>
          ))}
        </ul>
      )}

      <h2>Jeux de données collectés</h2>
      <JeuxTable jeux={jeux} permis={c.permis} agir={agir} />

      <h2>Diffusions</h2>
      {diffusions.length === 0 ? (
        <p className="discret">Aucune diffusion.</p>
      ) : (
        <ul className="diffusions">
          {diffusions.map((x) => (
            <li key={x.id}>
              <Lien href={`/diffusions/${x.id}`}>
                {x.jeu} — {x.annee}
              </Lien>{" "}
              <span className="discret">
                diffusée le {dateFr(x.diffuseLe)} ({x.zonage.replaceAll("+", ", ")})
              </span>
            </li>
          ))}
        </ul>
      )}

      <h2>Restitution de l'étude</h2>
      {restitutions.length === 0 ? (
        <p className="discret">Aucune étude restituée.</p>
      ) : (
        <ul>
          {restitutions.map((r) => (
            <li key={r.id}>
              {r.titre} ({r.nomFichier}), envoyée le {dateFr(r.deposeLe)} à{" "}
              {r.envois.map((e) => nomPartie(e.partie)).join(", ")}
              {c.permis.voir_sorties_protegees && (
                <>
                  {" "}
                  — <a href={`/api/restitutions/${r.id}/document`}>Télécharger l'étude</a>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {c.permis.restituer && (
        <Restituer
          onEnvoi={(titre, f) =>
            agir(() => api.restituer(c.id, titre, f), "Étude restituée aux fournisseurs.")
          }
        />
      )}

      {c.permis.voir_sorties_protegees && (
        <SeancesRestitution conventionId={c.id} peutEnregistrer={c.permis.restituer} agir={agir} />
      )}

      {c.permis.voir_sorties_protegees && (
        // A new deposit or release is a new target: the list is read again.
        <Anomalies
          key={`${diffusions.length}-${jeux.map((j) => j.depots).join(",")}`}
          conventionId={c.id}
          agir={agir}
        />
      )}

      {c.permis.gerer_convention && <Gestion c={c} agir={agir} />}

      <h2>Avenants</h2>
      {d.avenants.length === 0 ? (
        <p className="discret">Aucun avenant.</p>
      ) : (
        <ul>
          {d.avenants.map((a) => (
            <li key={a.numero}>
              Avenant n° {a.numero} — {a.objet} (signé le {dateFr(a.signeLe)}, effet le {dateFr(a.effetLe)})
            </li>
          ))}
        </ul>
      )}

      <h2>Historique</h2>
      <ol className="chronologie">
        {historique.map((e) => (
          <li key={`${e.at}-${e.kind}`}>
            <span className="discret">{new Date(e.at).toLocaleString("fr-FR")}</span> —{" "}
            {EVENEMENT_FR[e.kind] ?? e.kind} {detailEvenement(e) && <>: {detailEvenement(e)}</>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function JeuxTable({
  jeux,
  permis,
  agir,
}: {
  jeux: Jeu[];
  permis: ConventionDetail["permis"];
  agir: (a: () => Promise<unknown>, succes: string) => Promise<void>;
}) {
  const [aDetruire, setADetruire] = useState<string | null>(null);
  const [aDeposer, setADeposer] = useState<string | null>(null);
  /** The last deposit's rows without IRIS, downloadable (line, type, reason; no address). */
  const [sansIris, setSansIris] = useState<{ jeuId: string; depotId: string } | null>(null);

  const [confirmation, setConfirmation] = useState("");
  const [attestation, setAttestation] = useState<string | null>(null);
  if (jeux.length === 0)
    return <p className="discret">Aucun jeu de données : une réponse favorable à une FED en crée.</p>;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>Jeu de données</th>
            <th>Statut</th>
            <th>Dépôts</th>
            <th>Lignes</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {jeux.map((j) => (
            <tr key={j.id}>
              <td>{j.titre}</td>
              <td>
                <BadgeStatut statut={j.statut} libelle={j.statutLibelle} />
              </td>
              <td className="nombre">{j.depots}</td>
              <td className="nombre">{j.lignes}</td>
              <td>
                {j.statut !== "detruit" && permis.deposer && (
                  <button type="button" className="secondaire" onClick={() => setADeposer(j.id)}>
                    Déposer un fichier…
                  </button>
                )}
                {j.statut === "collecte" && permis.publier && (
                  <button
                    type="button"
                    className="secondaire"
                    onClick={() =>
                      void agir(
                        () => api.diffuser(j.id, new Date().getFullYear() - 1),
                        "Diffusion produite : secret statistique posé et audit réussi.",
                      )
                    }
                  >
                    Diffuser {new Date().getFullYear() - 1}
                  </button>
                )}
                {j.statut !== "detruit" && permis.detruire && (
                  <button type="button" className="danger" onClick={() => setADetruire(j.id)}>
                    Détruire…
                  </button>
                )}
                {j.statut === "detruit" && (
                  <button
                    type="button"
                    className="secondaire"
                    onClick={() =>
                      api
                        .attestation(j.id)
                        .then((a) =>
                          setAttestation(
                            a.texte +
                              (a.valide
                                ? "\n\nVérification : attestation valide, aucune donnée ne subsiste."
                                : `\n\nVérification ÉCHOUÉE : ${a.problemes.join(" ; ")}`),
                          ),
                        )
                    }
                  >
                    Attestation
                  </button>
                )}
                {j.statut === "detruit" && (
                  <>
                    {" "}
                    <a href={`/api/jeux/${j.id}/attestation/page`} target="_blank" rel="noreferrer">
                      Attestation imprimable
                    </a>{" "}
                    <a href={`/api/jeux/${j.id}/attestation/pdf`} download>
                      Attestation PDF
                    </a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sansIris && (
        <p>
          <a href={`/api/jeux/${sansIris.jeuId}/depots/${sansIris.depotId}/sans-iris`} download>
            Lignes sans IRIS de ce dépôt (CSV : numéro de ligne, type, raison ; aucune adresse)
          </a>
        </p>
      )}
      {aDeposer && (
        <DepotPanel
          key={aDeposer}
          jeuId={aDeposer}
          onFini={(message, r) => {
            setADeposer(null);
            setSansIris(r.depotId && r.sansIris ? { jeuId: aDeposer, depotId: r.depotId } : null);
            void agir(async () => undefined, message);
          }}
        />
      )}
      {aDetruire && (
        <form
          className="formulaire"
          aria-label="Confirmer la destruction"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void agir(
              () => api.detruire(aDetruire),
              "Jeu de données détruit ; l'attestation est disponible.",
            ).then(() => {
              setADetruire(null);
              setConfirmation("");
            });
          }}
        >
          <p>
            La destruction efface définitivement les microdonnées, les tableaux dérivés et les fichiers
            déposés de ce jeu de données. Tapez DÉTRUIRE pour confirmer.
          </p>
          <input
            aria-label="Confirmation"
            value={confirmation}
            onChange={(e) => setConfirmation(e.target.value)}
          />
          <div>
            <button type="submit" className="danger" disabled={confirmation !== "DÉTRUIRE"}>
              Détruire définitivement
            </button>{" "}
            <button type="button" className="secondaire" onClick={() => setADetruire(null)}>
              Annuler
            </button>
          </div>
        </form>
      )}
      {attestation && <pre className="attestation">{attestation}</pre>}
    </>
  );
}

function Restituer({ onEnvoi }: { onEnvoi: (titre: string, f: File) => Promise<void> }) {
  const [titre, setTitre] = useState("");
  const [fichier, setFichier] = useState<File | null>(null);
  return (
    <form
      className="formulaire"
      aria-label="Restituer l'étude"
      onSubmit={(e) => {
        e.preventDefault();
        if (fichier) void onEnvoi(titre, fichier);
      }}
    >
      <div className="ligne">
        <label>
          Titre de l'étude
          <input required value={titre} onChange={(e) => setTitre(e.target.value)} />
        </label>
        <label>
          Document
          <input type="file" required onChange={(e) => setFichier(e.target.files?.[0] ?? null)} />
        </label>
      </div>
      <div>
        <button type="submit">Envoyer l'étude aux fournisseurs</button>
      </div>
    </form>
  );
}
