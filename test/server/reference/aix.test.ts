/**
 * Aix-en-Provence, end to end through the API, each party with its own
 * account: the CCAS registers, the Département and COMPAS accept; the
 * annexes open their yearly datasets; the Département deposits; COMPAS
 * (the processor) releases, the CCAS may not; small cells are secret; the
 * Département's source is on every export; no transfer without its prior
 * consent to that release; two months' notice at any time, one for a breach.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AIX } from "../../../src/core/convention/reference.js";
import { depositCsv, fetchAs, registration, startWalk, type Walk, walked } from "./walk.js";

const TODAY = "2016-06-01";
let w: Walk;
const C = walked(AIX);
const ID = C.id;

beforeAll(async () => {
  w = await startWalk(C, TODAY);
}, 120_000);
afterAll(async () => w?.s.close());

describe("Aix-en-Provence: CCAS ↔ Conseil Départemental 13, ABS with COMPAS-TIS", () => {
  let release: string;

  it("is registered by the CCAS and binds the Département and COMPAS once each accepted; the annexes open their yearly datasets", async () => {
    const reg = await w.as["ccas-aix"]!.req("POST", "/api/conventions", registration(C, w.orgs));
    expect(reg.json).toMatchObject({ statut: "brouillon", acceptationsAttendues: ["cd13", "compas"] });
    const first = await w.as.cd13!.req("POST", `/api/conventions/${ID}/acceptation`);
    expect(first.json).toMatchObject({
      statut: "brouillon",
      acceptationsAttendues: ["compas"],
      jeuxOuverts: [],
    });
    const second = await w.as.compas!.req("POST", `/api/conventions/${ID}/acceptation`);
    expect(second.json).toMatchObject({ statut: "active", acceptationsAttendues: [] });
    expect(second.json.jeuxOuverts).toHaveLength(6);
    expect((await w.as.cd13!.req("POST", `/api/conventions/${ID}/acceptation`)).status).toBe(403);
  });

  it("takes the Département's table; COMPAS releases it, not the CCAS; small cells are secret; the source is on every line", async () => {
    const jeux = await w.as.cd13!.req("GET", `/api/conventions/${ID}/jeux`);
    const jeu = jeux.json.find((j: { annexe: string }) => j.annexe === "aides-legales").id;
    const dep = await depositCsv(w.as.cd13!, jeu, 2015, [
      [
        "territoire",
        "ash_total",
        "ash_hommes",
        "ash_femmes",
        "pch_total",
        "pch_hommes",
        "pch_femmes",
        "pch_moins_40_ans",
        "pch_40_ans_et_plus",
      ],
      ["13001", 40, 37, 3, 120, 50, 70, 2, 118],
      ["Bouches-du-Rhône", 900, 610, 290, 2400, 1100, 1300, 310, 2090],
    ]);
    expect(dep.status).toBe(200);
    const byCcas = await w.as["ccas-aix"]!.req("POST", `/api/jeux/${jeu}/diffusions`, { annee: 2015 });
    expect(byCcas.json.erreur.message).toBe(
      "Seule la partie chargée du traitement (COMPAS-TIS) produit les diffusions.",
    );
    expect((await w.as["ccas-aix"]!.req("GET", `/api/jeux/${jeu}/microdonnees`)).status).toBe(403);
    const r = await w.as.compas!.req("POST", `/api/jeux/${jeu}/diffusions`, { annee: 2015 });
    expect(r.status).toBe(200);
    release = r.json.id;
    const seen = await w.as["ccas-aix"]!.req("GET", `/api/diffusions/${release}`);
    const ash = seen.json.tableaux.find((t: { nom: string }) => t.nom.startsWith("Ash total"));
    const femmes = ash.cellules.find(
      (c: { codes: string[] }) => c.codes.includes("13001") && c.codes.includes("ash_femmes"),
    );
    expect(femmes.valeur).toBeNull();
    const csv = await fetchAs(w.as["ccas-aix"]!, `/api/diffusions/${release}/export/csv`);
    for (const l of csv.text.trim().split("\r\n").slice(1))
      expect(l).toContain(
        "Source : Le Conseil Départemental – Analyse des Besoins Sociaux du CCAS de la Ville d'Aix-en-Provence, données au 31/12/2015",
      );
  });

  it("transfers nothing outside the parties without the Département's prior consent to that release", async () => {
    const outside = `/api/diffusions/${release}/export/csv?usage=externe`;
    expect((await fetchAs(w.as["ccas-aix"]!, outside)).status).toBe(403);
    expect((await fetchAs(w.as.compas!, outside)).status).toBe(403);
    const self = await w.as["ccas-aix"]!.req("POST", `/api/diffusions/${release}/accords`, {
      portee: "x",
      destinataire: "y",
    });
    expect(self.status).toBe(403);
    const ok = await w.as.cd13!.req("POST", `/api/diffusions/${release}/accords`, {
      portee: "ABS 2015-2016 présentée au conseil d'administration",
      destinataire: "Conseil d'administration du CCAS",
    });
    expect(ok.status).toBe(200);
    expect((await fetchAs(w.as["ccas-aix"]!, outside)).status).toBe(200);
  });

  it("ends two months after a notice at any time, one month after a breach notice that shortens it", async () => {
    const ordinary = await w.as["ccas-aix"]!.req("POST", `/api/conventions/${ID}/preavis`, {
      motif: "ordinaire",
    });
    expect(ordinary.json).toEqual({ fin: "2016-07-31" });
    const breach = await w.as.cd13!.req("POST", `/api/conventions/${ID}/preavis`, { motif: "faute" });
    expect(breach.json).toEqual({ fin: "2016-06-30" });
  });
});
