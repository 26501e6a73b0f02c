/**
 * The parties' side of a convention through the HTTP API, each with its own
 * demo account, on the demo replay of the Dijon convention: the Grand Dijon
 * reports an anomaly in the CCAS's file, the CCAS answers and deposits a
 * correction, the thread is closed; the CCAS restitutes the study, each
 * provider downloads it, a restitution session is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIJON } from "../../src/core/convention/reference.js";
import { replayId } from "../../src/core/convention/replay.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

const DIJON_DEMO = replayId(DIJON.id);
let s: TestServer;
const agglo = () => login("grand-dijon@demo.socle.example");
const ccas = () => login("ccas-dijon@demo.socle.example");

async function login(email: string) {
  const c = new Client(s.url);
  expect((await c.login(email)).status).toBe(200);
  return c;
}

async function upload(c: Client, path: string, body: string | Uint8Array) {
  const res = await fetch(s.url + path, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", cookie: c.cookie! },
    body: typeof body === "string" ? new TextEncoder().encode(body) : Buffer.from(body),
  });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  s = await startServer("pglite", undefined, false, () => new Date("2026-11-24T10:00:00Z"));
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe("anomalies and restitution between the parties", () => {
  it("lets the agglomeration report an error in the CCAS's file, the CCAS answer and correct it, either close", async () => {
    const [a, c] = [await agglo(), await ccas()];
    const jeux = (await c.req("GET", `/api/conventions/${DIJON_DEMO}/jeux`)).json as {
      id: string;
      annexe: string;
    }[];
    const jeu = jeux.find((j) => j.annexe === "ville-vers-agglo")!;
    const file = "code_iris;indicateur;valeur\n000010001;revenu_median;19850\n000010002;revenu_median;-3\n";
    const depot = await upload(c, `/api/jeux/${jeu.id}/depots?nomFichier=ville-2025.csv`, file);
    expect(depot.status).toBe(200);

    // The provider does not report on its own data.
    const self = await c.req("POST", `/api/conventions/${DIJON_DEMO}/anomalies`, {
      cible: { type: "depot", id: depot.json.id },
      texte: "x",
    });
    expect(self.status).toBe(403);
    expect(self.json.erreur.message).toContain("il dépose une correction");

    const reported = await a.req("POST", `/api/conventions/${DIJON_DEMO}/anomalies`, {
      cible: { type: "depot", id: depot.json.id },
      texte: "Revenu médian négatif pour un IRIS.",
      lignes: [3],
    });
    expect(reported.status).toBe(200);
    const empty = await a.req("POST", `/api/conventions/${DIJON_DEMO}/anomalies`, {
      cible: { type: "depot", id: depot.json.id },
      texte: "  ",
    });
    expect(empty.status).toBe(400);
    expect(empty.json.erreur.message).toContain("Décrivez l'anomalie ou la réponse.");
    const elsewhere = await a.req("POST", `/api/conventions/${DIJON_DEMO}/anomalies`, {
      cible: { type: "diffusion", id: "00000000-0000-4000-8000-000000000001" },
      texte: "Anomalie",
    });
    expect(elsewhere.status).toBe(404);

    // Both sides see the thread; the provider answers.
    const seenByCcas = (await c.req("GET", `/api/conventions/${DIJON_DEMO}/anomalies`)).json;
    expect(seenByCcas).toHaveLength(1);
    expect(seenByCcas[0]).toMatchObject({
      statut: "ouverte",
      signaleParNom: "Communauté d'agglomération du Grand Dijon",
      fournisseurNom: "CCAS de Dijon",
      monCote: "fournisseur",
      messages: [{ texte: "Revenu médian négatif pour un IRIS.", lignes: [3] }],
    });
    const answer = await c.req("POST", `/api/anomalies/${reported.json.id}/messages`, {
      texte: "Erreur de saisie : fichier corrigé déposé.",
    });
    expect(answer.json).toEqual({ statut: "repondue", statutLibelle: "répondue" });
    const fixed = file.replace("-3", "17420");
    expect(
      (await upload(c, `/api/jeux/${jeu.id}/depots?nomFichier=ville-2025-corrige.csv&mode=correction`, fixed))
        .status,
    ).toBe(200);

    const seenByAgglo = (await a.req("GET", `/api/conventions/${DIJON_DEMO}/anomalies`)).json;
    expect(seenByAgglo[0].monCote).toBe("signalant");
    expect(seenByAgglo[0].messages.map((m: { partieNom: string }) => m.partieNom)).toEqual([
      "Communauté d'agglomération du Grand Dijon",
      "CCAS de Dijon",
    ]);
    expect((await a.req("POST", `/api/anomalies/${reported.json.id}/cloture`)).json.statut).toBe("close");
    const late = await c.req("POST", `/api/anomalies/${reported.json.id}/messages`, { texte: "Encore" });
    expect(late.status).toBe(409);
    expect(late.json.erreur.message).toBe("Cette anomalie est close : elle ne reçoit plus de message.");
  });

  it("lets each provider download the restituted study and records a restitution session", async () => {
    const [a, c] = [await agglo(), await ccas()];
    const pdf = new TextEncoder().encode("%PDF-1.4 Étude du développement social local 2026");
    const r = await upload(
      c,
      `/api/conventions/${DIJON_DEMO}/restitutions?titre=ABS%202026&nomFichier=étude-2026.pdf`,
      pdf,
    );
    expect(r.status).toBe(200);
    const got = await fetch(`${s.url}/api/restitutions/${r.json.id}/document`, {
      headers: { cookie: a.cookie! },
    });
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(pdf);
    expect(got.headers.get("content-disposition")).toContain("filename*=UTF-8''%C3%A9tude-2026.pdf");

    const future = await c.req("POST", `/api/conventions/${DIJON_DEMO}/seances-restitution`, {
      tenueLe: "2026-12-15",
      participants: ["Grand Dijon"],
      compteRendu: "",
    });
    expect(future.status).toBe(400);
    expect(future.json.erreur.message).toBe("Une séance s'enregistre une fois tenue : sa date est passée.");
    const ok = await c.req("POST", `/api/conventions/${DIJON_DEMO}/seances-restitution`, {
      tenueLe: "2026-11-20",
      participants: ["Observatoire Prospective (Grand Dijon)", "CCAS de Dijon", "COMPAS-TIS"],
      compteRendu: "Atelier d'analyse partagée des résultats 2026.",
    });
    expect(ok.status).toBe(200);
    expect((await a.req("GET", `/api/conventions/${DIJON_DEMO}/seances-restitution`)).json).toMatchObject([
      {
        tenueLe: "2026-11-20",
        participants: ["Observatoire Prospective (Grand Dijon)", "CCAS de Dijon", "COMPAS-TIS"],
      },
    ]);
  });

  it("announces Aix's yearly restitution session on its convention page", async () => {
    const cd13 = await login("cd13@demo.socle.example");
    const aix = (await cd13.req("GET", `/api/conventions/${replayId("aix-cd13-abs-2015")}`)).json;
    expect(aix.statut).toBe("active");
    expect(aix.alertes.map((x: { message: string }) => x.message)).toContain(
      "Séance annuelle de restitution aux fournisseurs à tenir d'ici le 01/02/2027 (aucune séance enregistrée).",
    );
  });
});
