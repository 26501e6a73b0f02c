import { useState } from "react";
import type { AvenantChanges } from "../../../src/core/convention/model";
import { api, type ConventionDetail } from "../api";
import { AnnexeEditeur, annexeVide, jeuDeLAnnexe } from "./AnnexeEditeur";
import { slug } from "./ConventionNouvelle";
import { financementDe, Gouvernance, gouvernanceDe, servicesDe } from "./Gouvernance";

/** What an avenant changes, from the form: an annex it adds, and the governance it rewrites. */
function modificationsDe(
  c: ConventionDetail,
  annexe: ReturnType<typeof annexeVide> | null,
  g: ReturnType<typeof gouvernanceDe> | null,
): AvenantChanges | undefined {
  const v = c.versionEnVigueur;
  const m: AvenantChanges = {};
  if (annexe)
    m.jeux = [...v.jeux, jeuDeLAnnexe(annexe, slug(annexe.titre || "annexe", 40), annexe.fournisseur)];
  if (g) {
    m.obligations = {
      ...v.obligations,
      destructionPar: g.destructionPar,
      diffusionsConservees: g.diffusionsConservees,
    };
    if (g.traitement !== "") m.traitement = g.traitement;
    m.servicesParSortie = Object.fromEntries(v.parties.map((p) => [p.id, servicesDe(g, p.id) ?? {}]));
    const f = financementDe(g);
    if (f) m.financement = f;
  }
  return Object.keys(m).length > 0 ? m : undefined;
}

/** Notice, avenant (an annex it adds, governance it changes) and publication of the study. */
export function Gestion({
  c,
  agir,
}: {
  c: ConventionDetail;
  agir: (a: () => Promise<unknown>, succes: string) => Promise<void>;
}) {
  const [motif, setMotif] = useState<"ordinaire" | "faute">("ordinaire");
  const [objet, setObjet] = useState("");
  const [signeLe, setSigneLe] = useState("");
  const [effetLe, setEffetLe] = useState("");
  const [publieeLe, setPublieeLe] = useState("");
  // An annex the avenant adds, described with its fields (it takes effect on the avenant's date).
  const [ajoutAnnexe, setAjoutAnnexe] = useState(false);
  const [annexe, setAnnexe] = useState(() =>
    annexeVide(c.document.parties.find((p) => p.parts.includes("fournisseur"))?.id ?? ""),
  );
  const [changeGouvernance, setChangeGouvernance] = useState(false);
  const [gouvernance, setGouvernance] = useState(() => gouvernanceDe(c.versionEnVigueur));
  const avenant = () => {
    const modifications = modificationsDe(
      c,
      ajoutAnnexe ? annexe : null,
      changeGouvernance ? gouvernance : null,
    );
    return api.avenant(c.id, { objet, signeLe, effetLe, ...(modifications ? { modifications } : {}) });
  };
  // A breach notice may follow an ordinary one and shorten it.
  const preavisOrdinaire = c.document.preavis?.motif === "ordinaire";
  const parties = c.versionEnVigueur.parties.map((p) => ({ key: p.id, nom: p.nom }));
  return (
    <>
      <h2>Gestion de la convention</h2>
      <div className="grille">
        {(!c.document.preavis || preavisOrdinaire) && c.statut !== "brouillon" && (
          <form
            className="formulaire"
            aria-label="Dénoncer la convention"
            onSubmit={(e) => {
              e.preventDefault();
              void agir(() => api.preavis(c.id, preavisOrdinaire ? "faute" : motif), "Préavis enregistré.");
            }}
          >
            <label>
              Dénoncer la convention (préavis donné aujourd'hui)
              <select
                value={preavisOrdinaire ? "faute" : motif}
                onChange={(e) => setMotif(e.target.value as typeof motif)}
              >
                {!preavisOrdinaire && <option value="ordinaire">Motif ordinaire</option>}
                <option value="faute">Manquement d'une partie ou litige</option>
              </select>
            </label>
            <div>
              <button type="submit" className="secondaire">
                Enregistrer le préavis
              </button>
            </div>
          </form>
        )}
        <form
          className="formulaire"
          aria-label="Enregistrer un avenant"
          onSubmit={(e) => {
            e.preventDefault();
            void agir(avenant, "Avenant enregistré.");
          }}
        >
          <label>
            Objet de l'avenant
            <input required value={objet} onChange={(e) => setObjet(e.target.value)} />
          </label>
          <div className="ligne">
            <label>
              Signé le
              <input type="date" required value={signeLe} onChange={(e) => setSigneLe(e.target.value)} />
            </label>
            <label>
              Effet le
              <input type="date" required value={effetLe} onChange={(e) => setEffetLe(e.target.value)} />
            </label>
          </div>
          <label>
            <input type="checkbox" checked={ajoutAnnexe} onChange={() => setAjoutAnnexe(!ajoutAnnexe)} />
            L'avenant ajoute une annexe (jeu de données)
          </label>
          {ajoutAnnexe && (
            <fieldset>
              <legend>Annexe ajoutée par l'avenant</legend>
              <AnnexeEditeur
                annexe={annexe}
                nom="l'annexe ajoutée"
                onChange={setAnnexe}
                fournisseurs={c.versionEnVigueur.parties.map((p) => ({ value: p.id, libelle: p.nom }))}
              />
            </fieldset>
          )}
          <label>
            <input
              type="checkbox"
              checked={changeGouvernance}
              onChange={() => setChangeGouvernance(!changeGouvernance)}
            />
            L'avenant modifie le traitement, la destruction, les services ou le financement
          </label>
          {changeGouvernance && (
            <Gouvernance
              g={gouvernance}
              onChange={setGouvernance}
              parties={parties}
              defautTraitement={
                c.versionEnVigueur.parties.find((p) => p.id === c.traitement)?.nom ?? "la partie par défaut"
              }
            />
          )}
          <div>
            <button type="submit" className="secondaire">
              Enregistrer l'avenant
            </button>
          </div>
        </form>
        {c.document.duree.kind === "publication" && !c.document.publieeLe && (
          <form
            className="formulaire"
            aria-label="Publication de l'étude"
            onSubmit={(e) => {
              e.preventDefault();
              void agir(() => api.publication(c.id, publieeLe), "Publication enregistrée.");
            }}
          >
            <label>
              Étude publiée le
              <input type="date" required value={publieeLe} onChange={(e) => setPublieeLe(e.target.value)} />
            </label>
            <div>
              <button type="submit" className="secondaire">
                Enregistrer la publication
              </button>
            </div>
          </form>
        )}
      </div>
    </>
  );
}
