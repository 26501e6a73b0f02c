import { describe, expect, it } from "vitest";
import { isSocleError } from "../errors.js";
import { afterMessage, checkLines, close, providerOf, reporter } from "./anomalies.js";
import { AIX, DIJON } from "./reference.js";

const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (isSocleError(e)) return `${e.kind}: ${e.message}`;
    throw e;
  }
  return "accepté";
};

describe("anomalies reported to a provider", () => {
  it("lets the Grand Dijon report an error in the CCAS's files, and the CCAS answer it", () => {
    const f = providerOf(DIJON, "ville-vers-agglo");
    expect(f).toBe("ccas-dijon");
    expect(reporter(DIJON, ["grand-dijon"], f)).toBe("grand-dijon");
    const open = { statut: "ouverte" as const, signalePar: "grand-dijon", fournisseur: f };
    expect(afterMessage(open, ["ccas-dijon"])).toBe("repondue");
    expect(afterMessage({ ...open, statut: "repondue" }, ["grand-dijon"])).toBe("ouverte");
    expect(close(open, ["grand-dijon"])).toBe("close");
  });

  it("refuses a provider reporting on its own data, with the way out", () => {
    expect(message(() => reporter(AIX, ["cd13"], providerOf(AIX, "apa")))).toBe(
      "interdit: Le fournisseur des données ne se signale pas d'anomalie à lui-même : il dépose une correction.",
    );
    expect(message(() => reporter(AIX, [], "cd13"))).toBe(
      "interdit: Votre organisation n'est pas partie à cette convention.",
    );
  });

  it("keeps a closed thread closed and outsiders to the thread out of it", () => {
    const closed = { statut: "close" as const, signalePar: "ccas-aix", fournisseur: "cd13" };
    expect(message(() => afterMessage(closed, ["cd13"]))).toBe(
      "conflit: Cette anomalie est close : elle ne reçoit plus de message.",
    );
    expect(message(() => close(closed, ["ccas-aix"]))).toBe("conflit: Cette anomalie est déjà close.");
    const open = { ...closed, statut: "ouverte" as const };
    expect(message(() => afterMessage(open, ["compas"]))).toBe(
      "interdit: Seuls la partie qui a signalé l'anomalie et le fournisseur des données y écrivent.",
    );
  });

  it("checks quoted line numbers against the deposit's size, counting the file's lines (header first)", () => {
    expect(checkLines([12, 3, 12], 20)).toEqual([3, 12]);
    expect(checkLines(undefined, 20)).toEqual([]);
    // 20 data rows are lines 2 to 21 of the file.
    expect(checkLines([21], 20)).toEqual([21]);
    expect(message(() => checkLines([3, 22, 0], 20))).toBe(
      "invalide: Ligne(s) hors du fichier (20 lignes de données, lignes 2 à 21) : 22, 0.",
    );
    expect(message(() => checkLines([-1], null))).toBe("invalide: Numéro de ligne invalide : -1.");
  });
});
