import { describe, expect, it } from "vitest";
import { attestationHash, buildAttestation, manifestText } from "./destruction.js";
import { checkSheet1, checkSheet2, datasetsToCollect, type FedRequest, renderFedForm } from "./fed.js";
import { AIX } from "./reference.js";

const sheet1 = {
  demandeur: "ccas-aix",
  fournisseur: "cd13",
  referent: { nom: "Observatoire social" },
  service: "Observatoire",
  chefService: "Direction du CCAS",
  etude: "ABS 2015 <volet seniors>",
  indicateurs: ["Bénéficiaires de l'APA à domicile par IRIS"],
  delaiSouhaite: "2016-03-31",
};
const request: FedRequest = {
  id: "r1",
  conventionId: AIX.id,
  statut: "en_attente",
  feuille1: sheet1,
  demandeLe: "2016-02-10T09:00:00.000Z",
};

describe("FED requests", () => {
  it("accepts a complete request and names each missing piece of an incomplete one", () => {
    expect(checkSheet1(AIX, sheet1)).toEqual([]);
    expect(
      checkSheet1(AIX, { ...sheet1, fournisseur: "compas", chefService: " ", indicateurs: [""] }),
    ).toEqual([
      "« COMPAS-TIS » n'est pas fournisseur de données dans cette convention.",
      "Chef du service demandeur requis.",
      "Au moins un indicateur demandé.",
    ]);
  });

  it("requires a reason for a défavorable answer and the annexes of that provider for a favorable one", () => {
    const none = { indicateursDisponibles: [], annexes: [] };
    expect(checkSheet2(AIX, request, { avis: "defavorable", ...none })).toEqual([
      "Un avis défavorable doit être motivé : motif requis.",
    ]);
    expect(checkSheet2(AIX, request, { avis: "defavorable", motif: "Hors convention", ...none })).toEqual([]);
    expect(
      checkSheet2(AIX, request, {
        avis: "favorable",
        indicateursDisponibles: ["APA"],
        delaiLivraison: "2016-04-15",
        annexes: ["apa", "inconnue"],
      }),
    ).toEqual(["Annexe « inconnue » : ce n'est pas un jeu de données de ce fournisseur dans la convention."]);
    const fav = {
      avis: "favorable" as const,
      indicateursDisponibles: ["APA"],
      delaiLivraison: "2016-04-15",
      annexes: ["apa"],
    };
    expect(datasetsToCollect(AIX, fav).map((d) => d.id)).toEqual(["apa"]);
    expect(checkSheet2(AIX, { ...request, statut: "favorable" }, fav)).toEqual([
      "Cette demande a déjà reçu une réponse (avis favorable).",
    ]);
  });

  it("prints both sheets in French with the user's text escaped", () => {
    const html = renderFedForm(AIX, request);
    expect(html).toContain("Feuille 1 — Demande");
    expect(html).toContain("ABS 2015 &lt;volet seniors&gt;");
    expect(html).not.toContain("<volet");
    expect(html).toContain("31/03/2016");
    expect(html).toContain("En attente de la réponse de Conseil Départemental des Bouches-du-Rhône.");
  });
});

describe("destruction attestation", () => {
  it("hashes the manifest independently of the order objects were listed in", () => {
    const a = { kind: "microdonnee" as const, cle: "d:1", empreinte: "aa" };
    const b = { kind: "fichier" as const, cle: "jeux/x/y", empreinte: "bb", octets: 10 };
    expect(manifestText([a, b])).toBe(manifestText([b, a]));
    const base = {
      jeu: { id: "j", titre: "APA", annexe: "apa" },
      convention: { id: "c", titre: "C" },
      detruitLe: "2016-12-31T10:00:00.000Z",
      par: { id: "u", nom: "N", organisation: "O" },
    };
    const x = buildAttestation(base, [a, b]);
    expect(x.comptes).toEqual({
      microdonnee: 1,
      tableau: 0,
      depot: 0,
      fichier: 1,
      geocodage: 0,
      diffusion: 0,
      message_anomalie: 0,
    });
    expect(x.octets).toBe(10);
    expect(attestationHash(x)).toBe(attestationHash(buildAttestation(base, [b, a])));
    expect(attestationHash(buildAttestation(base, [a]))).not.toBe(attestationHash(x));
  });
});
