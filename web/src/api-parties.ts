/** API calls of the parties' exchanges: anomalies, restitution sessions, tasks, administration. */
import { call } from "./api";

export interface MessageAnomalie {
  partie: string;
  partieNom: string;
  auteur: string | null;
  texte: string;
  lignes: number[];
  ecritLe: string;
}

export interface Anomalie {
  id: string;
  cible: { type: "depot" | "diffusion"; id: string };
  statut: "ouverte" | "repondue" | "close";
  statutLibelle: string;
  signaleParNom: string;
  fournisseurNom: string;
  monCote: "signalant" | "fournisseur" | null;
  creeLe: string;
  /** Set when the data were destroyed: the messages' words are gone, the record stays. */
  contenuEffaceLe: string | null;
  messages: MessageAnomalie[];
}

export interface CibleAnomalie {
  type: "depot" | "diffusion";
  id: string;
  libelle: string;
  lignes: number | null;
}

export interface Seance {
  id: string;
  tenueLe: string;
  participants: string[];
  compteRendu: string;
}

const enc = encodeURIComponent;

export const parties = {
  anomalies: (id: string) => call<Anomalie[]>("GET", `/api/conventions/${enc(id)}/anomalies`),
  cibles: (id: string) => call<CibleAnomalie[]>("GET", `/api/conventions/${enc(id)}/anomalies/cibles`),
  signaler: (id: string, a: { cible: { type: string; id: string }; texte: string; lignes?: number[] }) =>
    call<{ id: string }>("POST", `/api/conventions/${enc(id)}/anomalies`, a),
  repondre: (anomalieId: string, m: { texte: string; lignes?: number[] }) =>
    call<{ statut: string }>("POST", `/api/anomalies/${anomalieId}/messages`, m),
  clore: (anomalieId: string) => call<{ statut: string }>("POST", `/api/anomalies/${anomalieId}/cloture`),
  seances: (id: string) => call<Seance[]>("GET", `/api/conventions/${enc(id)}/seances-restitution`),
  enregistrerSeance: (id: string, s: { tenueLe: string; participants: string[]; compteRendu: string }) =>
    call<{ id: string }>("POST", `/api/conventions/${enc(id)}/seances-restitution`, s),
};

/** « 3, 12-14 » → [3, 12, 13, 14]; null when the text is not a list of lines. */
export function parseLignes(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(/[,;\s]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    if (b < a || b - a > 1000) return null;
    for (let n = a; n <= b; n++) out.push(n);
  }
  return out;
}

export interface Taches {
  total: number;
  parType: Record<string, { libelle: string; nombre: number }>;
  taches: {
    kind: string;
    conventionId: string;
    conventionTitre: string;
    date: string;
    libelle: string;
    lien: string;
  }[];
}

export const taches = () => call<Taches>("GET", "/api/taches");

export interface Utilisateur {
  id: string;
  email: string;
  nom: string;
  administrateurPlateforme: boolean;
  organisations: { id: string; nom: string; role: string; roleLibelle: string; service: string | null }[];
}

export interface EntreeJournal {
  seq: number;
  at: string;
  utilisateur: { id: string; nom: string; email: string } | null;
  action: string;
  cible: string | null;
  detail: Record<string, unknown>;
}

export const admin = {
  utilisateurs: () => call<Utilisateur[]>("GET", "/api/admin/utilisateurs"),
  creerUtilisateur: (u: {
    email: string;
    nom: string;
    motDePasse: string;
    organisationId: string;
    role: string;
    service?: string;
  }) => call<{ id: string }>("POST", "/api/admin/utilisateurs", u),
  adhesion: (organisationId: string, utilisateurId: string, role: string, service?: string) =>
    call<{ ok: true }>("PUT", `/api/organisations/${organisationId}/membres/${utilisateurId}`, {
      role,
      ...(service ? { service } : {}),
    }),
  creerOrganisation: (nom: string, type: string) =>
    call<{ id: string }>("POST", "/api/admin/organisations", { nom, type }),
  journal: (f: { utilisateur?: string; action?: string; du?: string; au?: string }) => {
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
    return call<{ entrees: EntreeJournal[]; actions: string[] }>("GET", `/api/admin/journal?${q}`);
  },
  verifier: () => call<{ ok: boolean; message: string }>("GET", "/api/admin/journal/verification"),
};
