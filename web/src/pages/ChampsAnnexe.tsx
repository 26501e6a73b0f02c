import type { Dataset, DatasetField, FieldType } from "../../../src/core/convention/model";

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

/** Types whose columns may add up into a total (as checkConvention accepts them). */
const ADDITIFS: ReadonlySet<FieldType> = new Set(["entier", "decimal", "montant"]);

export type Somme = NonNullable<Dataset["sommes"]>[number];

export const champVide = (): DatasetField => ({ nom: "", type: "entier", libelle: "" });

/** The editor of an annex's fields: name, type, label, required; an annex needs at least one. */
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
          <label>
            <input
              type="checkbox"
              checked={c.requis === true}
              onChange={() => maj(i, { requis: !c.requis })}
            />
            Requis (ligne refusée si vide)
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

/**
 * How the count columns of an aggregated annex add up (« total = hommes +
 * femmes »): each sum is a total and the columns that make it; the secrecy
 * engine protects them as one table.
 */
export function SommesAnnexe({
  champs,
  sommes,
  onChange,
  annexe,
}: {
  champs: DatasetField[];
  sommes: Somme[];
  onChange: (s: Somme[]) => void;
  annexe: string;
}) {
  const comptes = champs.filter((c) => c.nom.trim() !== "" && ADDITIFS.has(c.type)).map((c) => c.nom.trim());
  const maj = (i: number, s: Partial<Somme>) =>
    onChange(sommes.map((x, j) => (j === i ? { ...x, ...s } : x)));
  return (
    <fieldset aria-label={`Sommes de ${annexe}`}>
      <legend>Colonnes qui s'additionnent (sommes)</legend>
      {sommes.length === 0 && (
        <p className="aide">
          Aucune somme : chaque colonne est protégée seule (ex. total = hommes + femmes).
        </p>
      )}
      {sommes.map((s, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: sums are positional
        <fieldset key={i} className="sans-cadre" aria-label={`Somme ${i + 1} de ${annexe}`}>
          <div className="ligne">
            <label>
              Total
              <select value={s.total} onChange={(e) => maj(i, { total: e.target.value })}>
                <option value="">— choisir —</option>
                {[...new Set([...comptes, ...(s.total ? [s.total] : [])])].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="secondaire"
              aria-label={`Retirer la somme ${s.total || i + 1}`}
              onClick={() => onChange(sommes.filter((_, j) => j !== i))}
            >
              Retirer la somme
            </button>
          </div>
          <fieldset className="cases sans-cadre" aria-label={`Parties du total ${s.total || i + 1}`}>
            <legend>S'additionnent en ce total</legend>
            {[...new Set([...comptes, ...s.parties])]
              .filter((n) => n !== s.total)
              .map((n) => (
                <label key={n}>
                  <input
                    type="checkbox"
                    checked={s.parties.includes(n)}
                    onChange={() =>
                      maj(i, {
                        parties: s.parties.includes(n) ? s.parties.filter((x) => x !== n) : [...s.parties, n],
                      })
                    }
                  />
                  {n}
                </label>
              ))}
          </fieldset>
        </fieldset>
      ))}
      <div>
        <button
          type="button"
          className="secondaire"
          onClick={() => onChange([...sommes, { total: "", parties: [] }])}
        >
          Ajouter une somme
        </button>
      </div>
    </fieldset>
  );
}

/** Fields as the API takes them: empty labels dropped, `requis` only when set. */
export const champsPropres = (champs: DatasetField[]): DatasetField[] =>
  champs.map((c) => ({
    nom: c.nom.trim(),
    type: c.type,
    ...(c.libelle?.trim() ? { libelle: c.libelle.trim() } : {}),
    ...(c.requis ? { requis: true } : {}),
  }));
