import type { DatasetField, FieldType } from "../../../src/core/convention/model";

/** The field types an annex may describe, in French. */
export const TYPES_CHAMP: { id: FieldType; libelle: string }[] = [
  { id: "identifiant", libelle: "Identifiant (pseudonymisé)" },
  { id: "adresse", libelle: "Adresse (géocodée puis effacée)" },
  { id: "code_commune", libelle: "Code commune (territoire)" },
  { id: "code_iris", libelle: "Code IRIS" },
  { id: "entier", libelle: "Nombre entier (effectif)" },
  { id: "decimal", libelle: "Nombre décimal" },
  { id: "montant", libelle: "Montant (€)" },
  { id: "taux", libelle: "Taux, part ou moyenne" },
  { id: "texte", libelle: "Texte" },
  { id: "date", libelle: "Date" },
  { id: "sexe", libelle: "Sexe" },
  { id: "gir", libelle: "Niveau GIR" },
  { id: "oui_non", libelle: "Oui / non" },
];

export const champVide = (): DatasetField => ({ nom: "", type: "entier", libelle: "" });

/** The editor of an annex's fields: name, type, label; an annex needs at least one. */
export function ChampsAnnexe({
  champs,
  onChange,
  annexe,
}: {
  champs: DatasetField[];
  onChange: (c: DatasetField[]) => void;
  annexe: string;
}) {
  const maj = (i: number, c: Partial<DatasetField>) =>
    onChange(champs.map((x, j) => (j === i ? { ...x, ...c } : x)));
  return (
    <fieldset aria-label={`Champs de ${annexe}`}>
      <legend>Champs du jeu de données (au moins un)</legend>
      {champs.length === 0 && <p className="aide">Aucun champ : l'annexe ne peut pas être enregistrée.</p>}
      {champs.map((c, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: fields are positional
        <div key={i} className="ligne">
          <label>
            Nom de colonne
            <input
              required
              value={c.nom}
              pattern="[a-z0-9_]+"
              title="minuscules, chiffres et _"
              onChange={(e) => maj(i, { nom: e.target.value })}
            />
          </label>
          <label>
            Type
            <select value={c.type} onChange={(e) => maj(i, { type: e.target.value as FieldType })}>
              {TYPES_CHAMP.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.libelle}
                </option>
              ))}
            </select>
          </label>
          <label>
            Libellé
            <input value={c.libelle ?? ""} onChange={(e) => maj(i, { libelle: e.target.value })} />
          </label>
          <button
            type="button"
            className="secondaire"
            aria-label={`Retirer le champ ${c.nom || i + 1}`}
            onClick={() => onChange(champs.filter((_, j) => j !== i))}
          >
            Retirer
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="secondaire" onClick={() => onChange([...champs, champVide()])}>
          Ajouter un champ
        </button>
      </div>
    </fieldset>
  );
}

/** Fields as the API takes them: empty labels dropped. */
export const champsPropres = (champs: DatasetField[]): DatasetField[] =>
  champs.map((c) => ({
    nom: c.nom.trim(),
    type: c.type,
    ...(c.libelle?.trim() ? { libelle: c.libelle.trim() } : {}),
  }));
