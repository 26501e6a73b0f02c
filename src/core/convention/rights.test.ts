import { describe, expect, it } from "vitest";
import { AIX, BETHUNE, DIJON, ROUEN } from "./reference.js";
import { ACTIONS, type Action, decide } from "./rights.js";

const allowed = (d: ReturnType<typeof decide>) => d.ok;

describe("rights derived from a convention", () => {
  it("gives microdata only to the processor, protected outputs to every party, nothing to outsiders", () => {
    const on = "2016-06-01";
    const matrix = Object.fromEntries(
      ["cd13", "ccas-aix", "compas", "dehors"].map((p) => [
        p,
        Object.fromEntries(
          ACTIONS.map((a: Action) => [
            a,
            allowed(decide(AIX, a, { parties: p === "dehors" ? [] : [p], on })),
          ]),
        ),
      ]),
    );
    expect(matrix).toEqual({
      cd13: {
        voir_convention: true,
        voir_microdonnees: false,
        voir_sorties_protegees: true,
        deposer: true,
        exporter: true,
        diffuser_externe: true,
        gerer_convention: true,
        accorder_diffusion: true,
        demander_donnees: false,
        repondre_fed: true,
        detruire: true,
        restituer: false,
        publier: false,
        accepter_convention: false,
      },
      "ccas-aix": {
        voir_convention: true,
        voir_microdonnees: false,
        voir_sorties_protegees: true,
        deposer: false,
        exporter: true,
        diffuser_externe: false,
        gerer_convention: true,
        accorder_diffusion: false,
        demander_donnees: true,
        repondre_fed: false,
        detruire: false,
        restituer: true,
        publier: false,
        accepter_convention: false,
      },
      compas: {
        voir_convention: true,
        voir_microdonnees: true,
        voir_sorties_protegees: true,
        deposer: true,
        exporter: true,
        diffuser_externe: false,
        gerer_convention: true,
        accorder_diffusion: false,
        demander_donnees: true,
        repondre_fed: false,
        detruire: true,
        restituer: true,
        publier: true,
        accepter_convention: false,
      },
      dehors: {
        voir_convention: false,
        voir_microdonnees: false,
        voir_sorties_protegees: false,
        deposer: false,
        exporter: false,
        diffuser_externe: false,
        gerer_convention: false,
        accorder_diffusion: false,
        demander_donnees: false,
        repondre_fed: false,
        detruire: false,
        restituer: false,
        publier: false,
        accepter_convention: false,
      },
    });
  });

  it("refuses deposits and exports under a convention that is not in force, saying why", () => {
    expect(decide(DIJON, "deposer", { parties: ["ccas-dijon"], on: "2010-01-05" })).toEqual({
      ok: false,
      raison: "La convention n'est pas en vigueur (expirée).",
    });
    expect(decide(ROUEN, "exporter", { parties: ["ville-rouen"], on: "2018-12-31" }).ok).toBe(false);
    expect(decide(ROUEN, "voir_sorties_protegees", { parties: ["ville-rouen"], on: "2030-01-01" }).ok).toBe(
      true,
    );
  });

  it("needs the provider's recorded approval for external diffusion", () => {
    const ctx = { parties: ["ville-rouen"], on: "2024-05-01" };
    expect(decide(ROUEN, "diffuser_externe", ctx)).toEqual({
      ok: false,
      raison: "La diffusion externe demande l'accord préalable du fournisseur, non enregistré.",
    });
    expect(decide(ROUEN, "diffuser_externe", { ...ctx, accordDiffusion: true }).ok).toBe(true);
  });

  it("lets only the two named services of the agglomeration see Dijon's outputs", () => {
    const ctx = { parties: ["grand-dijon"], on: "2009-06-01" };
    expect(decide(DIJON, "voir_sorties_protegees", { ...ctx, service: "Urbanisme" })).toEqual({
      ok: false,
      raison: "Seuls les services « Observatoire Prospective » et « Politique de la Ville » y ont accès.",
    });
    expect(decide(DIJON, "voir_sorties_protegees", { ...ctx, service: "Politique de la Ville" }).ok).toBe(
      true,
    );
    expect(decide(DIJON, "voir_sorties_protegees", { parties: ["ccas-dijon"], on: "2009-06-01" }).ok).toBe(
      true,
    );
  });
});

describe("rights by role inside a party", () => {
  const on = "2016-06-01";
  it("lets only administrators and referents commit their organisation", () => {
    expect(decide(AIX, "repondre_fed", { parties: ["cd13"], on, role: "analyste" })).toEqual({
      ok: false,
      raison: "Seuls les administrateurs et référents de l'organisation peuvent le faire.",
    });
    expect(decide(AIX, "repondre_fed", { parties: ["cd13"], on, role: "referent" }).ok).toBe(true);
    expect(decide(AIX, "detruire", { parties: ["compas"], on, role: "admin" }).ok).toBe(true);
  });
  it("keeps readers to reading", () => {
    expect(decide(AIX, "demander_donnees", { parties: ["ccas-aix"], on, role: "lecteur" }).ok).toBe(false);
    expect(decide(AIX, "voir_sorties_protegees", { parties: ["ccas-aix"], on, role: "lecteur" }).ok).toBe(
      true,
    );
  });
  it("still allows destruction after the end, but no more requests", () => {
    const after = "2030-01-01";
    const ended = { ...AIX, preavis: { donneLe: "2020-01-01", par: "cd13", motif: "ordinaire" as const } };
    expect(decide(ended, "detruire", { parties: ["compas"], on: after }).ok).toBe(true);
    expect(decide(ended, "demander_donnees", { parties: ["ccas-aix"], on: after })).toEqual({
      ok: false,
      raison: "La convention est terminée (résiliée).",
    });
  });
});

describe("who releases, who accepts, who destroys, which service gets which output", () => {
  it("lets the recipient release where the convention has no processor (Béthune, Rouen), and only it", () => {
    const on = "2022-06-01";
    expect(decide(BETHUNE, "publier", { parties: ["cabbalr"], on }).ok).toBe(true);
    expect(decide(BETHUNE, "publier", { parties: ["caf62"], on })).toEqual({
      ok: false,
      raison:
        "Seule la partie chargée du traitement (Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane) produit les diffusions.",
    });
    expect(decide(ROUEN, "publier", { parties: ["ville-rouen"], on: "2024-05-01" }).ok).toBe(true);
    expect(decide(AIX, "publier", { parties: ["ccas-aix"], on: "2016-06-01" }).ok).toBe(false);
    // A convention may name the party that processes.
    expect(
      decide({ ...ROUEN, traitement: "caf76" }, "publier", { parties: ["caf76"], on: "2024-05-01" }).ok,
    ).toBe(true);
  });

  it("keeps a convention registered by one organisation a draft until the other party accepts it", () => {
    const draft = { ...ROUEN, acceptations: [{ partie: "caf76" }] };
    const on = "2024-05-01";
    expect(decide(draft, "demander_donnees", { parties: ["ville-rouen"], on })).toEqual({
      ok: false,
      raison: "La convention est un brouillon : chaque partie doit d'abord l'accepter.",
    });
    expect(decide(draft, "gerer_convention", { parties: ["ville-rouen"], on }).ok).toBe(false);
    expect(decide(draft, "deposer", { parties: ["caf76"], on }).ok).toBe(false);
    expect(decide(draft, "accepter_convention", { parties: ["caf76"], on, role: "referent" }).ok).toBe(true);
    expect(decide(draft, "accepter_convention", { parties: ["caf76"], on, role: "analyste" }).ok).toBe(false);
    expect(decide(draft, "accepter_convention", { parties: ["ville-rouen"], on }).ok).toBe(false);
    const accepted = { ...ROUEN, acceptations: [{ partie: "caf76", accepteeLe: "2024-04-02" }] };
    expect(decide(accepted, "demander_donnees", { parties: ["ville-rouen"], on }).ok).toBe(true);
  });

  it("lets Béthune's recipient destroy the data, as the convention binds it, and not the CAF", () => {
    const on = "2023-01-01";
    expect(decide(BETHUNE, "detruire", { parties: ["cabbalr"], on }).ok).toBe(true);
    expect(decide(BETHUNE, "detruire", { parties: ["caf62"], on }).ok).toBe(false);
  });

  it("gives Dijon's map layer to the two services and the yearly Excel table to the SIG service", () => {
    const ctx = { parties: ["grand-dijon"], on: "2009-06-01" };
    expect(decide(DIJON, "exporter", { ...ctx, service: "SIG", sortie: "tableau" }).ok).toBe(true);
    expect(decide(DIJON, "exporter", { ...ctx, service: "SIG", sortie: "carte" })).toEqual({
      ok: false,
      raison: "Seuls les services « Observatoire Prospective » et « Politique de la Ville » y ont accès.",
    });
    expect(decide(DIJON, "exporter", { ...ctx, service: "Politique de la Ville", sortie: "carte" }).ok).toBe(
      true,
    );
    expect(
      decide(DIJON, "exporter", { ...ctx, service: "Politique de la Ville", sortie: "tableau" }),
    ).toEqual({
      ok: false,
      raison: "Seuls les services « SIG » y ont accès.",
    });
    expect(decide(DIJON, "exporter", { ...ctx, service: "Urbanisme" }).ok).toBe(false);
  });
});
