import { type FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, api, type ConventionDetail, dateFr, type Fed } from "../api";
import { Lien } from "../components/Lien";
import { BadgeStatut } from "../components/Statut";
import { navigate } from "../router";

function messages(err: unknown): string[] {
  if (err instanceof ApiError && err.details.length > 1) return [...err.details];
  return [err instanceof Error ? err.message : "Action impossible."];
}

function Erreurs({ liste }: { liste: string[] }) {
  if (liste.length === 0) return null;
  return (
    <div className="erreur" role="alert">
      {liste.length === 1 ? (
        <p>{liste[0]}</p>
      ) : (
        <ul>
          {liste.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Inbox (requests received as provider) and outbox (requests sent). */
export function FedListe() {
  const [feds, setFeds] = useState<Fed[] | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);
  useEffect(() => {
    api.feds().then(setFeds, (e) => setErreur(e.message));
  }, []);
  const tableau = (titre: string, liste: Fed[]) => (
    <section aria-label={titre}>
      <h2>{titre}</h2>
      {liste.length === 0 ? (
        <p className="discret">Aucune demande.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Étude</th>
              <th>Convention</th>
              <th>Demandeur</th>
              <th>Fournisseur</th>
              <th>Demandée le</th>
              <th>Statut</th>
            </tr>
          </thead>
          <tbody>
            {liste.map((f) => (
              <tr key={f.id}>
                <td>
                  <Lien href={`/fed/${f.id}`}>{f.feuille1.etude}</Lien>
                </td>
                <td>{f.convention.titre}</td>
                <td>{f.demandeurNom}</td>
                <td>{f.fournisseurNom}</td>
                <td>{dateFr(f.demandeLe)}</td>
                <td>
                  <BadgeStatut statut={f.statut} libelle={f.statutLibelle} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
  return (
    <section>
      <h1>Demandes de données (FED)</h1>
      {erreur && <p className="erreur">{erreur}</p>}
      {feds === null ? (
        <p className="chargement">Chargement…</p>
      ) : (
        <>
          {tableau(
            "Demandes reçues",
            feds.filter((f) => f.sens === "recue"),
          )}
          {tableau(
            "Demandes envoyées",
            feds.filter((f) => f.sens !== "recue"),
          )}
        </>
      )}
    </section>
  );
}

const lignes = (s: string) =>
  s
    .split("\n")
    .map((x) => x.trim())
    .filter(Boolean);

/** Sheet 1: the request, filed under a convention. */
export function FedNouvelle({ conventionId }: { conventionId: string }) {
  const [c, setC] = useState<ConventionDetail | null>(null);
  const [fournisseur, setFournisseur] = useState("");
  const [referent, setReferent] = useState("");
  const [fonction, setFonction] = useState("");
  const [email, setEmail] = useState("");
  const [telephone, setTelephone] = useState("");
  const [service, setService] = useState("");
  const [chefService, setChefService] = useState("");
  const [etude, setEtude] = useState("");
  const [indicateurs, setIndicateurs] = useState("");
  const [delai, setDelai] = useState("");
  const [erreurs, setErreurs] = useState<string[]>([]);

  useEffect(() => {
    api.convention(conventionId).then(
      (x) => {
        setC(x);
        const f = x.document.parties.find((p) => p.parts.includes("fournisseur"));
        if (f) setFournisseur(f.id);
      },
      (e) => setErreurs([e.message]),
    );
  }, [conventionId]);

  async function soumettre(e: FormEvent) {
    e.preventDefault();
    setErreurs([]);
    try {
      const r = await api.demanderFed(conventionId, {
        fournisseur,
        referent: {
          nom: referent,
          ...(fonction ? { fonction } : {}),
          ...(email ? { email } : {}),
          ...(telephone ? { telephone } : {}),
        },
        service,
        chefService,
        etude,
        indicateurs: lignes(indicateurs),
        delaiSouhaite: delai,
      });
      navigate(`/fed/${r.id}`);
    } catch (err) {
      setErreurs(messages(err));
    }
  }

  return (
    <section>
      <p>
        <Lien href={`/conventions/${conventionId}`}>← {c?.titre ?? "Convention"}</Lien>
      </p>
      <h1>Fiche d'expression des besoins — feuille 1 (demande)</h1>
      <form className="formulaire" aria-label="Demande FED" onSubmit={soumettre}>
        <label>
          Organisme sollicité
          <select value={fournisseur} onChange={(e) => setFournisseur(e.target.value)}>
            {(c?.document.parties ?? [])
              .filter((p) => p.parts.includes("fournisseur"))
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.nom}
                </option>
              ))}
          </select>
        </label>
        <fieldset>
          <legend>Référent de la demande</legend>
          <div className="ligne">
            <label>
              Nom du référent
              <input value={referent} onChange={(e) => setReferent(e.target.value)} />
            </label>
            <label>
              Fonction
              <input value={fonction} onChange={(e) => setFonction(e.target.value)} />
            </label>
            <label>
              Courriel
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label>
              Téléphone
              <input value={telephone} onChange={(e) => setTelephone(e.target.value)} />
            </label>
          </div>
        </fieldset>
        <div className="ligne">
          <label>
            Service demandeur
            <input value={service} onChange={(e) => setService(e.target.value)} />
          </label>
          <label>
            Chef de service
            <input value={chefService} onChange={(e) => setChefService(e.target.value)} />
          </label>
        </div>
        <label>
          Étude envisagée
          <textarea rows={3} value={etude} onChange={(e) => setEtude(e.target.value)} />
        </label>
        <label>
          Indicateurs demandés (un par ligne)
          <textarea rows={4} value={indicateurs} onChange={(e) => setIndicateurs(e.target.value)} />
        </label>
        <label>
          Délai souhaité
          <input type="date" value={delai} onChange={(e) => setDelai(e.target.value)} />
        </label>
        <Erreurs liste={erreurs} />
        <div>
          <button type="submit">Envoyer la demande</button>
        </div>
      </form>
    </section>
  );
}

/** One request: both sheets, and the answer form for the provider. */
export function FedPage({ id }: { id: string }) {
  const [f, setF] = useState<Fed | null>(null);
  const [peutRepondre, setPeutRepondre] = useState(false);
  const [avis, setAvis] = useState<"favorable" | "defavorable">("favorable");
  const [motif, setMotif] = useState("");
  const [disponibles, setDisponibles] = useState("");
  const [delai, setDelai] = useState("");
  const [annexes, setAnnexes] = useState<string[]>([]);
  const [erreurs, setErreurs] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  const charger = useCallback(async () => {
    const x = await api.fed(id);
    setF(x);
    setAnnexes(x.annexesDuFournisseur.map((a) => a.id));
    setDisponibles(x.feuille1.indicateurs.join("\n"));
    const c = await api.convention(x.conventionId);
    setPeutRepondre(x.sens === "recue" && x.statut === "en_attente" && c.permis.repondre_fed);
  }, [id]);

  useEffect(() => {
    charger().catch((e) => setErreurs([e.message]));
  }, [charger]);

  async function repondre(e: FormEvent) {
    e.preventDefault();
    setErreurs([]);
    setMessage(null);
    try {
      const r = await api.repondreFed(id, {
        avis,
        ...(motif ? { motif } : {}),
        indicateursDisponibles: avis === "favorable" ? lignes(disponibles) : [],
        ...(avis === "favorable" && delai ? { delaiLivraison: delai } : {}),
        annexes: avis === "favorable" ? annexes : [],
      });
      setMessage(
        r.statut !== "favorable"
          ? "Avis défavorable enregistré."
          : r.jeux.length > 0
            ? `Avis favorable enregistré : ${r.jeux.length} jeu(x) de données à collecter.`
            : "Avis favorable enregistré : les annexes livrées sont déjà ouvertes par la convention.",
      );
      await charger();
    } catch (err) {
      setErreurs(messages(err));
    }
  }

  if (!f) return erreurs.length ? <Erreurs liste={erreurs} /> : <p className="chargement">Chargement…</p>;
  const s1 = f.feuille1;
  return (
    <section className="fiche">
      <p>
        <Lien href="/fed">← Demandes FED</Lien> ·{" "}
        <Lien href={`/conventions/${f.conventionId}`}>{f.convention.titre}</Lien>
      </p>
      <h1>
        FED : {s1.etude} <BadgeStatut statut={f.statut} libelle={f.statutLibelle} />
      </h1>
      <p>
        <a href={`/api/fed/${f.id}/formulaire`} target="_blank" rel="noreferrer">
          Imprimer le formulaire (feuilles 1 et 2)
        </a>
      </p>
      {message && (
        <p className="succes" role="status">
          {message}
        </p>
      )}
      <div className="grille">
        <section>
          <h2>Feuille 1 — Demande</h2>
          <dl>
            <dt>Demandeur</dt>
            <dd>{f.demandeurNom}</dd>
            <dt>Référent</dt>
            <dd>{[s1.referent.nom, s1.referent.fonction, s1.referent.email].filter(Boolean).join(" — ")}</dd>
            <dt>Service</dt>
            <dd>
              {s1.service} (chef de service : {s1.chefService})
            </dd>
            <dt>Indicateurs</dt>
            <dd>{s1.indicateurs.join(" ; ")}</dd>
            <dt>Délai souhaité</dt>
            <dd>{dateFr(s1.delaiSouhaite)}</dd>
            <dt>Sollicité</dt>
            <dd>{f.fournisseurNom}</dd>
          </dl>
        </section>
        <section>
          <h2>Feuille 2 — Réponse</h2>
          {f.feuille2 ? (
            <dl>
              <dt>Avis</dt>
              <dd>{f.feuille2.avis === "favorable" ? "Favorable" : "Défavorable"}</dd>
              {f.feuille2.motif && (
                <>
                  <dt>Motif</dt>
                  <dd>{f.feuille2.motif}</dd>
                </>
              )}
              <dt>Indicateurs disponibles</dt>
              <dd>{f.feuille2.indicateursDisponibles.join(" ; ") || "—"}</dd>
              <dt>Délai de livraison</dt>
              <dd>{dateFr(f.feuille2.delaiLivraison)}</dd>
              <dt>Répondu le</dt>
              <dd>{dateFr(f.reponduLe)}</dd>
            </dl>
          ) : (
            <p className="discret">En attente de la réponse de {f.fournisseurNom}.</p>
          )}
        </section>
      </div>

      {peutRepondre && (
        <form className="formulaire" aria-label="Réponse à la demande" onSubmit={repondre}>
          <h2>Répondre (feuille 2)</h2>
          <fieldset className="cases sans-cadre">
            <legend>Avis</legend>
            <label>
              <input
                type="radio"
                name="avis"
                checked={avis === "favorable"}
                onChange={() => setAvis("favorable")}
              />
              Favorable
            </label>
            <label>
              <input
                type="radio"
                name="avis"
                checked={avis === "defavorable"}
                onChange={() => setAvis("defavorable")}
              />
              Défavorable
            </label>
          </fieldset>
          <label>
            Motif {avis === "defavorable" ? "(obligatoire)" : "(facultatif)"}
            <textarea rows={2} value={motif} onChange={(e) => setMotif(e.target.value)} />
          </label>
          {avis === "favorable" && (
            <>
              <label>
                Indicateurs disponibles (un par ligne)
                <textarea rows={3} value={disponibles} onChange={(e) => setDisponibles(e.target.value)} />
              </label>
              <label>
                Délai de livraison
                <input type="date" value={delai} onChange={(e) => setDelai(e.target.value)} />
              </label>
              <fieldset className="cases sans-cadre">
                <legend>Jeux de données à livrer</legend>
                {f.annexesDuFournisseur.map((a) => (
                  <label key={a.id}>
                    <input
                      type="checkbox"
                      checked={annexes.includes(a.id)}
                      onChange={() =>
                        setAnnexes(
                          annexes.includes(a.id) ? annexes.filter((x) => x !== a.id) : [...annexes, a.id],
                        )
                      }
                    />
                    {a.titre}
                  </label>
                ))}
              </fieldset>
            </>
          )}
          <Erreurs liste={erreurs} />
          <div>
            <button type="submit">Enregistrer la réponse</button>
          </div>
        </form>
      )}
    </section>
  );
}
