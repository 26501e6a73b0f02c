/**
 * Administration of custom zones: the list of the organisations' zones,
 * and an editor that picks communes or IRIS on the map of a territory (a
 * click adds or removes a unit) or, without the mouse, from a searchable
 * list; the picked units are listed beside the map. A zone a release
 * published is frozen: the list says so and offers no edit.
 */
import type { FeatureCollection } from "geojson";
import { useCallback, useEffect, useMemo, useState } from "react";
import { foldWords } from "../../../src/core/territory/search";
import { ZONE_CATEGORIES, ZONE_CATEGORY_FR } from "../../../src/core/territory/zones";
import { api, type Moi, type Resultat } from "../api";
import { type Unites, type ZoneDetail, type ZoneResume, zones } from "../api-zones";
import { CarteSelection, uniteDe } from "../components/CarteSelection";
import { Lien } from "../components/Lien";
import "./zones.css";

interface Edition {
  id: string | null;
  organisationId: string;
  nom: string;
  categorie: string;
  type: Unites;
  membres: string[];
}

const pluriel = (n: number, mot: string) => `${n} ${mot}${n > 1 ? "s" : ""}`;
/** « 2 communes », « 3 IRIS » (IRIS takes no plural mark). */
const compte = (n: number, type: Unites) => (type === "iris" ? `${n} IRIS` : pluriel(n, "commune"));

export function ZonesPage({ moi }: { moi: Moi }) {
  const [liste, setListe] = useState<ZoneResume[] | null>(null);
  const [edition, setEdition] = useState<Edition | null>(null);
  const [aSupprimer, setASupprimer] = useState<ZoneResume | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);
  const gerees = moi.organisations.filter((o) => o.role === "admin" || o.role === "referent");
  const nomOrg = (id: string) => moi.organisations.find((o) => o.id === id)?.nom ?? "";

  const charger = useCallback(async () => {
    setListe(await zones.liste());
  }, []);
  useEffect(() => {
    void charger().catch((e) => setErreur(e instanceof Error ? e.message : "Chargement impossible."));
  }, [charger]);

  async function agir(action: () => Promise<unknown>, succes: string): Promise<boolean> {
    setErreur(null);
    setMessage(null);
    try {
      await action();
    } catch (e) {
      setErreur(e instanceof Error ? e.message : "Action impossible.");
      return false;
    }
    // The list is reloaded before the announcement, so a screen reader
    // never hears « supprimée » while the zone is still listed.
    await charger().catch(() =>
      setErreur("L'action a réussi, mais la liste des zones n'a pas pu être rechargée."),
    );
    setMessage(succes);
    return true;
  }

  async function modifier(z: ZoneResume) {
    try {
      const d: ZoneDetail = await zones.lire(z.id);
      setMessage(null);
      setEdition({
        id: d.id,
        organisationId: d.organisationId,
        nom: d.nom,
        categorie: d.categorie,
        type: d.kind,
        membres: d.membres,
      });
    } catch (e) {
      setErreur(e instanceof Error ? e.message : "Zone illisible.");
    }
  }

  return (
    <section className="fiche">
      <p>
        <Lien href="/administration">← Administration</Lien>
      </p>
      <h1>Zones personnalisées</h1>
      <p className="discret">
        Une zone regroupe des communes ou des IRIS (un Relais Petite Enfance, un quartier, un QPV…). Une zone
        déjà diffusée est figée : l'historique publié la lit telle qu'elle était.
      </p>
      {message && (
        <p className="succes" role="status">
          {message}
        </p>
      )}
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      {liste === null ? (
        <p className="chargement">Chargement des zones…</p>
      ) : liste.length === 0 ? (
        <p className="discret">Aucune zone dans vos organisations.</p>
      ) : (
        <table aria-label="Zones personnalisées">
          <thead>
            <tr>
              <th>Nom</th>
              <th>Catégorie</th>
              <th>Unités</th>
              <th>Organisation</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {liste.map((z) => {
              const gere = gerees.some((o) => o.id === z.organisationId);
              return (
                <tr key={z.id}>
                  <td>{z.nom}</td>
                  <td>{z.categorieLibelle}</td>
                  <td>{compte(z.membres, z.kind)}</td>
                  <td>{nomOrg(z.organisationId)}</td>
                  <td>
                    {z.diffusions > 0 ? (
                      <span className="discret">figée ({pluriel(z.diffusions, "diffusion")})</span>
                    ) : gere ? (
                      <span className="zone-actions">
                        <button
                          type="button"
                          className="secondaire"
                          aria-label={`Modifier la zone ${z.nom}`}
                          onClick={() => void modifier(z)}
                        >
                          Modifier
                        </button>
                        <button
                          type="button"
                          className="secondaire"
                          aria-label={`Supprimer la zone ${z.nom}`}
                          onClick={() => setASupprimer(z)}
                        >
                          Supprimer
                        </button>
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {aSupprimer && (
        <section className="zone-confirmation" aria-label="Confirmer la suppression">
          <p>Supprimer la zone « {aSupprimer.nom} » ? Elle n'a été publiée par aucune diffusion.</p>
          <button
            type="button"
            onClick={() => {
              const z = aSupprimer;
              setASupprimer(null);
              void agir(() => zones.supprimer(z.id), `Zone « ${z.nom} » supprimée.`);
            }}
          >
            Confirmer la suppression
          </button>{" "}
          <button type="button" className="secondaire" onClick={() => setASupprimer(null)}>
            Annuler
          </button>
        </section>
      )}
      {gerees.length > 0 && edition === null && (
        <p>
          <button
            type="button"
            onClick={() => {
              setMessage(null);
              setEdition({
                id: null,
                organisationId: gerees[0]!.id,
                nom: "",
                categorie: "rpe",
                type: "communes",
                membres: [],
              });
            }}
          >
            Nouvelle zone
          </button>
        </p>
      )}
      {edition && (
        <FormulaireZone
          key={edition.id ?? "nouvelle"}
          initiale={edition}
          organisations={gerees}
          annuler={() => setEdition(null)}
          enregistrer={async (e) => {
            const saisie = { nom: e.nom, type: e.type, categorie: e.categorie, membres: e.membres };
            const ok = await agir(
              () => (e.id ? zones.modifier(e.id, saisie) : zones.creer(e.organisationId, saisie)),
              `Zone « ${e.nom} » enregistrée.`,
            );
            if (ok) setEdition(null);
          }}
        />
      )}
    </section>
  );
}

interface Unite {
  code: string;
  nom: string;
  mots: string;
}

/** The units a territory's IRIS offer: its IRIS, or its communes once each. */
function unitesDe(fc: FeatureCollection | null, type: Unites): Unite[] {
  const out = new Map<string, Unite>();
  for (const f of fc?.features ?? []) {
    const p = f.properties ?? {};
    const code = uniteDe(p, type);
    if (out.has(code)) continue;
    const nom = type === "iris" ? `${p.nom ?? code} — ${p.communeNom}` : String(p.communeNom ?? code);
    out.set(code, { code, nom, mots: foldWords(`${nom} ${code}`).join(" ") });
  }
  return [...out.values()].sort((a, b) => a.nom.localeCompare(b.nom, "fr"));
}

function FormulaireZone({
  initiale,
  organisations,
  annuler,
  enregistrer,
}: {
  initiale: Edition;
  organisations: Moi["organisations"];
  annuler: () => void;
  enregistrer: (e: Edition) => Promise<void>;
}) {
  const [e, setE] = useState(initiale);
  const [territoire, setTerritoire] = useState<{ kind: string; code: string; nom: string } | null>(null);
  const [iris, setIris] = useState<FeatureCollection | null>(null);
  const [q, setQ] = useState("");
  const [resultats, setResultats] = useState<Resultat[]>([]);
  const [filtre, setFiltre] = useState("");
  const [erreur, setErreur] = useState<string | null>(null);

  // An existing zone opens on the intercommunality (else the commune) of its first unit.
  useEffect(() => {
    const premier = initiale.membres[0];
    if (!premier) return;
    const commune = premier.slice(0, 5);
    api.territoire("commune", commune).then(
      (t) => {
        const epci = t.parents.find((p) => p.kind === "epci");
        setTerritoire(
          epci
            ? { kind: "epci", code: epci.code, nom: epci.nom }
            : { kind: "commune", code: commune, nom: t.nom },
        );
      },
      () => undefined,
    );
  }, [initiale]);

  useEffect(() => {
    if (!territoire) return;
    setIris(null);
    api.iris(territoire.kind, territoire.code).then(setIris, (x) => setErreur(x.message));
  }, [territoire]);

  useEffect(() => {
    const texte = q.trim();
    if (texte.length < 2) return setResultats([]);
    const t = setTimeout(() => {
      api.chercher(texte).then(
        (r) => setResultats(r.filter((x) => x.kind !== "iris").slice(0, 8)),
        () => setResultats([]),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [q]);

  const unites = useMemo(() => unitesDe(iris, e.type), [iris, e.type]);
  const noms = useMemo(() => new Map(unites.map((u) => [u.code, u.nom])), [unites]);
  const choisis = useMemo(() => new Set(e.membres), [e.membres]);
  const basculer = useCallback(
    (code: string) =>
      setE((x) => ({
        ...x,
        membres: x.membres.includes(code) ? x.membres.filter((m) => m !== code) : [...x.membres, code].sort(),
      })),
    [],
  );
  const mots = foldWords(filtre).join(" ");
  const proposees = mots
    ? unites.filter((u) => !choisis.has(u.code) && u.mots.includes(mots)).slice(0, 12)
    : [];

  return (
    <form
      className="formulaire zone-formulaire"
      aria-label={e.id ? "Modifier la zone" : "Nouvelle zone"}
      onSubmit={(ev) => {
        ev.preventDefault();
        if (e.membres.length === 0)
          return setErreur("Choisissez au moins une unité, sur la carte ou dans la liste.");
        setErreur(null);
        void enregistrer(e);
      }}
    >
      <h2>{e.id ? `Modifier la zone « ${initiale.nom} »` : "Nouvelle zone"}</h2>
      <div className="ligne">
        <label>
          Nom de la zone
          <input required value={e.nom} onChange={(x) => setE({ ...e, nom: x.target.value })} />
        </label>
        <label>
          Catégorie
          <select value={e.categorie} onChange={(x) => setE({ ...e, categorie: x.target.value })}>
            {ZONE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {ZONE_CATEGORY_FR[c]}
              </option>
            ))}
          </select>
        </label>
        {!e.id && (
          <label>
            Organisation
            <select value={e.organisationId} onChange={(x) => setE({ ...e, organisationId: x.target.value })}>
              {organisations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.nom}
                </option>
              ))}
            </select>
          </label>
        )}
        <fieldset>
          <legend>Unités de la zone</legend>
          {(["communes", "iris"] as const).map((t) => (
            <label key={t} className="choix">
              <input
                type="radio"
                name="unites"
                checked={e.type === t}
                onChange={() => setE({ ...e, type: t, membres: t === e.type ? e.membres : [] })}
              />{" "}
              {t === "communes" ? "Communes" : "IRIS"}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="champ">
        <label htmlFor="zone-territoire">Territoire de la carte</label>
        <input
          id="zone-territoire"
          type="search"
          autoComplete="off"
          placeholder="commune, intercommunalité ou département"
          value={q}
          onChange={(x) => setQ(x.target.value)}
        />
        {resultats.length > 0 && (
          <ul className="resultats" aria-label="Territoires trouvés">
            {resultats.map((r) => (
              <li key={`${r.kind}-${r.code}`}>
                <button
                  type="button"
                  className="lien"
                  onClick={() => {
                    setTerritoire({ kind: r.kind, code: r.code, nom: r.nom });
                    setQ("");
                    setResultats([]);
                  }}
                >
                  {r.nom}
                </button>{" "}
                <span className="discret">{r.detail ?? r.code}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {territoire && (
        <p className="discret">
          Carte : {territoire.nom}
          {iris ? ` — ${compte(unites.length, e.type)}` : " (chargement…)"}
        </p>
      )}
      <div className="zone-editeur">
        {iris && iris.features.length > 0 ? (
          <CarteSelection
            donnees={iris}
            unites={e.type}
            choisis={choisis}
            basculer={basculer}
            description={`Carte de ${territoire?.nom ?? "territoire"} : ${pluriel(e.membres.length, "unité")} choisie${e.membres.length > 1 ? "s" : ""} sur ${unites.length}`}
          />
        ) : (
          <p className="discret zone-sans-carte">
            {territoire ? "Aucun contour IRIS pour ce territoire." : "Choisissez le territoire de la carte."}
          </p>
        )}
        <div className="zone-liste">
          <h3 id="zone-choisies">Unités choisies ({e.membres.length})</h3>
          <ul aria-labelledby="zone-choisies">
            {e.membres.map((code) => (
              <li key={code}>
                {noms.get(code) ?? code} <span className="discret">{code}</span>{" "}
                <button
                  type="button"
                  className="secondaire"
                  aria-label={`Retirer ${noms.get(code) ?? code}`}
                  onClick={() => basculer(code)}
                >
                  Retirer
                </button>
              </li>
            ))}
          </ul>
          <label htmlFor="zone-filtre">Ajouter une unité sans la carte</label>
          <input
            id="zone-filtre"
            type="search"
            autoComplete="off"
            disabled={!iris}
            placeholder={`nom ou code ${e.type === "iris" ? "IRIS" : "commune"}`}
            value={filtre}
            onChange={(x) => setFiltre(x.target.value)}
          />
          <ul aria-label="Unités trouvées">
            {proposees.map((u) => (
              <li key={u.code}>
                <button type="button" className="secondaire" onClick={() => basculer(u.code)}>
                  Ajouter {u.nom}
                </button>{" "}
                <span className="discret">{u.code}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      <div>
        <button type="submit">Enregistrer la zone</button>{" "}
        <button type="button" className="secondaire" onClick={annuler}>
          Annuler
        </button>
      </div>
    </form>
  );
}
