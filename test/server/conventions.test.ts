/**
 * The convention workflow through the HTTP API: a referent records a
 * convention, the recipient files a FED request, the provider's analyst may
 * not answer, a défavorable answer needs a reason, a favorable one creates
 * the dataset to collect; the form prints in French; bad input gets French
 * messages; destruction and restitution are recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

const PASSWORD = "Flux-Conventions-2026";
let s: TestServer;
const orgs: Record<string, string> = {};
const c: Record<string, Client> = {};

const convention = (): Convention => ({
  id: "abs-valsocle-2026",
  titre: "Convention ABS Valsocle 2026",
  objet: "Analyse des besoins sociaux du CCAS de Valsocle",
  parties: [
    {
      id: "caf",
      nom: "CAF du Val",
      kind: "CAF",
      parts: ["fournisseur"],
      referents: [{ role: "responsable", nom: "Responsable statistiques", email: "stats@caf.example" }],
    },
    {
      id: "ccas",
      nom: "CCAS de Valsocle",
      kind: "CCAS",
      parts: ["destinataire", "prestataire"],
      referents: [],
    },
  ],
  jeux: [
    {
      id: "allocataires",
      titre: "Allocataires par IRIS",
      fournisseur: "caf",
      kind: "agrege",
      champs: [{ nom: "code_iris", type: "code_iris" }],
      niveaux: ["iris", "commune"],
      dateObservation: "31/12/N-1",
      periodicite: "annuelle",
      protocole: 1,
    },
  ],
  secret: { seuil: 5, zoneMinimum: 200, zoneUnite: "habitants", zerosSensibles: false },
  mentionSource: "Source : CAF du Val, données au {dateObservation}",
  diffusion: { interneSeulement: false, accordPrealable: true, doubleLogo: true },
  obligations: { destructionFinEtude: true, copieEtude: true, analyseConjointe: false },
  signeeLe: "2026-01-15",
  effetLe: "2026-02-01",
  duree: { kind: "tacite", periodeMois: 12 },
  resiliation: { mode: "a_echeance", preavisMois: 3 },
  avenants: [],
});

beforeAll(async () => {
  s = await startServer("pglite", undefined, false, () => new Date("2026-10-20T09:00:00Z"));
  const hash = await hashPassword(PASSWORD);
  for (const [key, nom, kind] of [
    ["caf", "CAF du Val", "CAF"],
    ["ccas", "CCAS de Valsocle", "CCAS"],
  ] as const)
    orgs[key] = await createOrganisation(s.db, { nom, kind });
  for (const [who, org, role] of [
    ["caf-referente", "caf", "referent"],
    ["caf-analyste", "caf", "analyste"],
    ["ccas-referent", "ccas", "referent"],
  ] as const) {
    const u = await createUser(s.db, { email: `${who}@flux.test`, nom: who, passwordHash: hash });
    await addMembership(s.db, u, orgs[org]!, role);
    c[who] = new Client(s.url);
    await c[who].login(`${who}@flux.test`, PASSWORD);
  }
}, 120_000);

afterAll(async () => s?.close());

describe("convention workflow over HTTP", () => {
  it("records a convention and shows its status, renewal alert and the user's rights", async () => {
    const created = await c["ccas-referent"]!.req("POST", "/api/conventions", {
      convention: convention(),
      organisations: { caf: orgs.caf, ccas: orgs.ccas },
    });
    expect(created.status).toBe(200);
    // Registered by the CCAS, the convention does not bind the CAF until its référent accepts it.
    expect(created.json).toMatchObject({ statut: "brouillon", acceptationsAttendues: ["caf"] });
    const early = await c["ccas-referent"]!.req("POST", "/api/conventions/abs-valsocle-2026/fed", {});
    expect(early.json.erreur.message).toBe(
      "La convention est un brouillon : chaque partie doit d'abord l'accepter.",
    );
    expect(
      (await c["caf-analyste"]!.req("POST", "/api/conventions/abs-valsocle-2026/acceptation")).status,
    ).toBe(403);
    const accepted = await c["caf-referente"]!.req("POST", "/api/conventions/abs-valsocle-2026/acceptation");
    expect(accepted.json).toMatchObject({
      partie: "caf",
      accepteeLe: "2026-10-20",
      statut: "active",
      acceptationsAttendues: [],
    });
    const list = await c["ccas-referent"]!.req("GET", "/api/conventions");
    const mine = list.json.find((x: { id: string }) => x.id === "abs-valsocle-2026");
    expect(mine).toMatchObject({
      statut: "active",
      statutLibelle: "active",
      prochaineReconduction: "2027-02-01",
      dernierJourPreavis: "2026-11-01",
      mesRoles: ["destinataire", "prestataire (traitement)"],
    });
    expect(mine.alertes.map((a: { kind: string }) => a.kind)).toContain("preavis_limite");
    expect(mine.alertes.map((a: { message: string }) => a.message)).toContain(
      "Dernier jour pour dénoncer la convention avant sa reconduction : 01/11/2026.",
    );
    // Conventions of other organisations are not listed.
    expect(list.json.map((x: { id: string }) => x.id)).toEqual(["abs-valsocle-2026"]);
  });

  it("refuses an incoherent or malformed convention with a French message", async () => {
    const bad = { ...convention(), id: "incoherente", effetLe: "2025-01-01" };
    const r = await c["ccas-referent"]!.req("POST", "/api/conventions", {
      convention: bad,
      organisations: { caf: orgs.caf, ccas: orgs.ccas },
    });
    expect(r.status).toBe(400);
    expect(r.json.erreur.message).toBe(
      "Convention « Convention ABS Valsocle 2026 » : La date d'effet précède la date de signature.",
    );
    const malformed = await c["ccas-referent"]!.req("POST", "/api/conventions", {
      convention: { ...convention(), id: "mal", signeeLe: "15/01/2026" },
      organisations: { caf: orgs.caf, ccas: orgs.ccas },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.erreur.message).toBe(
      "Requête invalide — champ « convention.signeeLe » : Date de signature : date attendue (AAAA-MM-JJ).",
    );
    const dup = await c["ccas-referent"]!.req("POST", "/api/conventions", {
      convention: convention(),
      organisations: { caf: orgs.caf, ccas: orgs.ccas },
    });
    expect(dup.json.erreur.message).toBe("La convention « abs-valsocle-2026 » existe déjà.");
  });

  it("runs a FED request: filed by the recipient, answered only by the provider's referent, with a reason when défavorable", async () => {
    const filed = await c["ccas-referent"]!.req("POST", "/api/conventions/abs-valsocle-2026/fed", {
      fournisseur: "caf",
      referent: { nom: "Chargée d'observation", email: "obs@ccas.example" },
      service: "Observatoire social",
      chefService: "Directeur du CCAS",
      etude: "ABS 2026 : familles monoparentales par IRIS",
      indicateurs: ["Familles monoparentales allocataires", "Allocataires à bas revenus"],
      delaiSouhaite: "2026-12-15",
    });
    expect(filed.status).toBe(200);
    const id = filed.json.id as string;

    const inbox = await c["caf-referente"]!.req("GET", "/api/fed");
    expect(inbox.json).toMatchObject([
      { id, sens: "recue", statut: "en_attente", demandeurNom: "CCAS de Valsocle" },
    ]);
    const outbox = await c["ccas-referent"]!.req("GET", "/api/fed");
    expect(outbox.json[0].sens).toBe("envoyee");

    // The recipient may not answer its own request, nor may the provider's analyst.
    const self = await c["ccas-referent"]!.req("POST", `/api/fed/${id}/reponse`, { avis: "favorable" });
    expect(self.status).toBe(403);
    const analyst = await c["caf-analyste"]!.req("POST", `/api/fed/${id}/reponse`, {
      avis: "defavorable",
      motif: "x",
    });
    expect(analyst.status).toBe(403);
    expect(analyst.json.erreur.message).toBe(
      "Seuls les administrateurs et référents de l'organisation peuvent le faire.",
    );

    const noReason = await c["caf-referente"]!.req("POST", `/api/fed/${id}/reponse`, {
      avis: "defavorable",
      motif: "  ",
    });
    expect(noReason.status).toBe(400);
    expect(noReason.json.erreur.message).toBe(
      "Réponse refusée : Un avis défavorable doit être motivé : motif requis.",
    );
    expect((await c["caf-referente"]!.req("GET", `/api/fed/${id}`)).json.statut).toBe("en_attente");

    // The annex came with the convention; the FED asks beyond it: the answer defines « données ciblées ».
    const fav = await c["caf-referente"]!.req("POST", `/api/fed/${id}/reponse`, {
      avis: "favorable",
      indicateursDisponibles: ["Familles monoparentales allocataires"],
      delaiLivraison: "2026-12-01",
      donneesCiblees: {
        id: "familles-monoparentales",
        titre: "Familles monoparentales allocataires (données ciblées)",
        kind: "agrege",
        champs: [
          { nom: "territoire", type: "code_commune" },
          { nom: "familles_monoparentales", type: "entier" },
        ],
        niveaux: ["commune"],
        dateObservation: "31/12/N-1",
        periodicite: "ponctuelle",
      },
    });
    expect(fav.status).toBe(200);
    expect(fav.json.jeux).toHaveLength(1);
    const again = await c["caf-referente"]!.req("POST", `/api/fed/${id}/reponse`, {
      avis: "defavorable",
      motif: "x",
    });
    expect(again.json.erreur.message).toBe(
      "Réponse refusée : Cette demande a déjà reçu une réponse (avis favorable).",
    );

    const jeux = await c["ccas-referent"]!.req("GET", "/api/conventions/abs-valsocle-2026/jeux");
    expect(jeux.json).toMatchObject([
      { titre: "Allocataires par IRIS", statut: "a_collecter", statutLibelle: "à collecter", fedId: null },
      { titre: "Familles monoparentales allocataires (données ciblées)", fedId: id },
    ]);
    const doc = (await c["ccas-referent"]!.req("GET", "/api/conventions/abs-valsocle-2026")).json.document;
    expect(doc.jeux.map((j: { id: string; origine?: string }) => [j.id, j.origine ?? "annexe"])).toEqual([
      ["allocataires", "annexe"],
      ["familles-monoparentales", "ciblee"],
    ]);

    const history = await c["ccas-referent"]!.req("GET", "/api/conventions/abs-valsocle-2026/historique");
    expect(history.json.map((e: { kind: string }) => e.kind)).toEqual([
      "creation",
      "acceptation",
      "fed_demande",
      "donnees_ciblees",
      "fed_reponse",
    ]);

    const form = await fetch(`${s.url}/api/fed/${id}/formulaire`, {
      headers: { cookie: c["caf-referente"]!.cookie! },
    });
    expect(form.headers.get("content-type")).toContain("text/html");
    const html = await form.text();
    for (const text of [
      "Fiche d'expression des besoins (FED)",
      "Feuille 1 — Demande",
      "Feuille 2 — Réponse du fournisseur",
      "Favorable",
      "15/12/2026",
      "Directeur du CCAS",
      "Familles monoparentales allocataires (données ciblées)",
    ])
      expect(html).toContain(text);
  });

  it("keeps a défavorable answer and its reason in the history", async () => {
    const filed = await c["ccas-referent"]!.req("POST", "/api/conventions/abs-valsocle-2026/fed", {
      fournisseur: "caf",
      referent: { nom: "Chargée d'observation" },
      service: "Observatoire social",
      chefService: "Directeur du CCAS",
      etude: "Étude des impayés de loyer",
      indicateurs: ["Impayés de loyer par IRIS"],
      delaiSouhaite: "2026-12-15",
    });
    const r = await c["caf-referente"]!.req("POST", `/api/fed/${filed.json.id}/reponse`, {
      avis: "defavorable",
      motif: "Donnée non couverte par la convention.",
    });
    expect(r.json).toEqual({ statut: "defavorable", jeux: [] });
    const history = await c["ccas-referent"]!.req("GET", "/api/conventions/abs-valsocle-2026/historique");
    expect(history.json.at(-1)).toMatchObject({
      kind: "fed_reponse",
      detail: { avis: "defavorable", motif: "Donnée non couverte par la convention." },
    });
  });

  it("refuses an incomplete FED request field by field, in French", async () => {
    const r = await c["ccas-referent"]!.req("POST", "/api/conventions/abs-valsocle-2026/fed", {
      fournisseur: "ccas",
      referent: { nom: "" },
      service: "",
      chefService: "Directeur",
      etude: "ABS",
      indicateurs: [],
      delaiSouhaite: "bientôt",
    });
    expect(r.status).toBe(400);
    expect(r.json.erreur.details).toEqual([
      "« CCAS de Valsocle » n'est pas fournisseur de données dans cette convention.",
      "Référent de la demande : nom requis.",
      "Service demandeur requis.",
      "Au moins un indicateur demandé.",
      "Délai souhaité : date attendue (AAAA-MM-JJ).",
    ]);
  });

  it("stores a deposit once, destroys the dataset with an attestation, and records the study sent to the provider", async () => {
    const [jeu] = (await c["ccas-referent"]!.req("GET", "/api/conventions/abs-valsocle-2026/jeux")).json;
    const upload = (who: string, path: string, body: string) =>
      fetch(`${s.url}${path}`, {
        method: "POST",
        headers: { cookie: c[who]!.cookie!, "content-type": "application/octet-stream" },
        body,
      }).then(async (r) => ({ status: r.status, json: await r.json() }));
    const first = await upload(
      "caf-referente",
      `/api/jeux/${jeu.id}/depots?nomFichier=alloc.csv`,
      "iris;n\n000010001;12\n",
    );
    expect(first.status).toBe(200);
    const twice = await upload(
      "caf-referente",
      `/api/jeux/${jeu.id}/depots?nomFichier=alloc-copie.csv`,
      "iris;n\n000010001;12\n",
    );
    expect(twice.status).toBe(409);
    expect(twice.json.erreur.message).toBe(
      "Ce fichier a déjà été déposé pour ce jeu de données le 20/10/2026.",
    );

    const noConfirm = await c["ccas-referent"]!.req("POST", `/api/jeux/${jeu.id}/destruction`, {
      confirmation: "oui",
    });
    expect(noConfirm.json.erreur.message).toContain("Confirmation attendue : DÉTRUIRE.");
    const destroyed = await c["ccas-referent"]!.req("POST", `/api/jeux/${jeu.id}/destruction`, {
      confirmation: "DÉTRUIRE",
    });
    expect(destroyed.status).toBe(200);
    expect(destroyed.json.texte).toContain("ATTESTATION DE DESTRUCTION DE DONNÉES");
    const att = await c["caf-referente"]!.req("GET", `/api/jeux/${jeu.id}/attestation`);
    expect(att.json).toMatchObject({ valide: true, problemes: [], empreinte: destroyed.json.empreinte });

    const study = await upload(
      "ccas-referent",
      `/api/conventions/abs-valsocle-2026/restitutions?titre=${encodeURIComponent("ABS 2026 — rapport final")}&nomFichier=abs.pdf`,
      "%PDF-1.4 rapport",
    );
    expect(study.status).toBe(200);
    const list = await c["caf-referente"]!.req("GET", "/api/conventions/abs-valsocle-2026/restitutions");
    expect(list.json).toMatchObject([{ titre: "ABS 2026 — rapport final", envois: [{ partie: "caf" }] }]);
  });
  it("gives outputs only to the services a convention allows (Dijon's rule)", async () => {
    const restricted = convention();
    restricted.id = "services-restreints";
    restricted.parties = restricted.parties.map((p) =>
      p.id === "ccas"
        ? { ...p, servicesAutorises: ["Observatoire Prospective", "Politique de la Ville"] }
        : p,
    );
    const ok = await c["ccas-referent"]!.req("POST", "/api/conventions", {
      convention: restricted,
      organisations: { caf: orgs.caf, ccas: orgs.ccas },
    });
    expect(ok.status).toBe(200);
    expect(
      (await c["caf-referente"]!.req("POST", "/api/conventions/services-restreints/acceptation")).status,
    ).toBe(200);
    const hash = await hashPassword(PASSWORD);
    for (const [who, service] of [
      ["ccas-accueil", "Accueil"],
      ["ccas-observatoire", "Observatoire Prospective"],
    ] as const) {
      const u = await createUser(s.db, { email: `${who}@flux.test`, nom: who, passwordHash: hash });
      await addMembership(s.db, u, orgs.ccas!, "analyste", service);
      c[who] = new Client(s.url);
      await c[who].login(`${who}@flux.test`, PASSWORD);
    }
    const accueil = await c["ccas-accueil"]!.req("GET", "/api/conventions/services-restreints");
    expect(accueil.json.permis).toMatchObject({
      voir_convention: true,
      voir_sorties_protegees: false,
      exporter: false,
    });
    const obs = await c["ccas-observatoire"]!.req("GET", "/api/conventions/services-restreints");
    expect(obs.json.permis).toMatchObject({ voir_sorties_protegees: true, exporter: true });
    const fed = await c["ccas-accueil"]!.req("POST", "/api/conventions/services-restreints/fed", {});
    expect(fed.status).toBe(403);
    expect(fed.json.erreur.message).toBe(
      "Seuls les services « Observatoire Prospective » et « Politique de la Ville » y ont accès.",
    );
  });
});
