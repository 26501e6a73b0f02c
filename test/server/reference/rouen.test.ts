/**
 * Rouen, end to end through the API, each party with its own account: the
 * Ville registers the framework convention, the CAF accepts it; the yearly
 * socle comes from the annex without a FED; the Ville, which processes,
 * releases; the source is on every export; an external diffusion waits for
 * the CAF's approval of that release; targeted data go through a FED whose
 * favorable answer defines the dataset; the study copy goes back to the CAF;
 * referents are dated with history; notice: a dispute ends it three months on,
 * sooner than an ordinary notice already running.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUEN } from "../../../src/core/convention/reference.js";
import { depositCsv, fetchAs, registration, startWalk, type Walk, walked } from "./walk.js";

const TODAY = "2024-05-15";
let w: Walk;
const C = walked(ROUEN);
const ID = C.id;

beforeAll(async () => {
  w = await startWalk(C, TODAY, [{ party: "caf76", key: "caf76:analyste", role: "analyste" }]);
}, 120_000);
afterAll(async () => w?.s.close());

const SOCLE_HEADER = [
  "territoire",
  "allocataires",
  "population_couverte",
  "taux_couverture",
  "familles_nombreuses",
  "aides_logement",
  "allocations_familiales",
  "minima_sociaux",
  "familles_monoparentales",
  "rsa",
  "aah",
  "dependance_50",
  "dependance_100",
  "taux_dependance",
  "bas_revenus",
];

describe("Rouen: Ville de Rouen ↔ CAF de Rouen, framework convention", () => {
  let socleJeu: string;
  let release: string;

  it("stays a draft registered by the Ville until the CAF's référent accepts it; a draft takes no FED and no avenant", async () => {
    const reg = await w.as["ville-rouen"]!.req("POST", "/api/conventions", registration(C, w.orgs));
    expect(reg.json).toMatchObject({ statut: "brouillon", acceptationsAttendues: ["caf76"] });
    const fed = await w.as["ville-rouen"]!.req("POST", `/api/conventions/${ID}/fed`, {});
    expect(fed.status).toBe(403);
    const avenant = await w.as["ville-rouen"]!.req("POST", `/api/conventions/${ID}/avenants`, {
      objet: "x",
      signeLe: TODAY,
      effetLe: TODAY,
    });
    expect(avenant.json.erreur.message).toBe(
      "La convention est un brouillon : chaque partie doit d'abord l'accepter.",
    );
    expect((await w.as["caf76:analyste"]!.req("POST", `/api/conventions/${ID}/acceptation`)).status).toBe(
      403,
    );
    const ok = await w.as.caf76!.req("POST", `/api/conventions/${ID}/acceptation`);
    expect(ok.json).toMatchObject({ partie: "caf76", accepteeLe: TODAY, statut: "active" });
    // The yearly socle is opened by the annex itself: no FED needed.
    expect(ok.json.jeuxOuverts).toHaveLength(1);
    const seen = await w.as["ville-rouen"]!.req("GET", `/api/conventions/${ID}`);
    expect(seen.json.parties.find((p: { id: string }) => p.id === "caf76").acceptation).toEqual({
      accepteeLe: TODAY,
    });
    expect(seen.json.traitement).toBe("ville-rouen");
  });

  it("takes the CAF's yearly socle and lets the Ville, which processes, release it with the CAF's source on every line", async () => {
    const jeux = await w.as.caf76!.req("GET", `/api/conventions/${ID}/jeux`);
    socleJeu = jeux.json.find((j: { annexe: string }) => j.annexe === "socle-caf").id;
    const dep = await depositCsv(w.as.caf76!, socleJeu, 2023, [
      SOCLE_HEADER,
      ["76540", 27688, 61200, "55,3 %", 2100, 15400, 9800, 7900, 4300, 3600, 1900, 8600, 5900, "21,4", 9100],
      [
        "Métropole Rouen Normandie",
        97600,
        231000,
        "47,1",
        8800,
        44100,
        37800,
        21900,
        12800,
        10200,
        5600,
        26300,
        17500,
        "17,9",
        25600,
      ],
    ]);
    expect(dep.status).toBe(200);
    const byCaf = await w.as.caf76!.req("POST", `/api/jeux/${socleJeu}/diffusions`, { annee: 2023 });
    expect(byCaf.json.erreur.message).toBe(
      "Seule la partie chargée du traitement (Ville de Rouen) produit les diffusions.",
    );
    const r = await w.as["ville-rouen"]!.req("POST", `/api/jeux/${socleJeu}/diffusions`, { annee: 2023 });
    expect(r.status).toBe(200);
    release = r.json.id;
    expect(r.json.mentionSource).toMatch(/^Source : CAF de Rouen, données au 31\/12\/2023/);
    const csv = await fetchAs(w.as["ville-rouen"]!, `/api/diffusions/${release}/export/csv`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split("\r\n").slice(1);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toContain("Source : CAF de Rouen");
    // Not an internal-use convention: no stamp.
    expect(csv.text).not.toContain("Usage interne");
  });

  it("hands the release outside the parties only after the CAF's bureau d'études approved that release", async () => {
    const outside = `/api/diffusions/${release}/export/xlsx?usage=externe`;
    expect((await fetchAs(w.as["ville-rouen"]!, outside)).status).toBe(403);
    // The city asks; the request is a task of the CAF (« Mes tâches » and the menu counter).
    const tasksBefore = (await w.as.caf76!.req("GET", "/api/taches")).json;
    const first = await w.as["ville-rouen"]!.req("POST", `/api/diffusions/${release}/demandes-accord`, {
      portee: "Diagnostic social présenté à la presse",
      destinataire: "Presse locale",
    });
    expect(first.json).toMatchObject({ statut: "en_attente", fournisseur: "caf76" });
    const ask = await w.as["ville-rouen"]!.req("POST", `/api/diffusions/${release}/demandes-accord`, {
      portee: "Diagnostic social publié sur rouen.fr",
      destinataire: "Grand public",
    });
    const asked = (await w.as.caf76!.req("GET", "/api/taches")).json;
    expect(asked.parType.accord).toEqual({ libelle: "Accords de diffusion demandés", nombre: 2 });
    expect(asked.total).toBe(tasksBefore.total + 2);
    expect(
      asked.taches.filter((t: { kind: string }) => t.kind === "accord").map((t: { lien: string }) => t.lien),
    ).toEqual([`/diffusions/${release}`, `/diffusions/${release}`]);
    // Only the city sees it as asked, not as a task of its own; the CAF does not ask itself.
    expect((await w.as["ville-rouen"]!.req("GET", "/api/taches")).json.parType.accord.nombre).toBe(0);
    const self = await w.as.caf76!.req("POST", `/api/diffusions/${release}/demandes-accord`, {
      portee: "x",
      destinataire: "y",
    });
    expect(self.status).toBe(403);
    const noReason = await w.as.caf76!.req(
      "POST",
      `/api/diffusions/${release}/demandes-accord/${first.json.id}/refus`,
      { motif: " " },
    );
    expect(noReason.json.erreur.message).toContain("Un refus doit être motivé : motif requis.");
    const refused = await w.as.caf76!.req(
      "POST",
      `/api/diffusions/${release}/demandes-accord/${first.json.id}/refus`,
      { motif: "Les effectifs par quartier ne sont pas commentés." },
    );
    expect(refused.json).toMatchObject({ statut: "refusee", reponduLe: TODAY });
    expect((await fetchAs(w.as["ville-rouen"]!, outside)).status).toBe(403);
    const approval = await w.as.caf76!.req("POST", `/api/diffusions/${release}/accords`, {
      portee: "Diagnostic social publié sur rouen.fr",
      destinataire: "Grand public",
      demande: ask.json.id,
    });
    expect(approval.json.accordeLe).toBe(TODAY);
    expect((await fetchAs(w.as["ville-rouen"]!, outside)).status).toBe(200);
    const requests = await w.as["ville-rouen"]!.req("GET", `/api/diffusions/${release}/demandes-accord`);
    expect(requests.json.map((r: { statut: string }) => r.statut)).toEqual(["refusee", "accordee"]);
    expect(requests.json[0].motif).toBe("Les effectifs par quartier ne sont pas commentés.");
    expect((await w.as.caf76!.req("GET", "/api/taches")).json.parType.accord.nombre).toBe(0);
    // An answered request takes no second answer.
    const again = await w.as.caf76!.req(
      "POST",
      `/api/diffusions/${release}/demandes-accord/${ask.json.id}/refus`,
      { motif: "trop tard" },
    );
    expect(again.status).toBe(409);
    const history = await w.as["ville-rouen"]!.req("GET", `/api/conventions/${ID}/historique`);
    expect(history.json.find((e: { kind: string }) => e.kind === "accord_diffusion").detail).toMatchObject({
      diffusion: release,
      destinataire: "Grand public",
    });
  });

  it("asks targeted data by FED; the CAF's favorable answer defines the dataset with its fields", async () => {
    const fed = await w.as["ville-rouen"]!.req("POST", `/api/conventions/${ID}/fed`, {
      fournisseur: "caf76",
      referent: { nom: "Observatoire social", email: "observatoire@rouen.example" },
      service: "Observatoire social",
      chefService: "Direction de la cohésion sociale",
      etude: "Familles monoparentales dans les quartiers prioritaires",
      indicateurs: ["Familles monoparentales allocataires par commune"],
      delaiSouhaite: "2024-09-30",
    });
    expect(fed.status).toBe(200);
    const answer = await w.as.caf76!.req("POST", `/api/fed/${fed.json.id}/reponse`, {
      avis: "favorable",
      indicateursDisponibles: ["Familles monoparentales allocataires par commune"],
      delaiLivraison: "2024-07-01",
      donneesCiblees: {
        id: "monoparentales",
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
    expect(answer.json.jeux).toHaveLength(1);
    const jeux = await w.as["ville-rouen"]!.req("GET", `/api/conventions/${ID}/jeux`);
    expect(jeux.json.map((j: { annexe: string }) => j.annexe)).toEqual(["socle-caf", "monoparentales"]);
    // An annex without fields is refused: the targeted dataset must say what it holds.
    const fed2 = await w.as["ville-rouen"]!.req("POST", `/api/conventions/${ID}/fed`, {
      fournisseur: "caf76",
      referent: { nom: "Observatoire social" },
      service: "Observatoire social",
      chefService: "Direction",
      etude: "Autre étude",
      indicateurs: ["x"],
      delaiSouhaite: "2024-09-30",
    });
    const empty = await w.as.caf76!.req("POST", `/api/fed/${fed2.json.id}/reponse`, {
      avis: "favorable",
      indicateursDisponibles: ["x"],
      delaiLivraison: "2024-07-01",
      donneesCiblees: {
        id: "vide",
        titre: "Sans champ",
        kind: "agrege",
        champs: [],
        niveaux: ["commune"],
        dateObservation: "31/12/N-1",
        periodicite: "ponctuelle",
      },
    });
    expect(empty.status).toBe(400);
    expect(empty.json.erreur.message).toContain("Décrivez au moins un champ de l'annexe (nom, type).");
  });

  it("sends the CAF a copy of the study", async () => {
    const study = await fetchAs(
      w.as["ville-rouen"]!,
      `/api/conventions/${ID}/restitutions?titre=${encodeURIComponent("Diagnostic social 2024")}&nomFichier=diagnostic.pdf`,
      { method: "POST", body: "%PDF-1.4 diagnostic" },
    );
    expect(study.status).toBe(200);
    const list = await w.as.caf76!.req("GET", `/api/conventions/${ID}/restitutions`);
    expect(list.json).toMatchObject([{ titre: "Diagnostic social 2024", envois: [{ partie: "caf76" }] }]);
  });

  it("keeps one referent per party, dated, each party editing its own, with the previous ones in the history", async () => {
    const mine = await w.as["ville-rouen"]!.req("PUT", `/api/conventions/${ID}/referents`, {
      partie: "ville-rouen",
      referents: [{ role: "responsable", nom: "Nouvelle cheffe de l'observatoire", depuis: "2024-05-01" }],
    });
    expect(mine.json.referents).toEqual([
      { role: "responsable", nom: "Nouvelle cheffe de l'observatoire", depuis: "2024-05-01" },
    ]);
    const theirs = await w.as["ville-rouen"]!.req("PUT", `/api/conventions/${ID}/referents`, {
      partie: "caf76",
      referents: [],
    });
    expect(theirs.status).toBe(403);
    const history = await w.as.caf76!.req("GET", `/api/conventions/${ID}/historique`);
    expect(history.json.find((e: { kind: string }) => e.kind === "referents").detail).toEqual({
      partie: "ville-rouen",
      avant: [{ role: "responsable", nom: "Observatoire social" }],
      apres: [{ role: "responsable", nom: "Nouvelle cheffe de l'observatoire", depuis: "2024-05-01" }],
    });
  });

  it("ends three months after a notice for dispute or breach, sooner than the ordinary notice already running", async () => {
    const ordinary = await w.as["ville-rouen"]!.req("POST", `/api/conventions/${ID}/preavis`, {
      motif: "ordinaire",
    });
    // In time for the 1 January renewal: not renewed, ends on 31/12/2024.
    expect(ordinary.json).toEqual({ fin: "2024-12-31" });
    const again = await w.as["ville-rouen"]!.req("POST", `/api/conventions/${ID}/preavis`, {
      motif: "ordinaire",
    });
    expect(again.json.erreur.message).toBe("Un préavis est déjà enregistré pour cette convention.");
    const breach = await w.as.caf76!.req("POST", `/api/conventions/${ID}/preavis`, { motif: "faute" });
    expect(breach.json).toEqual({ fin: "2024-08-14" });
    const seen = await w.as.caf76!.req("GET", `/api/conventions/${ID}`);
    expect(seen.json).toMatchObject({ statut: "preavis", finPrevue: "2024-08-14" });
    expect(seen.json.document.preavisRemplace).toMatchObject({ motif: "ordinaire", par: "ville-rouen" });
  });
});
