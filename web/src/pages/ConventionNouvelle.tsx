import { type FormEvent, useEffect, useState } from "react";
import type { Convention, Part, Party } from "../../../src/core/convention/model";
import { ApiError, api, type Moi, type Organisation } from "../api";
import { navigate } from "../router";
import { AnnexeEditeur, type AnnexeForm, annexeVide, jeuDeLAnnexe } from "./AnnexeEditeur";
import { financementDe, Gouvernance, gouvernanceVide, servicesDe } from "./Gouvernance";

const PARTS: { id: Part; libelle: string }[] = [
  { id: "fournisseur", libelle: "Fournisseur" },
  { id: "destinataire", libelle: "Destinataire" },
  { id: "prestataire", libelle: "Prestataire (traitement)" },
  { id: "lecteur", libelle: "Lecteur" },
];
const KINDS: Record<string, Party["kind"]> = {
  CCAS: "CCAS",
  CAF: "CAF",
  CD: "CD",
  EPCI: "EPCI",
  BUREAU_ETUDES: "BUREAU_ETUDES",
  AUTRE: "AUTRE",
};

/** Lower-case identifier from a name: « CAF du Val » → « caf-du-val ». */
export function slug(s: string, max = 40): string {
  return (
    s
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, max)
      .replace(/-+$/, "") || "x"
  );
}

interface PartieForm {
  organisationId: string;
  parts: Part[];
}

export function ConventionNouvelle({ moi }: { moi: Moi }) {
  const [annuaire, setAnnuaire] = useState<Organisation[]>([]);
  const [titre, setTitre] = useState("");
  const [objet, setObjet] = useState("");
  const [parties, setParties] = useState<PartieForm[]>([
    { organisationId: moi.organisations[0]?.id ?? "", parts: ["destinataire"] },
    { organisationId: "", parts: ["fournisseur"] },
  ]);
  const [annexes, setAnnexes] = useState<AnnexeForm[]>([annexeVide("1")]);
  const [gouvernance, setGouvernance] = useState(gouvernanceVide());
  const [parts, setParts] = useState<Record<number, string>>({});
  const [seuil, setSeuil] = useState("5");
  const [zoneMinimum, setZoneMinimum] = useState("");
  const [zoneUnite, setZoneUnite] = useState<"habitants" | "allocataires">("habitants");
  const [zeros, setZeros] = useState(false);
  const [mention, setMention] = useState("Source : ");
  const [accordPrealable, setAccordPrealable] = useState(true);
  const [interne, setInterne] = useState(false);
  const [doubleLogo, setDoubleLogo] = useState(false);
  const [destruction, setDestruction] = useState(true);
  const [copieEtude, setCopieEtude] = useState(true);
  const [signeeLe, setSigneeLe] = useState("");
  const [effetLe, setEffetLe] = useState("");
  const [duree, setDuree] = useState<"tacite" | "echeance" | "publication">("tacite");
  const [periodeMois, setPeriodeMois] = useState("12");
  const [fin, setFin] = useState("");
  const [mode, setMode] = useState<"a_tout_moment" | "a_echeance">("a_echeance");
  const [preavisMois, setPreavisMois] = useState("3");
  const [preavisFaute, setPreavisFaute] = useState("");
  const [erreurs, setErreurs] = useState<string[]>([]);
  const [envoi, setEnvoi] = useState(false);

  useEffect(() => {
    api.annuaire().then(setAnnuaire, () => setAnnuaire([]));
  }, []);

  const org = (id: string) => annuaire.find((o) => o.id === id);
  const partyId = (i: number) => {
    const o = org(parties[i]?.organisationId ?? "");
    return o ? slug(o.nom, 30) : `partie-${i + 1}`;
  };

  function majPartie(i: number, p: Partial<PartieForm>) {
    setParties(parties.map((x, j) => (j === i ? { ...x, ...p } : x)));
  }
  function majAnnexe(i: number, a: AnnexeForm) {
    setAnnexes(annexes.map((x, j) => (j === i ? a : x)));
  }
  const bascule = <T,>(liste: T[], v: T) =>
    liste.includes(v) ? liste.filter((x) => x !== v) : [...liste, v];

  function construire(): { convention: Convention; organisations: Record<string, string> } {
    const ids = parties.map((_, i) => partyId(i));
    const organisations: Record<string, string> = {};
    const g = gouvernance;
    const ps: Party[] = parties.map((p, i) => {
      organisations[ids[i]!] = p.organisationId;
      const o = org(p.organisationId);
      const services = servicesDe(g, String(i));
      const part = parts[i]?.trim();
      return {
        id: ids[i]!,
        nom: o?.nom ?? "",
        kind: KINDS[o?.type ?? "AUTRE"] ?? "AUTRE",
        parts: p.parts,
        ...(services && Object.keys(services).length > 0 ? { servicesParSortie: services } : {}),
        referents: [],
        ...(part ? { financement: Number(part.replace(/\s/g, "").replace(",", ".")) } : {}),
      };
    });
    const jeux = annexes.map((a, i) =>
      jeuDeLAnnexe(a, slug(a.titre || `annexe-${i + 1}`, 40), ids[Number(a.fournisseur)] ?? ""),
    );
    const financement = financementDe(g);
    const destructionPar = g.destructionPar.map((k) => ids[Number(k)]!).filter(Boolean);
    const convention: Convention = {
      id: slug(titre, 50),
      titre,
      objet,
      parties: ps,
      jeux,
      secret: {
        seuil: Number(seuil),
        ...(zoneMinimum ? { zoneMinimum: Number(zoneMinimum), zoneUnite } : {}),
        zerosSensibles: zeros,
      },
      mentionSource: mention,
      diffusion: { interneSeulement: interne, accordPrealable, doubleLogo },
      obligations: {
        destructionFinEtude: destruction,
        copieEtude,
        analyseConjointe: false,
        ...(destructionPar.length > 0 ? { destructionPar } : {}),
        diffusionsConservees: g.diffusionsConservees,
      },
      ...(g.traitement !== "" ? { traitement: ids[Number(g.traitement)]! } : {}),
      ...(financement ? { financement } : {}),
      ...(signeeLe ? { signeeLe } : {}),
      ...(effetLe ? { effetLe } : {}),
      duree:
        duree === "tacite"
          ? { kind: "tacite", periodeMois: Number(periodeMois) }
          : duree === "echeance"
            ? { kind: "echeance", fin }
            : { kind: "publication" },
      resiliation: {
        mode,
        preavisMois: Number(preavisMois),
        ...(preavisFaute !== "" ? { preavisFauteMois: Number(preavisFaute) } : {}),
      },
      avenants: [],
    };
    return { convention, organisations };
  }

  async function soumettre(e: FormEvent) {
    e.preventDefault();
    setErreurs([]);
    if (parties.some((p) => !p.organisationId)) {
      setErreurs(["Choisissez l'organisation de chaque partie."]);
      return;
    }
    const sansChamp = annexes.find((a) => a.champs.length === 0);
    if (sansChamp) {
      setErreurs([`Annexe « ${sansChamp.titre || "sans titre"} » : décrivez au moins un champ (nom, type).`]);
      return;
    }
    setEnvoi(true);
    try {
      const { convention, organisations } = construire();
      const r = await api.creerConvention(convention, organisations);
      navigate(`/conventions/${r.id}`);
    } catch (err) {
      setErreurs(
        err instanceof ApiError && err.details.length > 1
          ? [...err.details]
          : [err instanceof Error ? err.message : "Enregistrement impossible."],
      );
    } finally {
      setEnvoi(false);
    }
  }

  return (
    <section>
      <h1>Nouvelle convention</h1>
      <form className="formulaire" onSubmit={soumettre} aria-label="Nouvelle convention">
        <label>
          Titre
          <input required value={titre} onChange={(e) => setTitre(e.target.value)} />
        </label>
        <label>
          Objet
          <textarea required rows={2} value={objet} onChange={(e) => setObjet(e.target.value)} />
        </label>

        <fieldset>
          <legend>Parties</legend>
          {parties.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional and never reordered
            <fieldset key={i} className="ligne sans-cadre" aria-label={`Partie ${i + 1}`}>
              <label>
                Organisation (partie {i + 1})
                <select
                  value={p.organisationId}
                  onChange={(e) => majPartie(i, { organisationId: e.target.value })}
                >
                  <option value="">— choisir —</option>
                  {annuaire.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.nom}
                    </option>
                  ))}
                </select>
              </label>
              <div className="cases">
                {PARTS.map((r) => (
                  <label key={r.id}>
                    <input
                      type="checkbox"
                      checked={p.parts.includes(r.id)}
                      onChange={() => majPartie(i, { parts: bascule(p.parts, r.id) })}
                    />
                    {r.libelle}
                  </label>
                ))}
              </div>
            </fieldset>
          ))}
          <div>
            <button
              type="button"
              className="secondaire"
              onClick={() => setParties([...parties, { organisationId: "", parts: ["lecteur"] }])}
            >
              Ajouter une partie
            </button>
          </div>
        </fieldset>

        {annexes.map((a, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: annexes are positional and never reordered
          <fieldset key={i}>
            <legend>Annexe {i + 1} — jeu de données</legend>
            <AnnexeEditeur
              annexe={a}
              nom={`l'annexe ${i + 1}`}
              onChange={(x) => majAnnexe(i, x)}
              fournisseurs={parties.map((p, j) => ({
                value: String(j),
                libelle: org(p.organisationId)?.nom ?? `Partie ${j + 1}`,
              }))}
            />
          </fieldset>
        ))}
        <div>
          <button
            type="button"
            className="secondaire"
            onClick={() => setAnnexes([...annexes, annexeVide("1")])}
          >
            Ajouter une annexe
          </button>
        </div>

        <fieldset>
          <legend>Secret statistique et diffusion</legend>
          <div className="ligne">
            <label>
              Seuil (effectif minimal)
              <input type="number" min={1} value={seuil} onChange={(e) => setSeuil(e.target.value)} />
            </label>
            <label>
              Population minimale d'une zone
              <input
                type="number"
                min={0}
                value={zoneMinimum}
                onChange={(e) => setZoneMinimum(e.target.value)}
              />
            </label>
            <label>
              Unité
              <select value={zoneUnite} onChange={(e) => setZoneUnite(e.target.value as typeof zoneUnite)}>
                <option value="habitants">habitants</option>
                <option value="allocataires">allocataires</option>
              </select>
            </label>
          </div>
          <label>
            <input type="checkbox" checked={zeros} onChange={() => setZeros(!zeros)} />
            Les zéros sont sensibles
          </label>
          <label>
            Mention de la source
            <input value={mention} onChange={(e) => setMention(e.target.value)} />
          </label>
          <div className="cases">
            <label>
              <input
                type="checkbox"
                checked={accordPrealable}
                onChange={() => setAccordPrealable(!accordPrealable)}
              />
              Diffusion externe après accord préalable du fournisseur
            </label>
            <label>
              <input type="checkbox" checked={interne} onChange={() => setInterne(!interne)} />
              Usage interne seulement
            </label>
            <label>
              <input type="checkbox" checked={doubleLogo} onChange={() => setDoubleLogo(!doubleLogo)} />
              Double logo
            </label>
            <label>
              <input type="checkbox" checked={destruction} onChange={() => setDestruction(!destruction)} />
              Destruction des données en fin d'étude
            </label>
            <label>
              <input type="checkbox" checked={copieEtude} onChange={() => setCopieEtude(!copieEtude)} />
              Copie de l'étude aux fournisseurs
            </label>
          </div>
        </fieldset>

        <Gouvernance
          g={gouvernance}
          onChange={setGouvernance}
          parties={parties.map((p, i) => ({
            key: String(i),
            nom: org(p.organisationId)?.nom ?? `Partie ${i + 1}`,
          }))}
          defautTraitement="le prestataire, sinon le destinataire"
        />
        <fieldset className="sans-cadre" aria-label="Part du financement de chaque partie">
          <div className="ligne">
            {parties.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: parties are positional
              <label key={i}>
                Part du financement de {org(p.organisationId)?.nom ?? `la partie ${i + 1}`} (€)
                <input
                  inputMode="decimal"
                  value={parts[i] ?? ""}
                  onChange={(e) => setParts({ ...parts, [i]: e.target.value })}
                />
              </label>
            ))}
          </div>
        </fieldset>

        <fieldset>
          <legend>Dates et durée</legend>
          <div className="ligne">
            <label>
              Signée le
              <input type="date" value={signeeLe} onChange={(e) => setSigneeLe(e.target.value)} />
            </label>
            <label>
              Prend effet le
              <input type="date" value={effetLe} onChange={(e) => setEffetLe(e.target.value)} />
            </label>
            <label>
              Durée
              <select value={duree} onChange={(e) => setDuree(e.target.value as typeof duree)}>
                <option value="tacite">Reconduction tacite</option>
                <option value="echeance">Échéance fixe</option>
                <option value="publication">Jusqu'à la publication de l'étude</option>
              </select>
            </label>
            {duree === "tacite" && (
              <label>
                Période (mois)
                <input
                  type="number"
                  min={1}
                  value={periodeMois}
                  onChange={(e) => setPeriodeMois(e.target.value)}
                />
              </label>
            )}
            {duree === "echeance" && (
              <label>
                Fin le
                <input type="date" value={fin} onChange={(e) => setFin(e.target.value)} />
              </label>
            )}
          </div>
          <div className="ligne">
            <label>
              Résiliation
              <select value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
                <option value="a_echeance">Avant l'échéance</option>
                <option value="a_tout_moment">À tout moment</option>
              </select>
            </label>
            <label>
              Préavis (mois)
              <input
                type="number"
                min={0}
                value={preavisMois}
                onChange={(e) => setPreavisMois(e.target.value)}
              />
            </label>
            <label>
              Préavis pour manquement (mois)
              <input
                type="number"
                min={0}
                value={preavisFaute}
                onChange={(e) => setPreavisFaute(e.target.value)}
              />
            </label>
          </div>
        </fieldset>

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
        <div>
          <button type="submit" disabled={envoi}>
            {envoi ? "Enregistrement…" : "Enregistrer la convention"}
          </button>
        </div>
      </form>
    </section>
  );
}
