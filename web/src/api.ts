/** Calls to the Socle API; errors carry the server's French message. */
import type { FeatureCollection } from "geojson";
import type { Alert, Status } from "../../src/core/convention/lifecycle";
import type { AvenantChanges, Convention } from "../../src/core/convention/model";
import type { Action } from "../../src/core/convention/rights";
import type { TerritoryInfo } from "../../src/core/territory/territory";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

export async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const file = body instanceof Blob;
  const res = await fetch(url, {
    method,
    headers:
      body === undefined ? {} : { "content-type": file ? "application/octet-stream" : "application/json" },
    body: body === undefined ? undefined : file ? body : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = (await res.json().catch(() => null)) as {
    erreur?: { message?: string; details?: string[] };
  } | null;
  if (!res.ok)
    throw new ApiError(res.status, data?.erreur?.message ?? `Erreur ${res.status}`, data?.erreur?.details);
  return data as T;
}

export interface Moi {
  id: string;
  email: string;
  nom: string;
  administrateurPlateforme: boolean;
  organisations: { id: string; nom: string; type: string; role: string; roleLibelle: string }[];
}

export type Territoire = TerritoryInfo;

export interface Resultat {
  kind: "commune" | "epci" | "departement" | "iris";
  code: string;
  nom: string;
  iris?: number;
  /** Département, postcodes… as the catalogue search words it. */
  detail?: string;
}

export interface ConventionResume {
  id: string;
  titre: string;
  statut: Status;
  statutLibelle: string;
  prochaineReconduction: string | null;
  dernierJourPreavis: string | null;
  finPrevue: string | null;
  alertes: Alert[];
  mesParties: string[];
  mesRoles: string[];
  permis: Record<Action, boolean>;
  parties: {
    id: string;
    nom: string;
    roles: string[];
    organisation: string | null;
    /** null: the party registered the convention; otherwise its acceptance (date, or still awaited). */
    acceptation: { accepteeLe: string | null } | null;
  }[];
  acceptationsAttendues: string[];
  /** The party that processes and releases. */
  traitement: string | null;
}

export interface ConventionDetail extends ConventionResume {
  /** As signed. */
  document: Convention;
  /** As amended by the avenants in effect today. */
  versionEnVigueur: Convention;
}

export interface AccordDiffusion {
  id: string;
  partie: string;
  portee: string;
  destinataire: string;
  accordeLe: string;
}

export interface DemandeAccord {
  id: string;
  demandeur: string;
  fournisseur: string;
  portee: string;
  destinataire: string;
  demandeLe: string;
  statut: "en_attente" | "accordee" | "refusee";
  motif: string | null;
  reponduLe: string | null;
}

export interface Evenement {
  at: string;
  kind: string;
  detail: Record<string, unknown>;
}

export interface Jeu {
  id: string;
  annexe: string;
  titre: string;
  statut: "a_collecter" | "collecte" | "detruit";
  statutLibelle: string;
  depots: number;
  lignes: number;
  detruitLe: string | null;
}

export interface Fed {
  id: string;
  conventionId: string;
  statut: "en_attente" | "favorable" | "defavorable";
  statutLibelle: string;
  sens: "recue" | "envoyee" | "autre";
  convention: { id: string; titre: string };
  demandeurNom: string;
  fournisseurNom: string;
  demandeLe: string;
  reponduLe?: string;
  feuille1: {
    demandeur: string;
    fournisseur: string;
    referent: { nom: string; fonction?: string; email?: string; telephone?: string };
    service: string;
    chefService: string;
    etude: string;
    indicateurs: string[];
    delaiSouhaite: string;
  };
  feuille2?: {
    avis: "favorable" | "defavorable";
    motif?: string;
    indicateursDisponibles: string[];
    delaiLivraison?: string;
    annexes: string[];
  };
  annexesDuFournisseur: { id: string; titre: string }[];
}

export interface Restitution {
  id: string;
  titre: string;
  nomFichier: string;
  deposeLe: string;
  envois: { partie: string; envoyeLe: string }[];
}

export interface Organisation {
  id: string;
  nom: string;
  type: string;
  typeLibelle: string;
}

export interface DiffusionResume {
  id: string;
  jeuId: string;
  jeu: string;
  annee: number;
  zonage: string;
  mentionSource: string;
  diffuseLe: string;
}

export interface Diffusion {
  id: string;
  conventionId: string;
  jeuId: string;
  annee: number;
  zonage: string;
  mentionSource: string;
  /** « Usage interne – diffusion interdite sans accord de … » where the convention limits use, else null. */
  usageInterne: string | null;
  /** Both parties' names where the convention asks for the double sigle, else null. */
  doubleSigle: string | null;
  nonLocalises: number;
  audit: { ok: boolean; primaires: number; secondaires: number };
  diffuseLe: string;
  dateObservation?: string;
  miseAJour?: string;
  /** Annex fields declared absent from the deposits counted (not released). */
  champsAbsents?: { nom: string; libelle: string }[];
  tableaux: {
    nom: string;
    variables: { nom: string; libelle: string }[];
    libelles: Record<string, Record<string, string>>;
    cellules: { codes: string[]; valeur: number | null; statut: string }[];
  }[];
}

export interface ApercuDepot {
  fichier: string;
  format: "csv" | "xlsx";
  encodage: string | null;
  colonnes: string[];
  champs: { nom: string; type: string; libelle: string; obligatoire: boolean }[];
  proposition: Record<string, number>;
  lisibilite: Record<string, number>;
  lignesLues: number;
  /** Address parts the annex does not list: extra columns that feed the geocoder. */
  partiesAdresse: { cle: string; libelle: string }[];
  absents: string[];
  /** What the mapping still misses, as French questions. */
  questions: string[];
  /** Of the first rows, how many the composed address finds (counts only). */
  adresses: { lues: number; avecIris: number; parRaison: Record<string, number> } | null;
}

export interface ResultatDepot {
  lignes: number;
  doublons?: number;
  sansIris?: number;
  depotId?: string;
  indicateurs?: string[];
  masquees?: number;
  /** IRIS tables: « longue » (code_iris;indicateur;valeur) or « large » (a column per indicator). */
  forme?: "longue" | "large";
}

/** Uploads a deposit with its confirmed mapping, reporting upload progress (0..1). */
export function deposerFichier(
  jeuId: string,
  file: File,
  annee: number,
  correspondance: Record<string, string>,
  onProgress: (share: number) => void,
  absents: readonly string[] = [],
  mode: "" | "complement" | "correction" = "",
  dates: { observation?: string; miseAJour?: string } = {},
): Promise<ResultatDepot> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const url = `/api/jeux/${jeuId}/depots?nomFichier=${encodeURIComponent(file.name)}&annee=${annee}&correspondance=${encodeURIComponent(JSON.stringify(correspondance))}&absents=${encodeURIComponent(absents.join(","))}${mode ? `&mode=${mode}` : ""}${dates.observation ? `&dateObservation=${dates.observation}` : ""}${dates.miseAJour ? `&dateMiseAJour=${dates.miseAJour}` : ""}`;
    xhr.open("POST", url);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const data = (() => {
        try {
          return JSON.parse(xhr.responseText) as { erreur?: { message?: string; details?: string[] } };
        } catch {
          return null;
        }
      })();
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as unknown as ResultatDepot);
      else
        reject(
          new ApiError(xhr.status, data?.erreur?.message ?? `Erreur ${xhr.status}`, data?.erreur?.details),
        );
    };
    xhr.onerror = () => reject(new ApiError(0, "Connexion interrompue pendant l'envoi du fichier."));
    xhr.send(file);
  });
}

const enc = encodeURIComponent;

export const api = {
  moi: () => call<Moi>("GET", "/api/moi"),
  connexion: (email: string, motDePasse: string) =>
    call<Moi>("POST", "/api/auth/connexion", { email, motDePasse }),
  deconnexion: () => call<{ ok: true }>("POST", "/api/auth/deconnexion"),
  sante: () => call<{ ok: boolean; demo: boolean }>("GET", "/api/sante"),
  /** The catalogue's search (accents, postcodes, départements); the older commune/EPCI search otherwise. */
  chercher: (q: string) =>
    call<{ resultats: { niveau: Resultat["kind"]; code: string; nom: string; detail: string }[] }>(
      "GET",
      `/api/territoires/recherche?q=${encodeURIComponent(q)}`,
    ).then(
      (r): Resultat[] =>
        r.resultats.map((x) => ({ kind: x.niveau, code: x.code, nom: x.nom, detail: x.detail })),
      (e) => {
        if (e instanceof ApiError && e.status === 404)
          return call<Resultat[]>("GET", `/api/territoires?q=${encodeURIComponent(q)}`);
        throw e;
      },
    ),
  territoire: (type: string, code: string) => call<Territoire>("GET", `/api/territoires/${type}/${code}`),
  iris: (type: string, code: string) =>
    call<FeatureCollection>("GET", `/api/territoires/${type}/${code}/iris`),
  annuaire: () => call<Organisation[]>("GET", "/api/organisations/annuaire"),
  conventions: () => call<ConventionResume[]>("GET", "/api/conventions"),
  convention: (id: string) => call<ConventionDetail>("GET", `/api/conventions/${enc(id)}`),
  creerConvention: (convention: Convention, organisations: Record<string, string>) =>
    call<{ id: string }>("POST", "/api/conventions", { convention, organisations }),
  historique: (id: string) => call<Evenement[]>("GET", `/api/conventions/${enc(id)}/historique`),
  preavis: (id: string, motif: "ordinaire" | "faute") =>
    call<{ fin: string }>("POST", `/api/conventions/${enc(id)}/preavis`, { motif }),
  avenant: (
    id: string,
    a: { objet: string; signeLe: string; effetLe: string; modifications?: AvenantChanges },
  ) => call<{ numero: number; jeuxOuverts: string[] }>("POST", `/api/conventions/${enc(id)}/avenants`, a),
  publication: (id: string, publieeLe: string) =>
    call<{ ok: true }>("POST", `/api/conventions/${enc(id)}/publication`, { publieeLe }),
  accepter: (id: string) =>
    call<{ statut: string; acceptationsAttendues: string[] }>(
      "POST",
      `/api/conventions/${enc(id)}/acceptation`,
    ),
  accords: (diffusionId: string) => call<AccordDiffusion[]>("GET", `/api/diffusions/${diffusionId}/accords`),
  accorderDiffusion: (diffusionId: string, portee: string, destinataire: string, demande?: string) =>
    call<{ id: string; accordeLe: string }>("POST", `/api/diffusions/${diffusionId}/accords`, {
      portee,
      destinataire,
      ...(demande ? { demande } : {}),
    }),
  demandesAccord: (diffusionId: string) =>
    call<DemandeAccord[]>("GET", `/api/diffusions/${diffusionId}/demandes-accord`),
  demanderAccord: (diffusionId: string, portee: string, destinataire: string) =>
    call<{ id: string }>("POST", `/api/diffusions/${diffusionId}/demandes-accord`, { portee, destinataire }),
  refuserAccord: (diffusionId: string, demande: string, motif: string) =>
    call<DemandeAccord>("POST", `/api/diffusions/${diffusionId}/demandes-accord/${demande}/refus`, { motif }),
  jeux: (id: string) => call<Jeu[]>("GET", `/api/conventions/${enc(id)}/jeux`),
  deposer: (jeuId: string, file: File) =>
    call<{ id: string }>("POST", `/api/jeux/${jeuId}/depots?nomFichier=${enc(file.name)}`, file),
  apercu: (
    jeuId: string,
    file: File | Blob,
    nom: string,
    correspondance?: Record<string, string>,
    absents?: readonly string[],
  ) =>
    call<ApercuDepot>(
      "POST",
      `/api/jeux/${jeuId}/depots/apercu?nomFichier=${enc(nom)}${correspondance ? `&correspondance=${enc(JSON.stringify(correspondance))}` : ""}${absents ? `&absents=${enc(absents.join(","))}` : ""}`,
      file,
    ),
  detruire: (jeuId: string) =>
    call<{ texte: string; empreinte: string }>("POST", `/api/jeux/${jeuId}/destruction`, {
      confirmation: "DÉTRUIRE",
    }),
  attestation: (jeuId: string) =>
    call<{ valide: boolean; problemes: string[]; texte: string }>("GET", `/api/jeux/${jeuId}/attestation`),
  restitutions: (id: string) => call<Restitution[]>("GET", `/api/conventions/${enc(id)}/restitutions`),
  restituer: (id: string, titre: string, file: File) =>
    call<{ id: string }>(
      "POST",
      `/api/conventions/${enc(id)}/restitutions?titre=${enc(titre)}&nomFichier=${enc(file.name)}`,
      file,
    ),
  diffusions: (conventionId: string) =>
    call<DiffusionResume[]>("GET", `/api/conventions/${enc(conventionId)}/diffusions`),
  diffusion: (id: string) => call<Diffusion>("GET", `/api/diffusions/${id}`),
  diffusionGeo: (id: string, tableau: number) =>
    call<FeatureCollection>("GET", `/api/diffusions/${id}/export/geojson?tableau=${tableau}`),
  diffuser: (jeuId: string, annee: number) =>
    call<{ id: string }>("POST", `/api/jeux/${jeuId}/diffusions`, { annee }),
  feds: () => call<Fed[]>("GET", "/api/fed"),
  fed: (id: string) => call<Fed>("GET", `/api/fed/${id}`),
  demanderFed: (conventionId: string, feuille1: Omit<Fed["feuille1"], "demandeur">) =>
    call<{ id: string }>("POST", `/api/conventions/${enc(conventionId)}/fed`, feuille1),
  repondreFed: (id: string, feuille2: NonNullable<Fed["feuille2"]>) =>
    call<{ statut: string; jeux: string[] }>("POST", `/api/fed/${id}/reponse`, feuille2),
};

/** dd/mm/yyyy from an ISO date or instant. */
export function dateFr(iso: string | null | undefined): string {
  if (!iso) return "—";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}
