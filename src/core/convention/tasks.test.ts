import { describe, expect, it } from "vitest";
import type { FedRequest } from "./fed.js";
import { alerts } from "./lifecycle.js";
import { ROUEN } from "./reference.js";
import { conventionTasks } from "./tasks.js";

const fed = (statut: FedRequest["statut"]): FedRequest => ({
  id: "f1",
  conventionId: ROUEN.id,
  statut,
  demandeLe: "2024-09-01T08:00:00.000Z",
  feuille1: {
    demandeur: "ville-rouen",
    fournisseur: "caf76",
    referent: { nom: "Observatoire social" },
    service: "Observatoire",
    chefService: "Direction",
    etude: "Familles monoparentales",
    indicateurs: ["Familles monoparentales"],
    delaiSouhaite: "2024-12-01",
  },
});

describe("« Mes tâches » under a convention", () => {
  it("gives the CAF the FED to answer, the yearly socle to deposit, the anomaly reported to it, the approval asked of it, the coming renewal", () => {
    const on = "2024-11-15";
    const facts = {
      alertes: alerts(ROUEN, on, 60),
      feds: [fed("en_attente"), { ...fed("favorable"), id: "f2" }],
      anomalies: [{ id: "a1", fournisseur: "caf76", creeLe: "2024-11-10T09:00:00.000Z" }],
      demandesAccord: [
        {
          id: "d1",
          diffusionId: "r1",
          fournisseur: "caf76",
          destinataire: "Conseil municipal",
          demandeLe: "2024-11-12",
        },
      ],
    };
    const caf = conventionTasks(ROUEN, ["caf76"], on, facts);
    expect(caf.map((t) => [t.kind, t.lien])).toEqual([
      ["fed", "/fed/f1"],
      ["collecte", `/conventions/${ROUEN.id}`],
      ["preavis", `/conventions/${ROUEN.id}`],
      ["anomalie", `/conventions/${ROUEN.id}#titre-anomalies`],
      ["accord", "/diffusions/r1"],
    ]);
    expect(caf[4]!.libelle).toBe("Accord de diffusion externe demandé (destinataire : Conseil municipal).");
    expect(caf[2]!.libelle).toBe("Reconduction tacite le 01/01/2025 pour 12 mois.");
    // The city neither answers FEDs nor deposits the socle: it keeps the renewal in view.
    expect(conventionTasks(ROUEN, ["ville-rouen"], on, facts).map((t) => t.kind)).toEqual(["preavis"]);
    expect(conventionTasks(ROUEN, [], on, facts)).toEqual([]);
  });
});
