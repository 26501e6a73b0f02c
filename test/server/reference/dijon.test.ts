/**
 * Dijon, end to end through the API, each party with its own account: the
 * CCAS registers, the Grand Dijon and COMPAS accept; an avenant adds an
 * annex with its fields, which takes effect (its dataset opens, deposits and
 * releases read it); COMPAS releases; the map layer goes only to the two
 * named services, the yearly Excel table to the SIG service; every export is
 * stamped « Usage interne »; the financing and its review date are recorded;
 * expiry on 31/12/2009, one month's notice for a breach.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../src/core/convention/model.js";
import { DIJON } from "../../../src/core/convention/reference.js";
import { depositCsv, fetchAs, registration, startWalk, type Walk, walked } from "./walk.js";

const TODAY = "2009-06-01";
let w: Walk;
const C = walked(DIJON);
const ID = C.id;
const STAMP =
  "Usage interne – diffusion interdite sans accord de Communauté d'agglomération du Grand Dijon et CCAS de Dijon";

const EMPLOI: Dataset = {
  id: "demandeurs-emploi",
  titre: "Demandeurs d'emploi par commune (Pôle emploi)",
  fournisseur: "grand-dijon",
  kind: "agrege",
  champs: [
    { nom: "territoire", type: "code_commune", libelle: "Commune" },
    { nom: "demandeurs_emploi", type: "entier", libelle: "Demandeurs d'emploi" },
  ],
  niveaux: ["commune"],
  dateObservation: "31/12/N-1",
  periodicite: "annuelle",
  mentionSource: "Source : Pôle emploi, traitement COMPAS, données au {date_observation}",
};

beforeAll(async () => {
  w = await startWalk(C, TODAY, [
    { party: "grand-dijon", key: "grand-dijon/sig", role: "analyste", service: "SIG" },
    { party: "grand-dijon", key: "grand-dijon/pdv", role: "analyste", service: "Politique de la Ville" },
    { party: "grand-dijon", key: "grand-dijon/urbanisme", role: "analyste", service: "Urbanisme" },
  ]);
}, 120_000);
afterAll(async () => w?.s.close());

describe("Dijon: Grand Dijon ↔ CCAS de Dijon, two-way exchange with COMPAS", () => {
  let release: string;

  it("is registered by the CCAS and binds the agglomeration and COMPAS once each accepted; the financing is recorded with its review date", async () => {
    const reg = await w.as["ccas-dijon"]!.req("POST", "/api/conventions", registration(C, w.orgs));
    expect(reg.json).toMatchObject({ statut: "brouillon", acceptationsAttendues: ["grand-dijon", "compas"] });
    await w.as["grand-dijon"]!.req("POST", `/api/conventions/${ID}/acceptation`);
    const ok = await w.as.compas!.req("POST", `/api/conventions/${ID}/acceptation`);
    expect(ok.json.statut).toBe("active");
    const seen = await w.as["grand-dijon"]!.req("GET", `/api/conventions/${ID}`);
    expect(seen.json.document.financement).toEqual({
      objet: "Traitement commun 2009 : 13 250 € à la charge de chaque partie",
      revueLe: "2010-01-01",
    });
    expect(seen.json.document.parties.map((p: { financement?: number }) => p.financement)).toEqual([
      13_250,
      13_250,
      undefined,
    ]);
    expect(seen.json.finPrevue).toBe("2009-12-31");
  });

  it("takes an annex added by avenant into effect: described with its fields, its dataset opens and is released under its own source", async () => {
    const noFields = await w.as["ccas-dijon"]!.req("POST", `/api/conventions/${ID}/avenants`, {
      objet: "Ajout des demandeurs d'emploi",
      signeLe: "2009-05-20",
      effetLe: "2009-06-01",
      modifications: { jeux: [...C.jeux, { ...EMPLOI, champs: [] }] },
    });
    expect(noFields.status).toBe(400);
    expect(noFields.json.erreur.message).toContain("Décrivez au moins un champ de l'annexe (nom, type).");
    const av = await w.as["ccas-dijon"]!.req("POST", `/api/conventions/${ID}/avenants`, {
      objet: "Ajout des demandeurs d'emploi",
      signeLe: "2009-05-20",
      effetLe: "2009-06-01",
      modifications: { jeux: [...C.jeux, EMPLOI] },
    });
    expect(av.json.numero).toBe(1);
    expect(av.json.jeuxOuverts).toHaveLength(1);
    const jeu = av.json.jeuxOuverts[0];
    const dep = await depositCsv(w.as["grand-dijon"]!, jeu, 2008, [
      ["territoire", "demandeurs_emploi"],
      ["21231", 9800],
      ["21166", 1200],
      ["21617", 640],
    ]);
    expect(dep.status).toBe(200);
    const r = await w.as.compas!.req("POST", `/api/jeux/${jeu}/diffusions`, { annee: 2008 });
    expect(r.status).toBe(200);
    expect(r.json.mentionSource).toBe("Source : Pôle emploi, traitement COMPAS, données au 31/12/2008");
    release = r.json.id;
  });

  it("gives the map layer to the two named services and the yearly Excel table to the SIG service only", async () => {
    const get = (who: string, format: string) =>
      fetchAs(w.as[who]!, `/api/diffusions/${release}/export/${format}`);
    expect((await get("grand-dijon/sig", "xlsx")).status).toBe(200);
    expect((await get("grand-dijon/sig", "geojson")).status).toBe(403);
    expect((await get("grand-dijon/pdv", "geojson")).status).toBe(200);
    expect((await get("grand-dijon/pdv", "xlsx")).status).toBe(403);
    expect((await get("grand-dijon/urbanisme", "csv")).status).toBe(403);
    // The CCAS restricts no service.
    expect((await get("ccas-dijon", "geojson")).status).toBe(200);
  });

  it("takes an avenant that gives the map layer to the SIG service too and reviews the financing into effect on its date", async () => {
    const noObject = await w.as["ccas-dijon"]!.req("POST", `/api/conventions/${ID}/avenants`, {
      objet: "Révision du financement",
      signeLe: "2009-05-25",
      effetLe: "2009-06-01",
      modifications: { financement: { objet: "", revueLe: "2010-06-01" } },
    });
    expect(noObject.status).toBe(400);
    expect(noObject.json.erreur.message).toContain("Objet du financement requis.");
    const unknown = await w.as["ccas-dijon"]!.req("POST", `/api/conventions/${ID}/avenants`, {
      objet: "Services",
      signeLe: "2009-05-25",
      effetLe: "2009-06-01",
      modifications: { servicesParSortie: { "grand-lyon": { carte: ["SIG"] } } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.erreur.message).toContain("services d'une partie inconnue : « grand-lyon »");
    const av = await w.as["ccas-dijon"]!.req("POST", `/api/conventions/${ID}/avenants`, {
      objet: "Le SIG charge aussi la couche ; financement revu",
      signeLe: "2009-05-25",
      effetLe: "2009-06-01",
      modifications: {
        servicesParSortie: {
          "grand-dijon": {
            carte: ["Observatoire Prospective", "Politique de la Ville", "SIG"],
            tableau: ["SIG"],
          },
        },
        financement: { objet: "Traitement commun 2009 : 14 000 € chacun", revueLe: "2010-06-01" },
      },
    });
    expect(av.status).toBe(200);
    expect(
      (await fetchAs(w.as["grand-dijon/sig"]!, `/api/diffusions/${release}/export/geojson`)).status,
    ).toBe(200);
    expect((await fetchAs(w.as["grand-dijon/pdv"]!, `/api/diffusions/${release}/export/xlsx`)).status).toBe(
      403,
    );
    const seen = await w.as.compas!.req("GET", `/api/conventions/${ID}`);
    expect(seen.json.versionEnVigueur.financement).toEqual({
      objet: "Traitement commun 2009 : 14 000 € chacun",
      revueLe: "2010-06-01",
    });
    // As signed, the document keeps the first financing.
    expect(seen.json.document.financement.revueLe).toBe("2010-01-01");
  });

  it("stamps every export « Usage interne » naming both providers", async () => {
    const layer = await fetchAs(w.as["grand-dijon/pdv"]!, `/api/diffusions/${release}/export/geojson`);
    expect(JSON.parse(layer.text).source).toContain(STAMP);
    const csv = await fetchAs(w.as["grand-dijon/sig"]!, `/api/diffusions/${release}/export/csv`);
    expect(csv.text).toContain(STAMP);
  });

  it("ends one month after a breach notice, before its expiry on 31/12/2009", async () => {
    const breach = await w.as["ccas-dijon"]!.req("POST", `/api/conventions/${ID}/preavis`, {
      motif: "faute",
    });
    expect(breach.json).toEqual({ fin: "2009-06-30" });
  });
});
