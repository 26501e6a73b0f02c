/**
 * The parties' exchanges on a convention page: anomalies reported to a
 * provider and their thread, the restituted study to download, the
 * restitution sessions.
 */
import { useCallback, useEffect, useState } from "react";
import { dateFr } from "../api";
import { type Anomalie, type CibleAnomalie, parseLignes, parties, type Seance } from "../api-parties";

type Agir = (action: () => Promise<unknown>, succes: string) => Promise<void>;

export function Anomalies({ conventionId, agir }: { conventionId: string; agir: Agir }) {
  const [liste, setListe] = useState<Anomalie[]>([]);
  const [cibles, setCibles] = useState<CibleAnomalie[]>([]);
  const charger = useCallback(async () => {
    const [a, c] = await Promise.all([parties.anomalies(conventionId), parties.cibles(conventionId)]);
    setListe(a);
    setCibles(c);
  }, [conventionId]);
  useEffect(() => {
    void charger().catch(() => undefined);
  }, [charger]);
  const agirPuisCharger: Agir = async (action, succes) => {
    await agir(action, succes);
    await charger().catch(() => undefined);
  };
  return (
    <section aria-labelledby="titre-anomalies">
      <h2 id="titre-anomalies">Anomalies signalées</h2>
      {liste.length === 0 ? (
        <p className="discret">Aucune anomalie signalée.</p>
      ) : (
        <ul className="anomalies">
          {liste.map((a) => (
            <li key={a.id}>
              <Fil a={a} agir={agirPuisCharger} />
            </li>
          ))}
        </ul>
      )}
      {cibles.length > 0 && <Signaler conventionId={conventionId} cibles={cibles} agir={agirPuisCharger} />}
    </section>
  );
}

function Fil({ a, agir }: { a: Anomalie; agir: Agir }) {
  const [texte, setTexte] = useState("");
  const ouverte = a.statut !== "close";
  return (
    <article aria-label={`Anomalie signalée le ${dateFr(a.creeLe)}`}>
      <p>
        <strong>{a.signaleParNom}</strong> → {a.fournisseurNom} · signalée le {dateFr(a.creeLe)} ·{" "}
        <span className={`badge statut-${a.statut}`}>{a.statutLibelle}</span>
      </p>
      {a.contenuEffaceLe && (
        <p className="discret">
          Données détruites le {dateFr(a.contenuEffaceLe)} : le fil est gardé, ses messages sont effacés.
        </p>
      )}
      <ol className="fil">
        {a.messages.map((m) => (
          <li key={`${m.ecritLe}-${m.partie}`}>
            <span className="discret">
              {m.partieNom}
              {m.auteur ? ` (${m.auteur})` : ""}, le {dateFr(m.ecritLe)}
              {m.lignes.length > 0 ? ` — lignes ${m.lignes.join(", ")}` : ""}
            </span>
            <p>{m.texte}</p>
          </li>
        ))}
      </ol>
      {ouverte && a.monCote && (
        <form
          className="formulaire"
          aria-label={a.monCote === "fournisseur" ? "Répondre à l'anomalie" : "Relancer le fournisseur"}
          onSubmit={(e) => {
            e.preventDefault();
            void agir(
              () => parties.repondre(a.id, { texte }),
              a.monCote === "fournisseur" ? "Réponse envoyée." : "Relance envoyée.",
            ).then(() => setTexte(""));
          }}
        >
          <label>
            {a.monCote === "fournisseur" ? "Votre réponse" : "Votre message"}
            <textarea required value={texte} onChange={(e) => setTexte(e.target.value)} rows={2} />
          </label>
          <div>
            <button type="submit">{a.monCote === "fournisseur" ? "Répondre" : "Relancer"}</button>{" "}
            <button
              type="button"
              className="secondaire"
              onClick={() => void agir(() => parties.clore(a.id), "Anomalie close.")}
            >
              Clore l'anomalie
            </button>
          </div>
          {a.monCote === "fournisseur" && (
            <p className="discret">
              Si l'anomalie est avérée, déposez le fichier corrigé en mode « correction » : il remplace les
              données du millésime.
            </p>
          )}
        </form>
      )}
    </article>
  );
}

function Signaler({
  conventionId,
  cibles,
  agir,
}: {
  conventionId: string;
  cibles: CibleAnomalie[];
  agir: Agir;
}) {
  const [cible, setCible] = useState(0);
  const [texte, setTexte] = useState("");
  const [lignes, setLignes] = useState("");
  const [erreur, setErreur] = useState<string | null>(null);
  const c = cibles[cible] ?? cibles[0]!;
  return (
    <form
      className="formulaire"
      aria-label="Signaler une anomalie"
      onSubmit={(e) => {
        e.preventDefault();
        const l = parseLignes(lignes);
        if (l === null) {
          setErreur("Lignes attendues : numéros séparés par des virgules, ou plages (12-14).");
          return;
        }
        setErreur(null);
        void agir(
          () => parties.signaler(conventionId, { cible: { type: c.type, id: c.id }, texte, lignes: l }),
          "Anomalie signalée au fournisseur.",
        ).then(() => {
          setTexte("");
          setLignes("");
        });
      }}
    >
      <h3>Signaler une anomalie au fournisseur</h3>
      <label>
        Données concernées
        <select value={cible} onChange={(e) => setCible(Number(e.target.value))}>
          {cibles.map((x, i) => (
            <option key={x.id} value={i}>
              {x.libelle}
            </option>
          ))}
        </select>
      </label>
      <label>
        Description de l'anomalie
        <textarea required value={texte} onChange={(e) => setTexte(e.target.value)} rows={3} />
      </label>
      {c.type === "depot" && (
        <label>
          Lignes du fichier (facultatif)
          <input value={lignes} onChange={(e) => setLignes(e.target.value)} placeholder="ex. 3, 12-14" />
        </label>
      )}
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      <div>
        <button type="submit">Signaler l'anomalie</button>
      </div>
    </form>
  );
}

export function SeancesRestitution({
  conventionId,
  peutEnregistrer,
  agir,
}: {
  conventionId: string;
  peutEnregistrer: boolean;
  agir: Agir;
}) {
  const [liste, setListe] = useState<Seance[]>([]);
  const [tenueLe, setTenueLe] = useState("");
  const [participants, setParticipants] = useState("");
  const [compteRendu, setCompteRendu] = useState("");
  const charger = useCallback(async () => setListe(await parties.seances(conventionId)), [conventionId]);
  useEffect(() => {
    void charger().catch(() => undefined);
  }, [charger]);
  return (
    <section aria-labelledby="titre-seances">
      <h3 id="titre-seances">Séances de restitution</h3>
      {liste.length === 0 ? (
        <p className="discret">Aucune séance enregistrée.</p>
      ) : (
        <ul>
          {liste.map((s) => (
            <li key={s.id}>
              Séance du {dateFr(s.tenueLe)} — {s.participants.join(", ")}
              {s.compteRendu && <p className="discret">{s.compteRendu}</p>}
            </li>
          ))}
        </ul>
      )}
      {peutEnregistrer && (
        <form
          className="formulaire"
          aria-label="Enregistrer une séance de restitution"
          onSubmit={(e) => {
            e.preventDefault();
            void agir(
              () =>
                parties.enregistrerSeance(conventionId, {
                  tenueLe,
                  participants: participants.split(/\n|;/).map((p) => p.trim()),
                  compteRendu,
                }),
              "Séance de restitution enregistrée.",
            ).then(() => charger().catch(() => undefined));
          }}
        >
          <div className="ligne">
            <label>
              Tenue le
              <input type="date" required value={tenueLe} onChange={(e) => setTenueLe(e.target.value)} />
            </label>
            <label>
              Participants (un par ligne)
              <textarea
                required
                rows={3}
                value={participants}
                onChange={(e) => setParticipants(e.target.value)}
              />
            </label>
          </div>
          <label>
            Compte rendu
            <textarea rows={3} value={compteRendu} onChange={(e) => setCompteRendu(e.target.value)} />
          </label>
          <div>
            <button type="submit">Enregistrer la séance</button>
          </div>
        </form>
      )}
    </section>
  );
}
