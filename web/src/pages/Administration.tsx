/**
 * Administration: users and their memberships (role, service), new accounts
 * and organisations, and — for the platform administrator — the audit log
 * filtered by user, action and date, with the verification of its chain.
 */
import { useCallback, useEffect, useState } from "react";
import { api, type Moi, type Organisation } from "../api";
import { admin, type EntreeJournal, type Utilisateur } from "../api-parties";
import { Lien } from "../components/Lien";

const ROLES: [string, string][] = [
  ["admin", "Administrateur"],
  ["referent", "Référent"],
  ["analyste", "Analyste"],
  ["lecteur", "Lecteur"],
];
const TYPES = ["CCAS", "CAF", "CD", "EPCI", "BUREAU_ETUDES", "AUTRE"];

const RoleOptions = () =>
  ROLES.map(([v, l]) => (
    <option key={v} value={v}>
      {l}
    </option>
  ));

export function AdministrationPage({ moi }: { moi: Moi }) {
  const [utilisateurs, setUtilisateurs] = useState<Utilisateur[]>([]);
  const [annuaire, setAnnuaire] = useState<Organisation[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);
  const gerees = moi.administrateurPlateforme
    ? annuaire
    : annuaire.filter((o) =>
        moi.organisations.some((m) => m.id === o.id && (m.role === "admin" || m.role === "referent")),
      );

  const charger = useCallback(async () => {
    const [u, a] = await Promise.all([admin.utilisateurs(), api.annuaire()]);
    setUtilisateurs(u);
    setAnnuaire(a);
  }, []);
  useEffect(() => {
    void charger().catch((e) => setErreur(e instanceof Error ? e.message : "Chargement impossible."));
  }, [charger]);

  async function agir(action: () => Promise<unknown>, succes: string) {
    setErreur(null);
    setMessage(null);
    try {
      await action();
      setMessage(succes);
      await charger();
    } catch (e) {
      setErreur(e instanceof Error ? e.message : "Action impossible.");
    }
  }

  return (
    <section className="fiche">
      <h1>Administration</h1>
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
      {gerees.length > 0 && (
        <p>
          <Lien href="/administration/zones">Zones personnalisées</Lien> : dessiner sur la carte les
          regroupements de communes ou d'IRIS de vos organisations (RPE, quartiers, QPV…).
        </p>
      )}
      <h2>Utilisateurs</h2>
      {utilisateurs.length === 0 ? (
        <p className="discret">Aucun utilisateur d'une organisation que vous gérez.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Nom</th>
              <th>Adresse</th>
              <th>Organisations (rôle, service)</th>
            </tr>
          </thead>
          <tbody>
            {utilisateurs.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.nom}
                  {u.administrateurPlateforme ? " (administration de la plateforme)" : ""}
                </td>
                <td>{u.email}</td>
                <td>
                  {u.organisations
                    .map((o) => `${o.nom} (${o.roleLibelle}${o.service ? `, ${o.service}` : ""})`)
                    .join(" ; ") || "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {gerees.length > 0 && <NouveauCompte organisations={gerees} agir={agir} />}
      {gerees.length > 0 && utilisateurs.length > 0 && (
        <Adhesion organisations={gerees} utilisateurs={utilisateurs} agir={agir} />
      )}
      {moi.administrateurPlateforme && <NouvelleOrganisation agir={agir} />}
      {moi.administrateurPlateforme && <Journal utilisateurs={utilisateurs} />}
    </section>
  );
}

type Agir = (action: () => Promise<unknown>, succes: string) => Promise<void>;

function NouveauCompte({ organisations, agir }: { organisations: Organisation[]; agir: Agir }) {
  const [f, setF] = useState({
    email: "",
    nom: "",
    motDePasse: "",
    organisationId: "",
    role: "analyste",
    service: "",
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  return (
    <form
      className="formulaire"
      aria-label="Créer un compte"
      onSubmit={(e) => {
        e.preventDefault();
        void agir(
          () =>
            admin.creerUtilisateur({
              ...f,
              organisationId: f.organisationId || organisations[0]!.id,
              ...(f.service ? { service: f.service } : {}),
            }),
          "Compte créé.",
        );
      }}
    >
      <h3>Créer un compte</h3>
      <div className="ligne">
        <label>
          Nom
          <input required value={f.nom} onChange={set("nom")} />
        </label>
        <label>
          Adresse électronique du compte
          <input required type="email" value={f.email} onChange={set("email")} />
        </label>
        <label>
          Mot de passe initial
          <input
            required
            type="password"
            value={f.motDePasse}
            onChange={set("motDePasse")}
            autoComplete="new-password"
          />
        </label>
      </div>
      <div className="ligne">
        <label>
          Organisation du compte
          <select value={f.organisationId} onChange={set("organisationId")}>
            {organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.nom}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rôle
          <select value={f.role} onChange={set("role")}>
            <RoleOptions />
          </select>
        </label>
        <label>
          Service (facultatif)
          <input value={f.service} onChange={set("service")} />
        </label>
      </div>
      <div>
        <button type="submit">Créer le compte</button>
      </div>
    </form>
  );
}

function Adhesion({
  organisations,
  utilisateurs,
  agir,
}: {
  organisations: Organisation[];
  utilisateurs: Utilisateur[];
  agir: Agir;
}) {
  const [u, setU] = useState("");
  const [o, setO] = useState("");
  const [role, setRole] = useState("analyste");
  const [service, setService] = useState("");
  return (
    <form
      className="formulaire"
      aria-label="Adhésion et service"
      onSubmit={(e) => {
        e.preventDefault();
        void agir(
          () => admin.adhesion(o || organisations[0]!.id, u || utilisateurs[0]!.id, role, service),
          "Adhésion enregistrée.",
        );
      }}
    >
      <h3>Rôle et service d'un membre</h3>
      <div className="ligne">
        <label>
          Utilisateur
          <select value={u} onChange={(e) => setU(e.target.value)}>
            {utilisateurs.map((x) => (
              <option key={x.id} value={x.id}>
                {x.nom} ({x.email})
              </option>
            ))}
          </select>
        </label>
        <label>
          Organisation
          <select value={o} onChange={(e) => setO(e.target.value)}>
            {organisations.map((x) => (
              <option key={x.id} value={x.id}>
                {x.nom}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rôle du membre
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <RoleOptions />
          </select>
        </label>
        <label>
          Service du membre
          <input value={service} onChange={(e) => setService(e.target.value)} />
        </label>
      </div>
      <div>
        <button type="submit">Enregistrer l'adhésion</button>
      </div>
    </form>
  );
}

function NouvelleOrganisation({ agir }: { agir: Agir }) {
  const [nom, setNom] = useState("");
  const [type, setType] = useState("CCAS");
  return (
    <form
      className="formulaire"
      aria-label="Créer une organisation"
      onSubmit={(e) => {
        e.preventDefault();
        void agir(() => admin.creerOrganisation(nom, type), "Organisation créée.");
      }}
    >
      <h3>Créer une organisation</h3>
      <div className="ligne">
        <label>
          Nom de l'organisation
          <input required value={nom} onChange={(e) => setNom(e.target.value)} />
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </div>
      <div>
        <button type="submit">Créer l'organisation</button>
      </div>
    </form>
  );
}

function Journal({ utilisateurs }: { utilisateurs: Utilisateur[] }) {
  const [filtre, setFiltre] = useState({ utilisateur: "", action: "", du: "", au: "" });
  const [entrees, setEntrees] = useState<EntreeJournal[]>([]);
  const [actions, setActions] = useState<string[]>([]);
  const [verification, setVerification] = useState<{ ok: boolean; message: string } | null>(null);
  const [erreur, setErreur] = useState<string | null>(null);
  const chercher = useCallback(async (f: typeof filtre) => {
    try {
      const r = await admin.journal(f);
      setEntrees(r.entrees);
      setActions(r.actions);
      setErreur(null);
    } catch (e) {
      setErreur(e instanceof Error ? e.message : "Journal indisponible.");
    }
  }, []);
  useEffect(() => {
    void chercher({ utilisateur: "", action: "", du: "", au: "" });
  }, [chercher]);
  const set = (k: keyof typeof filtre) => (e: { target: { value: string } }) =>
    setFiltre({ ...filtre, [k]: e.target.value });
  return (
    <section aria-labelledby="titre-journal">
      <h2 id="titre-journal">Journal d'audit</h2>
      <form
        className="formulaire"
        aria-label="Filtrer le journal"
        onSubmit={(e) => {
          e.preventDefault();
          void chercher(filtre);
        }}
      >
        <div className="ligne">
          <label>
            Utilisateur
            <select value={filtre.utilisateur} onChange={set("utilisateur")}>
              <option value="">tous</option>
              {utilisateurs.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.nom}
                </option>
              ))}
            </select>
          </label>
          <label>
            Action
            <select value={filtre.action} onChange={set("action")}>
              <option value="">toutes</option>
              {actions.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <label>
            Du
            <input type="date" value={filtre.du} onChange={set("du")} />
          </label>
          <label>
            Au
            <input type="date" value={filtre.au} onChange={set("au")} />
          </label>
        </div>
        <div>
          <button type="submit">Filtrer</button>{" "}
          <button
            type="button"
            className="secondaire"
            onClick={() =>
              admin
                .verifier()
                .then(setVerification, (e) => setErreur(e instanceof Error ? e.message : "Échec."))
            }
          >
            Vérifier la chaîne
          </button>
        </div>
      </form>
      {verification && (
        <p className={verification.ok ? "succes" : "erreur"} role="status">
          {verification.message}
        </p>
      )}
      {erreur && (
        <p className="erreur" role="alert">
          {erreur}
        </p>
      )}
      <table aria-label="Entrées du journal">
        <thead>
          <tr>
            <th>N°</th>
            <th>Date</th>
            <th>Utilisateur</th>
            <th>Action</th>
            <th>Cible</th>
          </tr>
        </thead>
        <tbody>
          {entrees.map((x) => (
            <tr key={x.seq}>
              <td className="nombre">{x.seq}</td>
              <td>{new Date(x.at).toLocaleString("fr-FR")}</td>
              <td>{x.utilisateur ? x.utilisateur.nom : "—"}</td>
              <td>{x.action}</td>
              <td>{x.cible ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
