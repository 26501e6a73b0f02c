import { useState } from "react";
import { type ApercuDepot, ApiError, api, deposerFichier, type ResultatDepot } from "../api";

const pourcent = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Depositing a partner's file: choose it, check the proposed mapping of its
 * columns (with how readable each column is; no value is ever shown), set
 * the year, send it with a progress bar, read the result.
 */
export function DepotPanel({ jeuId, onFini }: { jeuId: string; onFini: (message: string) => void }) {
  const [fichier, setFichier] = useState<File | null>(null);
  const [apercu, setApercu] = useState<ApercuDepot | null>(null);
  const [choix, setChoix] = useState<Record<string, string>>({});
  const [annee, setAnnee] = useState(String(new Date().getFullYear() - 1));
  const [envoi, setEnvoi] = useState<number | null>(null);
  const [erreurs, setErreurs] = useState<string[]>([]);

  async function choisir(f: File) {
    setFichier(f);
    setErreurs([]);
    setApercu(null);
    try {
      const a = await api.apercu(jeuId, f);
      setApercu(a);
      setChoix(
        Object.fromEntries(
          a.champs.map((c) => [
            c.nom,
            a.proposition[c.nom] !== undefined ? a.colonnes[a.proposition[c.nom]!]! : "",
          ]),
        ),
      );
    } catch (e) {
      setErreurs([e instanceof Error ? e.message : "Fichier illisible."]);
    }
  }

  async function deposer() {
    if (!fichier) return;
    setErreurs([]);
    setEnvoi(0);
    try {
      const r: ResultatDepot = await deposerFichier(jeuId, fichier, Number(annee), choix, setEnvoi);
      onFini(
        r.indicateurs
          ? `Tableau enregistré : ${r.lignes} territoire(s), ${r.masquees ?? 0} cellule(s) masquée(s) par le fournisseur.`
          : `Dépôt enregistré : ${r.lignes} lignes, ${r.doublons ?? 0} doublon(s) écarté(s), ${r.sansIris ?? 0} ligne(s) sans IRIS.`,
      );
    } catch (e) {
      setErreurs(
        e instanceof ApiError && e.details.length > 1
          ? [e.message, ...e.details]
          : [e instanceof Error ? e.message : "Dépôt impossible."],
      );
    } finally {
      setEnvoi(null);
    }
  }

  const manque = apercu?.champs.filter((c) => c.obligatoire && !choix[c.nom]) ?? [];
  return (
    <section className="depot" aria-label="Dépôt d'un fichier">
      <label>
        Fichier du partenaire (CSV ou XLSX)
        <input
          type="file"
          accept=".csv,.txt,.xlsx"
          onChange={(e) => e.target.files?.[0] && void choisir(e.target.files[0])}
        />
      </label>
      {apercu && (
        <>
          <p className="discret">
            {apercu.fichier} : {apercu.format.toUpperCase()}
            {apercu.encodage ? `, ${apercu.encodage}` : ""}, {apercu.colonnes.length} colonnes ; lisibilité
            mesurée sur {apercu.lignesLues} lignes.
          </p>
          <table>
            <thead>
              <tr>
                <th>Champ de la convention</th>
                <th>Colonne du fichier</th>
                <th>Valeurs lisibles</th>
              </tr>
            </thead>
            <tbody>
              {apercu.champs.map((c) => (
                <tr key={c.nom}>
                  <td>
                    {c.libelle}
                    {c.obligatoire ? " *" : ""}
                  </td>
                  <td>
                    <select
                      aria-label={`Colonne pour ${c.libelle}`}
                      value={choix[c.nom] ?? ""}
                      onChange={(e) => setChoix({ ...choix, [c.nom]: e.target.value })}
                    >
                      <option value="">— aucune —</option>
                      {apercu.colonnes.map((col) => (
                        <option key={col} value={col}>
                          {col}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="nombre">
                    {choix[c.nom] &&
                    apercu.colonnes[apercu.proposition[c.nom] ?? -1] === choix[c.nom] &&
                    apercu.lisibilite[c.nom] !== undefined
                      ? pourcent(apercu.lisibilite[c.nom]!)
                      : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="discret">
            * obligatoire. L'identifiant est pseudonymisé et l'adresse oubliée après géocodage.
          </p>
          <label>
            Millésime des données
            <input
              type="number"
              min={1990}
              max={2100}
              value={annee}
              onChange={(e) => setAnnee(e.target.value)}
            />
          </label>
          {manque.length > 0 && (
            <p className="erreur">Choisissez une colonne pour : {manque.map((c) => c.libelle).join(", ")}.</p>
          )}
          <div>
            <button
              type="button"
              disabled={envoi !== null || manque.length > 0}
              onClick={() => void deposer()}
            >
              Déposer
            </button>
          </div>
        </>
      )}
      {envoi !== null && (
        <div role="status" aria-live="polite">
          <progress max={1} value={envoi} aria-label="Envoi du fichier" />{" "}
          {envoi < 1 ? `Envoi : ${pourcent(envoi)}` : "Traitement : pseudonymisation, géocodage, écriture…"}
        </div>
      )}
      {erreurs.length > 0 && (
        <div className="erreur" role="alert">
          {erreurs.length === 1 ? (
            <p>{erreurs[0]}</p>
          ) : (
            <ul>
              {erreurs.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
