/**
 * Aix-en-Provence, end to end through the API, each party with its own
 * account: the CCAS registers, the Département and COMPAS accept; the
 * annexes open their yearly datasets; the Département deposits; COMPAS
 * (the processor) releases, the CCAS may not; small cells are secret; the
 * Département's source is on every export; no transfer without its prior
 * consent to that release; two months' notice at any time, one for a breach.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../../src/core/convention/model.js";
import { AIX } from "../../../src/core/convention/reference.js";
import { depositCsv, fetchAs, registration, startWalk, type Walk, walked } from "./walk.js";

const TODAY = "2016-06-01";
let w: Walk;
// The CCAS marks the ASH total required in the annex of aides légales: no deposit goes without it.
const C: Convention = {
  ...walked(AIX),
  jeux: AIX.jeux.map((j) =>
    j.id === "aides-legales"
      ? { ...j, champs: j.champs.map((f) => (f.nom === "ash_total" ? { ...f, requis: true } : f)) }
      : j,
  ),
};
const ID = C.id;

beforeAll(async () => {
  w = await startWalk(C, TODAY);
}, 120_000);
afterAll(async () => w?.s.close());

describe("Aix-en-Provence: CCAS ↔ Conseil Départemental 13, ABS with COMPAS-TIS", () => {
  let release: string;

  it("refuses an annex without fields, or whose sums name a field it does not describe, saying which annex and field", async () => {
    const legales = C.jeux.find((j) => j.id === "aides-legales")!;
    const badSum = {
      ...C,
      jeux: [{ ...legales, sommes: [{ total: "ash_total", parties: ["ash_hommes", "ash_inconnus"] }] }],
    };
    const r1 = await w.as["ccas-aix"]!.req("POST", "/api/conventions", registration(badSum, w.orgs));
    expect(r1.status).toBe(400);
    expect(r1.json.erreur.details).toContain(
      "Annexe « Aides légales PA/PH (ASH, ACTP/PCH) », somme « ash_total » : le champ « ash_inconnus » n'est pas un champ de l'annexe.",
    );
    const noField = { ...C, jeux: [{ ...legales, champs: [] }] };
    const r2 = await w.as["ccas-aix"]!.req("POST", "/api/conventions", registration(noField, w.orgs));
    expect(r2.status).toBe(400);
    expect(r2.json.erreur.message).toContain("Décrivez au moins un champ de l'annexe (nom, type).");
    expect(r2.json.erreur.message).toContain("jeux.0.champs");
    // Nothing was half-written: the convention does not exist.
    expect((await w.as["ccas-aix"]!.req("GET", `/api/conventions/${ID}`)).status).toBe(404);
  });

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
    // The ASH total is required by the annex: a later deposit may not declare it absent.
    const without = await depositCsv(
      w.as.cd13!,
      jeu,
      2015,
      [
        ["territoire", "ash_hommes", "ash_femmes"],
        ["13001", 36, 3],
      ],
      "&absents=ash_total&mode=complement",
    );
    expect(without.status).toBe(400);
    expect(without.json.erreur.message).toContain(
      "« ash_total » (champ ash_total) est requis par l'annexe « Aides légales PA/PH (ASH, ACTP/PCH) » : il ne peut être déclaré absent.",
    );
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
