import { useEffect, useRef, useState } from "react";
import { type ApercuDepot, ApiError, api, deposerFichier, type ResultatDepot } from "../api";

const pourcent = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Depositing a partner's file: choose it, check the proposed mapping of its
 * columns (with how readable each column is; no value is ever shown), compose
 * the address from several columns and see how many of the first rows it
 * finds, declare absent the annex fields the file lacks, set the year, send
 * it with a progress bar, read the result.
 */
export function DepotPanel({
  jeuId,
  onFini,
}: {
  jeuId: string;
  onFini: (message: string, resultat: ResultatDepot) => void;
}) {
  const [fichier, setFichier] = useState<File | null>(null);
  const [apercu, setApercu] = useState<ApercuDepot | null>(null);
  const [choix, setChoix] = useState<Record<string, string>>({});
  const [annee, setAnnee] = useState(String(new Date().getFullYear() - 1));
  // A later deposit of the same vintage says what it is (the server asks otherwise).
  const [mode, setMode] = useState<"" | "complement" | "correction">("complement");
  const [envoi, setEnvoi] = useState<number | null>(null);
  const [erreurs, setErreurs] = useState<string[]>([]);
  // The actual date of the data when it is not 31/12 of the vintage, and of its last update (ISO, from date inputs).
  const [dateObservation, setDateObservation] = useState("");
  const [dateMiseAJour, setDateMiseAJour] = useState("");
  const [absents, setAbsents] = useState<string[]>([]);
  /** The preview for the mapping as composed now (address counts, questions). */
  const [controle, setControle] = useState<ApercuDepot | null>(null);
  const generation = useRef(0);

  async function choisir(f: File) {
    setFichier(f);
    setErreurs([]);
    setApercu(null);
    setControle(null);
    try {
      const a = await api.apercu(jeuId, f, f.name);
      setApercu(a);
      setControle(a);
      setAbsents(a.absents);
      setChoix(
        Object.fromEntries(
          [...a.champs.map((c) => c.nom), ...a.partiesAdresse.map((p) => p.cle)].map((k) => [
            k,
            a.proposition[k] !== undefined ? a.colonnes[a.proposition[k]!]! : "",
          ]),
        ),
      );
    } catch (e) {
      setErreurs([e instanceof Error ? e.message : "Fichier illisible."]);
    }
  }

  // Each change of the mapping is checked again on the first rows (a CSV's first 4 MB suffice).
  useEffect(() => {
    if (!fichier || !apercu) return;
    const g = ++generation.current;
    const timer = setTimeout(() => {
      const part =
        apercu.format === "csv" && fichier.size > 4_000_000 ? fichier.slice(0, 4_000_000) : fichier;
      const correspondance = Object.fromEntries(Object.entries(choix).filter(([, v]) => v !== ""));
      api
        .apercu(
          jeuId,
          part,
          fichier.name,
          correspondance,
          absents.filter((a) => !correspondance[a]),
        )
        .then((a) => {
          if (g === generation.current) setControle(a);
        })
        .catch(() => {});
    }, 250);
    return () => clearTimeout(timer);
  }, [choix, absents, fichier, apercu, jeuId]);

  async function deposer() {
    if (!fichier) return;
    setErreurs([]);
    setEnvoi(0);
    try {
      const correspondance = Object.fromEntries(Object.entries(choix).filter(([, v]) => v !== ""));
      const r: ResultatDepot = await deposerFichier(
        jeuId,
        fichier,
        Number(annee),
        correspondance,
        setEnvoi,
        // A field given a column since it was ticked absent is no longer declared absent.
        absents.filter((a) => !correspondance[a]),
        mode,
        { observation: dateObservation, miseAJour: dateMiseAJour },
      );
      onFini(
        r.indicateurs
          ? `Tableau enregistré : ${r.lignes} territoire(s), ${r.masquees ?? 0} cellule(s) masquée(s) par le fournisseur.`
          : `Dépôt enregistré : ${r.lignes} lignes, ${r.doublons ?? 0} doublon(s) écarté(s), ${r.sansIris ?? 0} ligne(s) sans IRIS.`,
        r,
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
  const questions = controle?.questions ?? [];
  const colonne = (k: string, libelle: string) => (
    <select
      aria-label={`Colonne pour ${libelle}`}
      value={choix[k] ?? ""}
      onChange={(e) => setChoix({ ...choix, [k]: e.target.value })}
    >
      <option value="">— aucune —</option>
      {apercu?.colonnes.map((col) => (
        <option key={col} value={col}>
          {col}
        </option>
      ))}
    </select>
  );
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
                <th>Absent de ce dépôt</th>
              </tr>
            </thead>
            <tbody>
              {apercu.champs.map((c) => (
                <tr key={c.nom}>
                  <td>
                    {c.libelle}
                    {c.obligatoire ? " *" : ""}
                  </td>
                  <td>{colonne(c.nom, c.libelle)}</td>
                  <td className="nombre">
                    {choix[c.nom] &&
                    apercu.colonnes[apercu.proposition[c.nom] ?? -1] === choix[c.nom] &&
                    apercu.lisibilite[c.nom] !== undefined
                      ? pourcent(apercu.lisibilite[c.nom]!)
                      : "—"}
                  </td>
                  <td>
                    {!c.obligatoire && (
                      <input
                        type="checkbox"
                        aria-label={`Absent de ce dépôt : ${c.libelle}`}
                        disabled={!!choix[c.nom]}
                        checked={absents.includes(c.nom) && !choix[c.nom]}
                        onChange={(e) =>
                          setAbsents(
                            e.target.checked ? [...absents, c.nom] : absents.filter((x) => x !== c.nom),
                          )
                        }
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {apercu.partiesAdresse.length > 0 && (
            <fieldset className="adresse-composee">
              <legend>Adresse composée de plusieurs colonnes</legend>
              <p className="discret">
                Si le fichier donne le code postal, la commune, le numéro… dans des colonnes à part,
                indiquez-les : toutes servent au géocodage, aucune n'est conservée.
              </p>
              {apercu.partiesAdresse.map((p) => (
                <div key={p.cle} className="partie-adresse">
                  <span>{p.libelle}</span> {colonne(p.cle, p.libelle)}
                </div>
              ))}
            </fieldset>
          )}
          {controle?.adresses && (
            <p className="controle-adresses" aria-live="polite">
              Adresses trouvées (IRIS connu) sur les {controle.adresses.lues} premières lignes :{" "}
              {controle.adresses.avecIris} (
              {pourcent(controle.adresses.avecIris / Math.max(1, controle.adresses.lues))}).
            </p>
          )}
          {questions.length > 0 && (
            <ul className="erreur questions" aria-label="Questions avant le dépôt">
              {questions.map((q) => (
                <li key={q}>{q}</li>
              ))}
            </ul>
          )}
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
          <fieldset className="dates-depot">
            <legend>Dates des données (si elles diffèrent de la convention)</legend>
            <label>
              Date d'observation réelle
              <input
                type="date"
                value={dateObservation}
                aria-describedby="aide-date-observation"
                onChange={(e) => setDateObservation(e.target.value)}
              />
            </label>
            <label>
              Mise à jour des données le
              <input type="date" value={dateMiseAJour} onChange={(e) => setDateMiseAJour(e.target.value)} />
            </label>
            <p className="discret" id="aide-date-observation">
              Vide : le 31/12 du millésime, et la date de ce dépôt pour la mise à jour. La mention de source
              de la diffusion reprend ces dates.
            </p>
          </fieldset>
          <label>
            Si ce millésime a déjà des données
            <select
              value={mode}
              onChange={(e) => setMode(e.target.value as "" | "complement" | "correction")}
            >
              <option value="complement">ce fichier les complète (ses lignes s'ajoutent)</option>
              <option value="correction">ce fichier les corrige (il remplace les dépôts précédents)</option>
            </select>
          </label>
          {manque.length > 0 && (
            <p className="erreur">Choisissez une colonne pour : {manque.map((c) => c.libelle).join(", ")}.</p>
          )}
          <div>
            <button
              type="button"
              disabled={envoi !== null || manque.length > 0 || questions.length > 0}
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
