import type { Dataset, GeoLevel } from "../../../src/core/convention/model";
import { ChampsAnnexe, champsPropres, type Somme, SommesAnnexe } from "./ChampsAnnexe";

export const NIVEAUX: { id: GeoLevel; libelle: string }[] = [
  { id: "iris", libelle: "IRIS" },
  { id: "commune", libelle: "Commune" },
  { id: "epci", libelle: "EPCI" },
  { id: "departement", libelle: "Département" },
  { id: "zone", libelle: "Zones personnalisées" },
];

/** An annex as the forms edit it; `fournisseur` is the value of the provider option. */
export interface AnnexeForm {
  titre: string;
  fournisseur: string;
  kind: "individuel" | "agrege";
  niveaux: GeoLevel[];
  dateObservation: string;
  periodicite: "annuelle" | "ponctuelle";
  champs: Dataset["champs"];
  sommes: Somme[];
  protocole: 1 | 2;
  /** The annex's own source mention, when it is not the convention's. */
  mentionSource: string;
}

export const annexeVide = (fournisseur: string): AnnexeForm => ({
  titre: "",
  fournisseur,
  kind: "agrege",
  niveaux: ["iris", "commune"],
  dateObservation: "31/12/N-1",
  periodicite: "annuelle",
  champs: [{ nom: "territoire", type: "code_commune", libelle: "Commune", requis: true }],
  sommes: [],
  protocole: 2,
  mentionSource: "",
});

const bascule = <T,>(liste: T[], v: T) => (liste.includes(v) ? liste.filter((x) => x !== v) : [...liste, v]);

/** The dataset the API takes from an annex of the form. */
export function jeuDeLAnnexe(a: AnnexeForm, id: string, fournisseur: string): Dataset {
  const sommes = a.sommes
    .filter((s) => s.total !== "" || s.parties.length > 0)
    .map((s) => ({ total: s.total, parties: s.parties }));
  return {
    id,
    titre: a.titre,
    fournisseur,
    kind: a.kind,
    champs: champsPropres(a.champs),
    ...(sommes.length > 0 ? { sommes } : {}),
    niveaux: a.niveaux,
    dateObservation: a.dateObservation,
    periodicite: a.periodicite,
    ...(a.kind === "individuel" ? { protocole: a.protocole } : {}),
    ...(a.mentionSource.trim() ? { mentionSource: a.mentionSource.trim() } : {}),
  };
}

/** One annex: title, provider, nature, observation date, periodicity, levels, protocol, source, fields and sums. */
export function AnnexeEditeur({
  annexe: a,
  onChange,
  fournisseurs,
  nom,
}: {
  annexe: AnnexeForm;
  onChange: (a: AnnexeForm) => void;
  fournisseurs: { value: string; libelle: string }[];
  /** How the annex is named in labels (« l'annexe 1 »). */
  nom: string;
}) {
  const maj = (x: Partial<AnnexeForm>) => onChange({ ...a, ...x });
  const ici = a.titre || nom;
  return (
    <>
      <label>
        Titre du jeu de données
        <input required value={a.titre} onChange={(e) => maj({ titre: e.target.value })} />
      </label>
      <div className="ligne">
        <label>
          Fournisseur
          <select value={a.fournisseur} onChange={(e) => maj({ fournisseur: e.target.value })}>
            {fournisseurs.map((f) => (
              <option key={f.value} value={f.value}>
                {f.libelle}
              </option>
            ))}
          </select>
        </label>
        <label>
          Nature
          <select value={a.kind} onChange={(e) => maj({ kind: e.target.value as AnnexeForm["kind"] })}>
            <option value="agrege">Tableau agrégé</option>
            <option value="individuel">Fichier individuel géocodé à l'IRIS</option>
          </select>
        </label>
        <label>
          Date d'observation
          <input value={a.dateObservation} onChange={(e) => maj({ dateObservation: e.target.value })} />
        </label>
        <label>
          Périodicité
          <select
            value={a.periodicite}
            onChange={(e) => maj({ periodicite: e.target.value as AnnexeForm["periodicite"] })}
          >
            <option value="annuelle">Annuelle</option>
            <option value="ponctuelle">Ponctuelle</option>
          </select>
        </label>
      </div>
      <fieldset className="cases sans-cadre" aria-label={`Niveaux géographiques de ${ici}`}>
        <legend>Niveaux géographiques</legend>
        {NIVEAUX.map((n) => (
          <label key={n.id}>
            <input
              type="checkbox"
              checked={a.niveaux.includes(n.id)}
              onChange={() => maj({ niveaux: bascule(a.niveaux, n.id) })}
            />
            {n.libelle}
          </label>
        ))}
      </fieldset>
      <div className="ligne">
        {a.kind === "individuel" && (
          <label>
            Protocole d'échange
            <select value={a.protocole} onChange={(e) => maj({ protocole: Number(e.target.value) as 1 | 2 })}>
              <option value={2}>2 — fichier anonymisé avec adresse, géocodé par Socle</option>
              <option value={1}>1 — le fournisseur garde les identités (identifiant + IRIS)</option>
            </select>
          </label>
        )}
        <label>
          Source propre à ce jeu (si elle diffère de celle de la convention)
          <input value={a.mentionSource} onChange={(e) => maj({ mentionSource: e.target.value })} />
        </label>
      </div>
      <ChampsAnnexe annexe={ici} champs={a.champs} onChange={(champs) => maj({ champs })} />
      {a.kind === "agrege" && (
        <SommesAnnexe
          annexe={ici}
          champs={a.champs}
          sommes={a.sommes}
          onChange={(sommes) => maj({ sommes })}
        />
      )}
    </>
  );
}
