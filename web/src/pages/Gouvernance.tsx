import type { Convention, OutputKind, Party } from "../../../src/core/convention/model";

/**
 * Who processes, who destroys, whether releases are kept at destruction,
 * services per output kind and financing: the governance part of the
 * new-convention and avenant forms. Parties are keyed by the form's own key
 * (an index in the new-convention form, the party id in the avenant form).
 */
export interface GouvernanceForm {
  /** "" = by default (the processor, else the recipient). */
  traitement: string;
  destructionPar: string[];
  diffusionsConservees: boolean;
  /** Per party key: services, comma separated, per output kind. */
  services: Record<string, Record<OutputKind, string>>;
  financementObjet: string;
  financementRevue: string;
}

export const SORTIES: { id: OutputKind; libelle: string }[] = [
  { id: "carte", libelle: "Couche cartographique (GeoJSON, GeoPackage)" },
  { id: "tableau", libelle: "Tableau (Excel, CSV)" },
];

export const gouvernanceVide = (): GouvernanceForm => ({
  traitement: "",
  destructionPar: [],
  diffusionsConservees: true,
  services: {},
  financementObjet: "",
  financementRevue: "",
});

/** The form filled from a convention as it reads today (for an avenant). */
export function gouvernanceDe(c: Convention): GouvernanceForm {
  return {
    traitement: c.traitement ?? "",
    destructionPar: c.obligations.destructionPar ?? [],
    diffusionsConservees: c.obligations.diffusionsConservees ?? true,
    services: Object.fromEntries(
      c.parties.map((p) => [
        p.id,
        {
          carte: (p.servicesParSortie?.carte ?? []).join(", "),
          tableau: (p.servicesParSortie?.tableau ?? []).join(", "),
        },
      ]),
    ),
    financementObjet: c.financement?.objet ?? "",
    financementRevue: c.financement?.revueLe ?? "",
  };
}

const liste = (s: string | undefined): string[] =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

/** Services per output kind of one party key, as the model holds them (absent kinds left out). */
export function servicesDe(g: GouvernanceForm, key: string): Party["servicesParSortie"] {
  const s = g.services[key];
  const out: NonNullable<Party["servicesParSortie"]> = {};
  for (const k of SORTIES) {
    const l = liste(s?.[k.id]);
    if (l.length > 0) out[k.id] = l;
  }
  return out;
}

/** The financing as the model holds it, or undefined when none is written. */
export function financementDe(g: GouvernanceForm): Convention["financement"] {
  // A review date without its object goes to the server, which says what is missing.
  if (g.financementObjet.trim() === "" && g.financementRevue === "") return undefined;
  return {
    objet: g.financementObjet.trim(),
    ...(g.financementRevue ? { revueLe: g.financementRevue } : {}),
  };
}

export function Gouvernance({
  g,
  onChange,
  parties,
  defautTraitement,
}: {
  g: GouvernanceForm;
  onChange: (g: GouvernanceForm) => void;
  parties: { key: string; nom: string }[];
  /** Who processes when none is named, in words. */
  defautTraitement: string;
}) {
  const maj = (x: Partial<GouvernanceForm>) => onChange({ ...g, ...x });
  const majService = (key: string, kind: OutputKind, v: string) =>
    maj({
      services: { ...g.services, [key]: { carte: "", tableau: "", ...g.services[key], [kind]: v } },
    });
  return (
    <fieldset aria-label="Traitement, destruction, services et financement">
      <legend>Traitement, destruction, services et financement</legend>
      <label>
        Partie chargée du traitement (produit les diffusions)
        <select value={g.traitement} onChange={(e) => maj({ traitement: e.target.value })}>
          <option value="">Par défaut : {defautTraitement}</option>
          {parties.map((p) => (
            <option key={p.key} value={p.key}>
              {p.nom}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="cases sans-cadre" aria-label="Parties tenues de détruire les données">
        <legend>Parties tenues de détruire les données (par défaut : prestataire et fournisseur)</legend>
        {parties.map((p) => (
          <label key={p.key}>
            <input
              type="checkbox"
              checked={g.destructionPar.includes(p.key)}
              onChange={() =>
                maj({
                  destructionPar: g.destructionPar.includes(p.key)
                    ? g.destructionPar.filter((x) => x !== p.key)
                    : [...g.destructionPar, p.key],
                })
              }
            />
            {p.nom}
          </label>
        ))}
      </fieldset>
      <label>
        <input
          type="checkbox"
          checked={g.diffusionsConservees}
          onChange={() => maj({ diffusionsConservees: !g.diffusionsConservees })}
        />
        Les diffusions (sorties protégées) sont conservées à la destruction des données
      </label>
      <fieldset className="sans-cadre" aria-label="Services autorisés par type de sortie">
        <legend>Services autorisés par type de sortie (noms séparés par des virgules ; vide : tous)</legend>
        {parties.map((p) => (
          <div key={p.key} className="ligne">
            {SORTIES.map((k) => (
              <label key={k.id}>
                {p.nom} — {k.libelle}
                <input
                  value={g.services[p.key]?.[k.id] ?? ""}
                  onChange={(e) => majService(p.key, k.id, e.target.value)}
                />
              </label>
            ))}
          </div>
        ))}
      </fieldset>
      <div className="ligne">
        <label>
          Financement (objet, montants)
          <input value={g.financementObjet} onChange={(e) => maj({ financementObjet: e.target.value })} />
        </label>
        <label>
          Révision du financement le
          <input
            type="date"
            value={g.financementRevue}
            onChange={(e) => maj({ financementRevue: e.target.value })}
          />
        </label>
      </div>
    </fieldset>
  );
}
