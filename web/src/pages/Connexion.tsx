import { type FormEvent, useRef, useState } from "react";
import { api, type Moi } from "../api";
import { Champ } from "../components/Champ";

interface Erreurs {
  email?: string;
  motDePasse?: string;
  /** The server's answer: it concerns both fields. */
  formulaire?: string;
}

/** Client-side checks, each message tied to its field. */
export function verifierConnexion(email: string, motDePasse: string): Erreurs {
  const e: Erreurs = {};
  if (!email.trim()) e.email = "Saisissez votre adresse électronique.";
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()))
    e.email = "Adresse électronique invalide : elle a la forme nom@domaine.fr.";
  if (!motDePasse) e.motDePasse = "Saisissez votre mot de passe.";
  return e;
}

export function Connexion({ demo, onConnecte }: { demo: boolean; onConnecte: (m: Moi) => void }) {
  const [email, setEmail] = useState("");
  const [motDePasse, setMotDePasse] = useState("");
  const [erreurs, setErreurs] = useState<Erreurs>({});
  const [envoi, setEnvoi] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  async function soumettre(e: FormEvent) {
    e.preventDefault();
    const locales = verifierConnexion(email, motDePasse);
    setErreurs(locales);
    if (locales.email || locales.motDePasse) {
      // The first invalid field takes the focus; its message is read with it.
      requestAnimationFrame(() => form.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus());
      return;
    }
    setEnvoi(true);
    try {
      onConnecte(await api.connexion(email.trim(), motDePasse));
    } catch (err) {
      setErreurs({ formulaire: err instanceof Error ? err.message : "Connexion impossible." });
    } finally {
      setEnvoi(false);
    }
  }

  const erreurServeur = erreurs.formulaire ?? null;
  return (
    <section className="connexion">
      <h1>Connexion à Socle</h1>
      <p>Plateforme ouverte d'observation sociale partagée</p>
      <form ref={form} onSubmit={soumettre} aria-label="Connexion" noValidate>
        <Champ
          libelle="Adresse électronique"
          erreur={erreurs.email}
          erreurCommune={erreurServeur && "connexion-refusee"}
        >
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Champ>
        <Champ
          libelle="Mot de passe"
          erreur={erreurs.motDePasse}
          erreurCommune={erreurServeur && "connexion-refusee"}
        >
          <input
            name="motDePasse"
            type="password"
            autoComplete="current-password"
            required
            value={motDePasse}
            onChange={(e) => setMotDePasse(e.target.value)}
          />
        </Champ>
        {erreurServeur && (
          <p className="erreur" role="alert" id="connexion-refusee">
            {erreurServeur}
          </p>
        )}
        <button type="submit" disabled={envoi}>
          {envoi ? "Connexion…" : "Se connecter"}
        </button>
      </form>
      {demo && (
        <aside className="aide-demo">
          Démonstration : connectez-vous avec <code>ccas@demo.socle.example</code> et le mot de passe{" "}
          <code>Demo-Socle-2026</code>.
        </aside>
      )}
    </section>
  );
}
