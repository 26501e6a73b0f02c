/**
 * The rights matrix: every API route × every part (fournisseur, destinataire,
 * prestataire, lecteur, an outsider organisation, the platform administrator)
 * × every convention status → allowed or 403 (404 to an outsider, the same
 * answer as for a missing object), from the one table below,
 * against the real HTTP server. A route registered without an entry here
 * fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Status } from "../../src/core/convention/lifecycle.js";
import { statusOn } from "../../src/core/convention/lifecycle.js";
import type { Convention } from "../../src/core/convention/model.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { publishRelease } from "../../src/release/publish.js";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { createAnomaly } from "../../src/store/anomalies.js";
import { askApproval } from "../../src/store/approval-requests.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu, destroyJeu, insertMicrodonnees, storeDeposit } from "../../src/store/datasets.js";
import { fileFedRequest } from "../../src/store/fed.js";
import { recordRestitution } from "../../src/store/restitutions.js";
import { createZone } from "../../src/store/zones.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

const TODAY = "2026-06-15";
const PASSWORD = "Matrice-Droits-2026";

const PARTS = ["fournisseur", "destinataire", "prestataire", "lecteur"] as const;
type Who = (typeof PARTS)[number] | "dehors" | "admin";
const WHO: readonly Who[] = [...PARTS, "dehors", "admin"];
const STATUSES: readonly Status[] = [
  "brouillon",
  "signee",
  "active",
  "preavis",
  "resiliee",
  "expiree",
  "terminee_publication",
];
const IN_FORCE: Status[] = ["active", "preavis"];
/** Past the draft and not ended: what a convention may be changed or asked under. */
const SIGNED_NOT_ENDED: Status[] = ["signee", "active", "preavis"];
const SINCE_EFFECT: Status[] = ["active", "preavis", "resiliee", "expiree", "terminee_publication"];
const ALL_PARTIES: Who[] = [...PARTS];
const PARTIES_AND_ADMIN: Who[] = [...PARTS, "admin"];

/** Objects a request may point at, made for one convention. */
interface Fixture {
  conventionId: string;
  fedId: string;
  jeuId: string;
  jeuDetruitId: string;
  diffusionId: string;
  depotId: string;
  /** A protocol-1 geocoding whose result was already downloaded (so a download is refused, 409). */
  geocodageId: string;
  /** An anomaly the recipient reported on the release, addressed to the provider. */
  anomalieId: string;
  restitutionId: string;
  /** The recipient's request for the provider's approval of the release's external diffusion. */
  demandeAccordId: string;
}

interface Req {
  method: string;
  path: string;
  json?: unknown;
  raw?: Uint8Array;
}

type Entry =
  | { scope: "public"; request: () => Req }
  | { scope: "session"; request: (who: Who) => Req }
  /** The platform administrator's only: 403 to everyone else. */
  | { scope: "plateforme"; request: () => Req }
  | {
      scope: "convention";
      /** Who may, and under which statuses. */
      who: Who[];
      statuses: readonly Status[];
      /** Statuses where the right is given but the business rule refuses (400/409), not the rights. */
      businessRefusal?: Status[];
      /** The request changes the convention: each cell gets its own. */
      fresh?: boolean;
      request: (f: Fixture, who: Who, n: number) => Req;
    };

/** Routes on a convention's data (the scope « convention » of the table). */
const ROUTES_ON_CONVENTIONS = 47;

let counter = 0;
const uniq = () => ++counter;

/** THE table: one entry per API route. */
const MATRIX: Record<string, Entry> = {
  "GET /api/sante": { scope: "public", request: () => ({ method: "GET", path: "/api/sante" }) },
  "GET /api/sante/vivant": { scope: "public", request: () => ({ method: "GET", path: "/api/sante/vivant" }) },
  "GET /api/docs": { scope: "public", request: () => ({ method: "GET", path: "/api/docs" }) },
  "POST /api/auth/connexion": {
    scope: "public",
    request: () => ({
      method: "POST",
      path: "/api/auth/connexion",
      json: { email: "fournisseur@matrice.test", motDePasse: PASSWORD },
    }),
  },
  // Logging out without a session is harmless: it is public.
  "POST /api/auth/deconnexion": {
    scope: "public",
    request: () => ({ method: "POST", path: "/api/auth/deconnexion" }),
  },
  "GET /api/moi": { scope: "session", request: () => ({ method: "GET", path: "/api/moi" }) },
  "GET /api/territoires": {
    scope: "session",
    request: () => ({ method: "GET", path: "/api/territoires?q=Val" }),
  },
  "GET /api/territoires/recherche": {
    scope: "session",
    request: () => ({ method: "GET", path: "/api/territoires/recherche?q=val%20socle" }),
  },
  "GET /api/indicateurs": { scope: "session", request: () => ({ method: "GET", path: "/api/indicateurs" }) },
  "GET /api/territoires/:type/:code": {
    scope: "session",
    request: () => ({ method: "GET", path: "/api/territoires/commune/00001" }),
  },
  "GET /api/territoires/:type/:code/iris": {
    scope: "session",
    request: () => ({ method: "GET", path: "/api/territoires/commune/00001/iris" }),
  },
  "GET /api/organisations": {
    scope: "session",
    request: () => ({ method: "GET", path: "/api/organisations" }),
  },
  "GET /api/organisations/annuaire": {
    scope: "session",
    request: () => ({ method: "GET", path: "/api/organisations/annuaire" }),
  },
  "GET /api/organisations/:id/membres": {
    scope: "session",
    request: (who) => ({ method: "GET", path: `/api/organisations/${ownOrg(who)}/membres` }),
  },
  "GET /api/zones": { scope: "session", request: () => ({ method: "GET", path: "/api/zones" }) },
  "GET /api/zones/:id": {
    scope: "session",
    request: (who) => ({ method: "GET", path: `/api/zones/${zones[who === "admin" ? "fournisseur" : who]}` }),
  },
  "POST /api/zones": {
    scope: "session",
    request: (who) => ({
      method: "POST",
      path: "/api/zones",
      json: { organisationId: ownOrg(who), nom: `Zone ${uniq()}`, type: "communes", membres: ["00001"] },
    }),
  },
  // Each referent renames its own organisation's zone (the administrator the provider's).
  "PATCH /api/zones/:id": {
    scope: "session",
    request: (who) => ({
      method: "PATCH",
      path: `/api/zones/${zones[who === "admin" ? "fournisseur" : who]}`,
      json: { nom: `Zone de ${who} ${uniq()}`, categorie: "secteur" },
    }),
  },
  // A zone of its own no release published, one per user.
  "DELETE /api/zones/:id": {
    scope: "session",
    request: (who) => ({ method: "DELETE", path: `/api/zones/${zonesJetables[who]}` }),
  },
  "GET /api/admin/utilisateurs": {
    scope: "session",
    request: () => ({ method: "GET", path: "/api/admin/utilisateurs" }),
  },
  // Each referent creates a member of its own organisation.
  "POST /api/admin/utilisateurs": {
    scope: "session",
    request: (who) => ({
      method: "POST",
      path: "/api/admin/utilisateurs",
      json: {
        email: `membre-${uniq()}@matrice.test`,
        nom: "Nouveau membre",
        motDePasse: PASSWORD,
        organisationId: ownOrg(who),
        role: "analyste",
      },
    }),
  },
  "PUT /api/organisations/:id/membres/:utilisateur": {
    scope: "session",
    request: (who) => ({
      method: "PUT",
      path: `/api/organisations/${ownOrg(who)}/membres/${users[who === "admin" ? "fournisseur" : who]}`,
      json: { role: "referent", service: "Observatoire" },
    }),
  },
  "POST /api/admin/organisations": {
    scope: "plateforme",
    request: () => ({
      method: "POST",
      path: "/api/admin/organisations",
      json: { nom: `Organisation créée ${uniq()}`, type: "CCAS" },
    }),
  },
  "GET /api/admin/journal": {
    scope: "plateforme",
    request: () => ({ method: "GET", path: "/api/admin/journal?action=http.requete&du=2020-01-01" }),
  },
  "GET /api/admin/journal/verification": {
    scope: "plateforme",
    request: () => ({ method: "GET", path: "/api/admin/journal/verification" }),
  },
  "GET /api/taches": { scope: "session", request: () => ({ method: "GET", path: "/api/taches" }) },
  "GET /api/conventions": { scope: "session", request: () => ({ method: "GET", path: "/api/conventions" }) },
  "POST /api/conventions": {
    scope: "session",
    request: (who) => {
      const id = `creee-${uniq()}`;
      const c = convention(id, "active");
      const mine = ownOrg(who);
      return {
        method: "POST",
        path: "/api/conventions",
        json: {
          convention: c,
          organisations: { f: mine, d: orgs.destinataire, p: orgs.prestataire, l: orgs.lecteur },
        },
      };
    },
  },
  "GET /api/conventions/:id": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}` }),
  },
  "GET /api/conventions/:id/historique": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}/historique` }),
  },
  "POST /api/conventions/:id/preavis": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: SIGNED_NOT_ENDED,
    businessRefusal: ["preavis"],
    fresh: true,
    request: (f) => ({
      method: "POST",
      path: `/api/conventions/${f.conventionId}/preavis`,
      json: { motif: "ordinaire" },
    }),
  },
  "POST /api/conventions/:id/avenants": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: SIGNED_NOT_ENDED,
    fresh: true,
    request: (f) => ({
      method: "POST",
      path: `/api/conventions/${f.conventionId}/avenants`,
      json: { objet: "Ajout d'un indicateur", signeLe: "2026-06-10", effetLe: "2026-06-10" },
    }),
  },
  "POST /api/conventions/:id/publication": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: SIGNED_NOT_ENDED,
    fresh: true,
    request: (f) => ({
      method: "POST",
      path: `/api/conventions/${f.conventionId}/publication`,
      json: { publieeLe: "2026-06-14" },
    }),
  },
  // Only the draft awaits an acceptance, the provider's (the fixture's draft was registered by the others).
  "POST /api/conventions/:id/acceptation": {
    scope: "convention",
    who: ["fournisseur"],
    statuses: ["brouillon"],
    fresh: true,
    request: (f) => ({ method: "POST", path: `/api/conventions/${f.conventionId}/acceptation` }),
  },
  "PUT /api/conventions/:id/referents": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: SIGNED_NOT_ENDED,
    request: (f, who) => ({
      method: "PUT",
      path: `/api/conventions/${f.conventionId}/referents`,
      json: {
        partie: PARTY_OF[who],
        referents: [{ role: "responsable", nom: "Nouvelle référente", depuis: "2026-06-01" }],
      },
    }),
  },
  "POST /api/conventions/:id/fed": {
    scope: "convention",
    who: ["destinataire", "prestataire"],
    statuses: SIGNED_NOT_ENDED,
    fresh: true,
    request: (f) => ({ method: "POST", path: `/api/conventions/${f.conventionId}/fed`, json: sheet1Body() }),
  },
  "GET /api/fed": { scope: "session", request: () => ({ method: "GET", path: "/api/fed" }) },
  "GET /api/fed/:id": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/fed/${f.fedId}` }),
  },
  "GET /api/fed/:id/formulaire": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/fed/${f.fedId}/formulaire` }),
  },
  "POST /api/fed/:id/reponse": {
    scope: "convention",
    who: ["fournisseur"],
    statuses: SIGNED_NOT_ENDED,
    fresh: true,
    request: (f) => ({
      method: "POST",
      path: `/api/fed/${f.fedId}/reponse`,
      json: {
        avis: "favorable",
        indicateursDisponibles: ["Nombre d'allocataires"],
        delaiLivraison: "2026-09-01",
        annexes: ["annexe"],
      },
    }),
  },
  "GET /api/conventions/:id/jeux": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}/jeux` }),
  },
  "POST /api/jeux/:id/depots": {
    scope: "convention",
    who: ["fournisseur", "prestataire"],
    statuses: IN_FORCE,
    request: (f, _w, n) => ({
      method: "POST",
      // Each call adds to the same vintage: a complement.
      path: `/api/jeux/${f.jeuId}/depots?nomFichier=depot.csv&mode=complement`,
      raw: new TextEncoder().encode(`identifiant;commune\nA${n};00001\n`),
    }),
  },
  "POST /api/jeux/:id/depots/apercu": {
    scope: "convention",
    who: ["fournisseur", "prestataire"],
    statuses: IN_FORCE,
    request: (f) => ({
      method: "POST",
      path: `/api/jeux/${f.jeuId}/depots/apercu?nomFichier=apercu.csv`,
      raw: new TextEncoder().encode("identifiant;commune\nA1;00001\n"),
    }),
  },
  "GET /api/jeux/:id/depots/:depot/sans-iris": {
    scope: "convention",
    who: ["fournisseur", "prestataire"],
    statuses: IN_FORCE,
    request: (f) => ({ method: "GET", path: `/api/jeux/${f.jeuId}/depots/${f.depotId}/sans-iris` }),
  },
  // Protocol 1: the annex has no address and the server no address reference: refused once allowed.
  "POST /api/jeux/:id/protocole1/geocodages": {
    scope: "convention",
    who: ["fournisseur", "prestataire"],
    statuses: IN_FORCE,
    businessRefusal: IN_FORCE,
    request: (f) => ({
      method: "POST",
      path: `/api/jeux/${f.jeuId}/protocole1/geocodages?nomFichier=adresses.csv`,
      raw: new TextEncoder().encode("identifiant;adresse\nA1;1 rue de la Mairie\n"),
    }),
  },
  "GET /api/jeux/:id/protocole1/geocodages/:geocodage/resultat": {
    scope: "convention",
    who: ["fournisseur", "prestataire"],
    statuses: IN_FORCE,
    businessRefusal: IN_FORCE,
    request: (f) => ({
      method: "GET",
      path: `/api/jeux/${f.jeuId}/protocole1/geocodages/${f.geocodageId}/resultat`,
    }),
  },
  "GET /api/jeux/:id/protocole1/geocodages/:geocodage/sans-iris": {
    scope: "convention",
    who: ["fournisseur", "prestataire"],
    statuses: IN_FORCE,
    request: (f) => ({
      method: "GET",
      path: `/api/jeux/${f.jeuId}/protocole1/geocodages/${f.geocodageId}/sans-iris`,
    }),
  },
  "GET /api/jeux/:id/microdonnees": {
    scope: "convention",
    who: ["prestataire"],
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/jeux/${f.jeuId}/microdonnees` }),
  },
  "POST /api/jeux/:id/destruction": {
    scope: "convention",
    who: ["fournisseur", "prestataire"],
    statuses: STATUSES,
    fresh: true,
    request: (f) => ({
      method: "POST",
      path: `/api/jeux/${f.jeuId}/destruction`,
      json: { confirmation: "DÉTRUIRE" },
    }),
  },
  "GET /api/jeux/:id/attestation": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/jeux/${f.jeuDetruitId}/attestation` }),
  },
  "GET /api/jeux/:id/attestation/page": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/jeux/${f.jeuDetruitId}/attestation/page` }),
  },
  "GET /api/jeux/:id/attestation/pdf": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/jeux/${f.jeuDetruitId}/attestation/pdf` }),
  },
  "POST /api/conventions/:id/restitutions": {
    scope: "convention",
    who: ["destinataire", "prestataire"],
    statuses: SINCE_EFFECT,
    request: (f, _w, n) => ({
      method: "POST",
      path: `/api/conventions/${f.conventionId}/restitutions?titre=ABS%202026&nomFichier=abs.pdf`,
      raw: new TextEncoder().encode(`%PDF-1.4 étude ${n}`),
    }),
  },
  "POST /api/jeux/:id/diffusions": {
    scope: "convention",
    who: ["prestataire"],
    statuses: IN_FORCE,
    request: (f) => ({ method: "POST", path: `/api/jeux/${f.jeuId}/diffusions`, json: { annee: 2025 } }),
  },
  "GET /api/conventions/:id/diffusions": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}/diffusions` }),
  },
  "GET /api/diffusions/:id": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/diffusions/${f.diffusionId}` }),
  },
  // Indicators narrowed to one convention: its protected outputs, like a release.
  "GET /api/indicateurs/:id/valeurs": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({
      method: "GET",
      path: `/api/indicateurs/allocataires/valeurs?niveau=commune&convention=${f.conventionId}`,
    }),
  },
  "GET /api/indicateurs/:id/series": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({
      method: "GET",
      path: `/api/indicateurs/allocataires/series?territoire=00001&niveau=commune&convention=${f.conventionId}`,
    }),
  },
  "GET /api/indicateurs/portrait": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({
      method: "GET",
      path: `/api/indicateurs/portrait?territoire=00001&niveau=commune&convention=${f.conventionId}`,
    }),
  },
  "GET /api/portraits/commentaire": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({
      method: "GET",
      path: `/api/portraits/commentaire?territoire=00001&niveau=commune&themes=Familles&convention=${f.conventionId}`,
    }),
  },
  "POST /api/portraits/commentaire": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    // Each cell comments on a territory of its own, so that no save finds another's version.
    request: (f, _who, n) => ({
      method: "POST",
      path: "/api/portraits/commentaire",
      json: {
        niveau: "commune",
        territoire: `t${n}`,
        themes: ["Familles"],
        texte: "Commentaire de la matrice des droits.",
        versionModifiee: null,
        convention: f.conventionId,
      },
    }),
  },
  "GET /api/diffusions/:id/export/:format": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: IN_FORCE,
    request: (f) => ({ method: "GET", path: `/api/diffusions/${f.diffusionId}/export/csv` }),
  },
  "POST /api/diffusions/:id/accords": {
    scope: "convention",
    who: ["fournisseur"],
    statuses: IN_FORCE,
    request: (f) => ({
      method: "POST",
      path: `/api/diffusions/${f.diffusionId}/accords`,
      json: { portee: "Publication de l'ABS sur le site de la ville", destinataire: "Grand public" },
    }),
  },
  "POST /api/diffusions/:id/demandes-accord": {
    scope: "convention",
    who: ["destinataire", "prestataire", "lecteur"],
    statuses: IN_FORCE,
    request: (f) => ({
      method: "POST",
      path: `/api/diffusions/${f.diffusionId}/demandes-accord`,
      json: { portee: "Présentation au conseil d'administration", destinataire: "Conseil d'administration" },
    }),
  },
  "GET /api/diffusions/:id/demandes-accord": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/diffusions/${f.diffusionId}/demandes-accord` }),
  },
  // Each status's fixture has one request: the provider, the only one allowed, refuses it once.
  "POST /api/diffusions/:id/demandes-accord/:demande/refus": {
    scope: "convention",
    who: ["fournisseur"],
    statuses: IN_FORCE,
    request: (f) => ({
      method: "POST",
      path: `/api/diffusions/${f.diffusionId}/demandes-accord/${f.demandeAccordId}/refus`,
      json: { motif: "Les résultats ne sont pas encore commentés." },
    }),
  },
  "GET /api/diffusions/:id/accords": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/diffusions/${f.diffusionId}/accords` }),
  },
  "GET /api/conventions/:id/restitutions": {
    scope: "convention",
    who: PARTIES_AND_ADMIN,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}/restitutions` }),
  },
  "GET /api/restitutions/:id/document": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/restitutions/${f.restitutionId}/document` }),
  },
  "POST /api/conventions/:id/seances-restitution": {
    scope: "convention",
    who: ["destinataire", "prestataire"],
    statuses: SINCE_EFFECT,
    request: (f) => ({
      method: "POST",
      path: `/api/conventions/${f.conventionId}/seances-restitution`,
      json: {
        tenueLe: "2026-06-01",
        participants: ["Fournisseur", "Destinataire"],
        compteRendu: "Résultats présentés.",
      },
    }),
  },
  "GET /api/conventions/:id/seances-restitution": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}/seances-restitution` }),
  },
  // Any party but the data's provider reports; only the two sides of a thread write in it.
  "POST /api/conventions/:id/anomalies": {
    scope: "convention",
    who: ["destinataire", "prestataire", "lecteur"],
    statuses: STATUSES,
    request: (f) => ({
      method: "POST",
      path: `/api/conventions/${f.conventionId}/anomalies`,
      json: { cible: { type: "diffusion", id: f.diffusionId }, texte: "Effectif de l'IRIS 0001 incohérent." },
    }),
  },
  "GET /api/conventions/:id/anomalies": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}/anomalies` }),
  },
  "GET /api/conventions/:id/anomalies/cibles": {
    scope: "convention",
    who: ALL_PARTIES,
    statuses: STATUSES,
    request: (f) => ({ method: "GET", path: `/api/conventions/${f.conventionId}/anomalies/cibles` }),
  },
  "POST /api/anomalies/:id/messages": {
    scope: "convention",
    who: ["fournisseur", "destinataire"],
    statuses: STATUSES,
    request: (f) => ({
      method: "POST",
      path: `/api/anomalies/${f.anomalieId}/messages`,
      json: { texte: "Vérification en cours." },
    }),
  },
  "POST /api/anomalies/:id/cloture": {
    scope: "convention",
    who: ["fournisseur", "destinataire"],
    statuses: STATUSES,
    fresh: true,
    request: (f) => ({ method: "POST", path: `/api/anomalies/${f.anomalieId}/cloture` }),
  },
};

const PARTY_OF: Record<Who, string> = {
  fournisseur: "f",
  destinataire: "d",
  prestataire: "p",
  lecteur: "l",
  dehors: "f",
  admin: "f",
};

function sheet1Body() {
  return {
    fournisseur: "f",
    referent: { nom: "Chargée d'observation", email: "obs@example.org" },
    service: "Observatoire social",
    chefService: "Directrice de l'action sociale",
    etude: "Analyse des besoins sociaux 2026",
    indicateurs: ["Allocataires RSA par IRIS"],
    delaiSouhaite: "2026-09-30",
  };
}

/** A convention whose status on TODAY is `status`, parties f, d, p, l. */
function convention(id: string, status: Status): Convention {
  const base: Convention = {
    id,
    titre: `Convention ${id}`,
    objet: "Matrice des droits",
    parties: [
      { id: "f", nom: "Fournisseur", kind: "CAF", parts: ["fournisseur"], referents: [] },
      { id: "d", nom: "Destinataire", kind: "CCAS", parts: ["destinataire"], referents: [] },
      { id: "p", nom: "Prestataire", kind: "BUREAU_ETUDES", parts: ["prestataire"], referents: [] },
      { id: "l", nom: "Lecteur", kind: "EPCI", parts: ["lecteur"], referents: [] },
    ],
    jeux: [
      {
        id: "annexe",
        titre: "Allocataires",
        fournisseur: "f",
        kind: "individuel",
        champs: [{ nom: "identifiant", type: "identifiant" }],
        niveaux: ["iris", "commune"],
        dateObservation: "31/12/N-1",
        periodicite: "annuelle",
        protocole: 2,
      },
    ],
    secret: { seuil: 5, zerosSensibles: false },
    mentionSource: "Source : Fournisseur",
    diffusion: { interneSeulement: false, accordPrealable: true, doubleLogo: false },
    obligations: { destructionFinEtude: true, copieEtude: true, analyseConjointe: false },
    signeeLe: "2025-01-01",
    effetLe: "2025-01-01",
    duree: { kind: "tacite", periodeMois: 12 },
    resiliation: { mode: "a_tout_moment", preavisMois: 2 },
    avenants: [],
  };
  switch (status) {
    case "brouillon":
      // Registered by the other parties, it waits for the provider's acceptance.
      return { ...base, acceptations: [{ partie: "f" }] };
    case "signee":
      return { ...base, signeeLe: "2026-06-01", effetLe: "2026-09-01" };
    case "active":
      return base;
    case "preavis":
      return { ...base, preavis: { donneLe: "2026-06-01", par: "f", motif: "ordinaire" } };
    case "resiliee":
      return { ...base, preavis: { donneLe: "2026-01-10", par: "f", motif: "ordinaire" } };
    case "expiree":
      return { ...base, duree: { kind: "echeance", fin: "2025-12-31" } };
    case "terminee_publication":
      return { ...base, duree: { kind: "publication" }, publieeLe: "2026-03-01" };
  }
}

let s: TestServer;
const orgs = {} as Record<Exclude<Who, "admin">, string>;
const zones = {} as Record<Exclude<Who, "admin">, string>;
const zonesJetables = {} as Record<Who, string>;
const users = {} as Record<Exclude<Who, "admin">, string>;
const clients = {} as Record<Who, Client>;
const ownOrg = (who: Who) => orgs[who === "admin" ? "fournisseur" : who];

async function makeFixture(id: string, status: Status): Promise<Fixture> {
  const c = convention(id, status);
  expect(statusOn(c, TODAY)).toBe(status);
  await createConvention(s.db, c, {
    f: orgs.fournisseur,
    d: orgs.destinataire,
    p: orgs.prestataire,
    l: orgs.lecteur,
  });
  const fedId = await fileFedRequest(s.db, c, { ...sheet1Body(), demandeur: "d" }, null);
  const jeuId = await createJeu(s.db, id, "annexe", "Allocataires");
  const depot = await storeDeposit(
    s.db,
    { root: s.filesDir },
    jeuId,
    "a.csv",
    new TextEncoder().encode(id),
    null,
  );
  await s.db.transaction((tx) =>
    insertMicrodonnees(tx, jeuId, depot.id, [
      { ligne: 1, pseudonyme: `ps-${id}`, codeIris: "000010001", annee: 2025, valeurs: {} },
    ]),
  );
  const jeuDetruitId = await createJeu(s.db, id, "annexe", "Allocataires 2024");
  await destroyJeu(s.db, { root: s.filesDir }, jeuDetruitId, {
    id: "00000000-0000-4000-8000-000000000000",
    nom: "Test",
    organisation: "Prestataire",
  });
  const release = await publishRelease({
    db: s.db,
    highs: await loadSolver(),
    convention: c,
    jeuId,
    annee: 2025,
    actorId: null,
  });
  const geocodageId = crypto.randomUUID();
  await s.db.query(
    `INSERT INTO geocodage_fournisseur (id, jeu_id, cree_le, lignes, avec_iris, resultat, sans_iris)
     VALUES ($1, $2, now(), 1, 1, NULL, '[]')`,
    [geocodageId, jeuId],
  );
  const anomalieId = await createAnomaly(s.db, {
    conventionId: id,
    jeuId,
    cible: { type: "diffusion", id: release.id },
    signalePar: "d",
    fournisseur: "f",
    texte: "Total incohérent",
    lignes: [],
    auteurId: null,
    at: new Date(`${TODAY}T09:00:00Z`),
  });
  const restitutionId = await recordRestitution(
    s.db,
    { root: s.filesDir },
    c,
    { titre: "ABS", nomFichier: "abs.pdf", data: new TextEncoder().encode("%PDF-1.4") },
    null,
  );
  const demandeAccordId = await askApproval(s.db, {
    diffusionId: release.id,
    conventionId: id,
    demandeur: "d",
    fournisseur: "f",
    portee: "Publication",
    destinataire: "Grand public",
    demandeLe: TODAY,
    demandePar: null,
  });
  return {
    conventionId: id,
    demandeAccordId,
    anomalieId,
    restitutionId,
    fedId,
    jeuId,
    jeuDetruitId,
    diffusionId: release.id,
    depotId: depot.id,
    geocodageId,
  };
}

async function send(client: Client | null, r: Req): Promise<number> {
  const res = await fetch(s.url + r.path, {
    method: r.method,
    headers: {
      ...(r.json !== undefined ? { "content-type": "application/json" } : {}),
      ...(r.raw ? { "content-type": "application/octet-stream" } : {}),
      ...(client?.cookie ? { cookie: client.cookie } : {}),
    },
    body: r.raw ? Buffer.from(r.raw) : r.json === undefined ? undefined : JSON.stringify(r.json),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  s = await startServer("pglite", undefined, false, () => new Date(`${TODAY}T10:00:00Z`));
  const hash = await hashPassword(PASSWORD);
  for (const who of [...PARTS, "dehors"] as const) {
    orgs[who] = await createOrganisation(s.db, { nom: `Organisation ${who}`, kind: "AUTRE" });
    const user = await createUser(s.db, { email: `${who}@matrice.test`, nom: who, passwordHash: hash });
    users[who] = user;
    await addMembership(s.db, user, orgs[who], "referent");
    zones[who] = await createZone(s.db, {
      organisationId: orgs[who],
      nom: `Zone de ${who}`,
      kind: "communes",
      description: null,
      membres: ["00001"],
    });
  }
  for (const who of WHO)
    zonesJetables[who] = await createZone(s.db, {
      organisationId: ownOrg(who),
      nom: `Zone jetable de ${who}`,
      kind: "communes",
      membres: ["00001"],
    });
  await createUser(s.db, {
    email: "admin@matrice.test",
    nom: "admin",
    passwordHash: hash,
    platformAdmin: true,
  });
  for (const who of WHO) {
    clients[who] = new Client(s.url);
    expect((await clients[who].login(`${who}@matrice.test`, PASSWORD)).status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe("rights matrix of the API", () => {
  it("has an entry for every registered API route, and no entry without a route", () => {
    expect([...s.app.apiRoutes].sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it("refuses every non-public route without a session (401)", async () => {
    const f = await makeFixture("sans-session", "active");
    for (const [key, e] of Object.entries(MATRIX)) {
      if (e.scope === "public") {
        expect(await send(null, e.request()), key).not.toBe(401);
        continue;
      }
      const r =
        e.scope === "session"
          ? e.request("fournisseur")
          : e.scope === "plateforme"
            ? e.request()
            : e.request(f, "fournisseur", uniq());
      expect(await send(null, r), key).toBe(401);
    }
  });

  it("lets every signed-in user use the routes outside conventions", async () => {
    for (const [key, e] of Object.entries(MATRIX)) {
      if (e.scope !== "session") continue;
      for (const who of WHO) {
        const status = await send(clients[who], e.request(who));
        expect(status, `${key} — ${who}`).toBeGreaterThanOrEqual(200);
        expect(status, `${key} — ${who}`).toBeLessThan(300);
      }
    }
  });

  it("keeps the platform administration to the platform administrator (403 to every other user)", async () => {
    for (const [key, e] of Object.entries(MATRIX)) {
      if (e.scope !== "plateforme") continue;
      for (const who of WHO) {
        const status = await send(clients[who], e.request());
        if (who === "admin") expect(status, `${key} — ${who}`).toBeLessThan(300);
        else expect(status, `${key} — ${who}`).toBe(403);
      }
    }
  });

  it("answers an outsider on every convention route exactly as for an object that does not exist", async () => {
    const f = await makeFixture("existence", "active");
    const missing: Fixture = {
      conventionId: "convention-inexistante",
      fedId: "00000000-0000-4000-8000-00000000f3d0",
      jeuId: "00000000-0000-4000-8000-0000000000e0",
      depotId: "00000000-0000-4000-8000-0000000000e1",
      geocodageId: "00000000-0000-4000-8000-0000000000e2",
      jeuDetruitId: "00000000-0000-4000-8000-0000000000e1",
      diffusionId: "00000000-0000-4000-8000-0000000000d0",
      anomalieId: "00000000-0000-4000-8000-0000000000a0",
      restitutionId: "00000000-0000-4000-8000-0000000000b0",
      demandeAccordId: "00000000-0000-4000-8000-0000000000c0",
    };
    const answer = async (r: Req) => {
      const res = await fetch(s.url + r.path, {
        method: r.method,
        headers: {
          ...(r.json !== undefined ? { "content-type": "application/json" } : {}),
          ...(r.raw ? { "content-type": "application/octet-stream" } : {}),
          cookie: clients.dehors.cookie!,
        },
        body: r.raw ? Buffer.from(r.raw) : r.json === undefined ? undefined : JSON.stringify(r.json),
      });
      return { status: res.status, body: await res.text() };
    };
    let checked = 0;
    for (const [key, e] of Object.entries(MATRIX)) {
      if (e.scope !== "convention") continue;
      const n = uniq();
      const existing = await answer(e.request(f, "dehors", n));
      const absent = await answer(e.request(missing, "dehors", n));
      expect(existing.status, key).toBe(404);
      expect(existing, key).toEqual(absent);
      checked++;
    }
    expect(checked).toBe(ROUTES_ON_CONVENTIONS);
  });

  it("gives each part exactly its rights under each status of the convention, 403 otherwise (404 to an outsider)", async () => {
    const shared = new Map<Status, Fixture>();
    for (const st of STATUSES) shared.set(st, await makeFixture(`partagee-${STATUSES.indexOf(st)}`, st));
    const wrong: string[] = [];
    let cells = 0;
    for (const [key, e] of Object.entries(MATRIX)) {
      if (e.scope !== "convention") continue;
      for (const st of STATUSES)
        for (const who of WHO) {
          const n = uniq();
          const f = e.fresh ? await makeFixture(`c${n}`, st) : shared.get(st)!;
          const status = await send(clients[who], e.request(f, who, n));
          const allowed = e.who.includes(who) && e.statuses.includes(st);
          // An outsider is told nothing exists (404), a party without the right why not (403).
          const refusal = who === "dehors" ? "404" : "403";
          const expected = !allowed ? refusal : e.businessRefusal?.includes(st) ? "400/409" : "2xx";
          const got =
            status === 403 || status === 404
              ? String(status)
              : status === 400 || status === 409
                ? "400/409"
                : status < 300
                  ? "2xx"
                  : String(status);
          cells++;
          if (got !== expected) wrong.push(`${key} × ${who} × ${st}: attendu ${expected}, obtenu ${status}`);
        }
    }
    expect(wrong).toEqual([]);
    // The routes on a convention's data × 7 statuses × 6 kinds of user.
    expect(cells).toBe(ROUTES_ON_CONVENTIONS * STATUSES.length * WHO.length);
  }, 600_000);

  it("hands a release outside the parties only once the provider approved that release", async () => {
    const f = await makeFixture("accord", "active");
    const other = await makeFixture("accord-autre", "active");
    const external = (id: string) => `/api/diffusions/${id}/export/csv?usage=externe`;
    const before = await clients.destinataire.req("GET", external(f.diffusionId));
    expect(before.status).toBe(403);
    expect(before.json.erreur.message).toBe(
      "La diffusion externe demande l'accord préalable du fournisseur, non enregistré.",
    );
    const self = await clients.destinataire.req("POST", `/api/diffusions/${f.diffusionId}/accords`, {
      portee: "x",
      destinataire: "y",
    });
    expect(self.status).toBe(403);
    const ok = await clients.fournisseur.req("POST", `/api/diffusions/${f.diffusionId}/accords`, {
      portee: "Publication de l'ABS",
      destinataire: "Site internet de la ville",
    });
    expect(ok.json).toMatchObject({ accordeLe: TODAY });
    expect(await send(clients.destinataire, { method: "GET", path: external(f.diffusionId) })).toBe(200);
    // The approval is for that release only.
    expect(await send(clients.destinataire, { method: "GET", path: external(other.diffusionId) })).toBe(403);
    const listed = await clients.lecteur.req("GET", `/api/diffusions/${f.diffusionId}/accords`);
    expect(listed.json).toMatchObject([
      {
        partie: "f",
        portee: "Publication de l'ABS",
        destinataire: "Site internet de la ville",
        accordeLe: TODAY,
      },
    ]);
  });
});
