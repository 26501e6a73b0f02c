import { type FormEvent, useState } from "react";
import { api, type Moi } from "../api";

export function Connexion({ demo, onConnecte }: { demo: boolean; onConnecte: (m: Moi) => void }) {
  const [email, setEmail] = useState("");
  const [motDePasse, setMotDePasse] = useState("");
  const [erreur, setErreur] = useState<string | null>(null);
  const [envoi, setEnvoi] = useState(false);

  async function soumettre(e: FormEvent) {
    e.preventDefault();
    setErreur(null);
    setEnvoi(true);
    try {
      onConnecte(await api.connexion(email, motDePasse));
    } catch (err) {
      setErreur(err instanceof Error ? err.message : "Connexion impossible.");
    } finally {
      setEnvoi(false);
    }
  }

  return (
    <main className="connexion">
      <h1>Socle</h1>
      <p>Plateforme ouverte d'observation sociale partagée</p>
      <form onSubmit={soumettre} aria-label="Connexion">
        <label>
          Adresse électronique
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Mot de passe
          <input
            name="motDePasse"
            type="password"
            autoComplete="current-password"
            required
            value={motDePasse}
            onChange={(e) => setMotDePasse(e.target.value)}
          />
        </label>
        {erreur && (
          <p className="erreur" role="alert">
            {erreur}
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
    </main>
  );
}
