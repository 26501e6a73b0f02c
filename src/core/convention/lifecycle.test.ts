import { describe, expect, it } from "vitest";
import { addMonths } from "./dates.js";
import {
  alerts,
  endAfterNotice,
  giveNotice,
  isInForce,
  lastNoticeDay,
  nextRenewal,
  noticeProblem,
  statusOn,
} from "./lifecycle.js";
import { type Convention, checkConvention, versionOn } from "./model.js";
import { AIX, BETHUNE, DIJON, REFERENCE_CONVENTIONS, ROUEN } from "./reference.js";

const withNotice = (
  c: Convention,
  donneLe: string,
  motif: "ordinaire" | "faute",
  par: string,
): Convention => ({
  ...c,
  preavis: { donneLe, motif, par },
});

describe("the four reference conventions", () => {
  it("are coherent", () => {
    for (const c of REFERENCE_CONVENTIONS) expect(checkConvention(c), c.id).toEqual([]);
  });

  it("Rouen renews every 1 January unless notice is given three months before, over several years", () => {
    for (let y = 2019; y <= 2030; y++) {
      expect(nextRenewal(ROUEN, `${y}-06-15`)).toBe(`${y + 1}-01-01`);
      expect(lastNoticeDay(ROUEN, `${y}-06-15`)).toBe(`${y}-10-01`);
      expect(statusOn(ROUEN, `${y}-12-31`)).toBe("active");
    }
    // The renewal day itself starts a new period.
    expect(nextRenewal(ROUEN, "2024-01-01")).toBe("2025-01-01");
    // Notice on the last possible day: the convention ends with the current period.
    const inTime = withNotice(ROUEN, "2024-10-01", "ordinaire", "caf76");
    expect(endAfterNotice(ROUEN, "2024-10-01", "ordinaire")).toBe("2024-12-31");
    expect(statusOn(inTime, "2024-12-31")).toBe("preavis");
    expect(statusOn(inTime, "2025-01-01")).toBe("resiliee");
    // One day late: one more year.
    const late = withNotice(ROUEN, "2024-10-02", "ordinaire", "ville-rouen");
    expect(endAfterNotice(ROUEN, "2024-10-02", "ordinaire")).toBe("2025-12-31");
    expect(statusOn(late, "2025-06-01")).toBe("preavis");
    expect(statusOn(late, "2026-01-01")).toBe("resiliee");
  });

  it("Dijon is signed, then in force once executory, and expires on 31/12/2009", () => {
    expect(statusOn(DIJON, "2009-01-10")).toBe("brouillon");
    expect(statusOn(DIJON, "2009-02-20")).toBe("signee");
    expect(isInForce(DIJON, "2009-02-20")).toBe(false);
    expect(statusOn(DIJON, "2009-03-02")).toBe("active");
    expect(statusOn(DIJON, "2009-12-31")).toBe("active");
    expect(statusOn(DIJON, "2010-01-01")).toBe("expiree");
    expect(isInForce(DIJON, "2010-01-01")).toBe(false);
    // Two months' notice given in November cannot run past the expiry.
    expect(endAfterNotice(DIJON, "2009-11-15", "ordinaire")).toBe("2009-12-31");
    expect(statusOn(withNotice(DIJON, "2009-11-15", "ordinaire", "ccas-dijon"), "2010-01-01")).toBe(
      "expiree",
    );
    // One month for a breach.
    expect(endAfterNotice(DIJON, "2009-06-10", "faute")).toBe("2009-07-09");
    expect(statusOn(withNotice(DIJON, "2009-06-10", "faute", "grand-dijon"), "2009-07-10")).toBe("resiliee");
  });

  it("Béthune ends when the study is published, and only the CAF may end it earlier, for a breach", () => {
    expect(statusOn(BETHUNE, "2030-01-01")).toBe("active");
    const published = { ...BETHUNE, publieeLe: "2023-06-30" };
    expect(statusOn(published, "2023-06-30")).toBe("active");
    expect(statusOn(published, "2023-07-01")).toBe("terminee_publication");
    expect(noticeProblem(BETHUNE, "cabbalr", "ordinaire")).toMatch(/pas de résiliation ordinaire/);
    expect(noticeProblem(BETHUNE, "cabbalr", "faute")).toMatch(/ne peut pas résilier/);
    expect(noticeProblem(BETHUNE, "caf62", "faute")).toBeNull();
    expect(statusOn(withNotice(BETHUNE, "2022-09-01", "faute", "caf62"), "2022-09-02")).toBe("resiliee");
    // Data to destroy once the study is published.
    expect(
      alerts(published, "2023-07-01", 60, { jeuxNonDetruits: ["assmat-caf"] }).map((a) => a.kind),
    ).toEqual(["restitution", "destruction"]);
  });

  it("Aix can be terminated with two months' notice at any time, one month for a breach", () => {
    expect(endAfterNotice(AIX, "2017-05-10", "ordinaire")).toBe("2017-07-09");
    expect(endAfterNotice(AIX, "2017-05-10", "faute")).toBe("2017-06-09");
    // End of month and leap year: notice on 31/12/2019 runs to 28/02/2020 included.
    expect(endAfterNotice(AIX, "2019-12-31", "ordinaire")).toBe("2020-02-28");
    expect(endAfterNotice(AIX, "2019-12-30", "ordinaire")).toBe("2020-02-28");
    expect(endAfterNotice(AIX, "2020-12-29", "ordinaire")).toBe("2021-02-27");
    const n = withNotice(AIX, "2017-05-10", "ordinaire", "ccas-aix");
    expect(statusOn(n, "2017-07-09")).toBe("preavis");
    expect(statusOn(n, "2017-07-10")).toBe("resiliee");
    // Renewed every 1 February otherwise.
    expect(nextRenewal(AIX, "2021-01-31")).toBe("2021-02-01");
    expect(nextRenewal(AIX, "2021-02-01")).toBe("2022-02-01");
  });
});

describe("lifecycle rules", () => {
  it("keeps anniversaries of a 29 February start in leap years", () => {
    const c: Convention = { ...ROUEN, signeeLe: "2020-02-29", effetLe: "2020-02-29" };
    expect(nextRenewal(c, "2020-03-01")).toBe("2021-02-28");
    expect(nextRenewal(c, "2021-02-28")).toBe("2022-02-28");
    expect(nextRenewal(c, "2023-03-01")).toBe("2024-02-29");
    expect(lastNoticeDay(c, "2023-03-01")).toBe("2023-11-29");
    expect(endAfterNotice(c, "2023-11-29", "ordinaire")).toBe("2024-02-28");
    expect(endAfterNotice(c, "2023-11-30", "ordinaire")).toBe("2025-02-27");
  });

  it("alerts on the notice deadline and the renewal when they come within the horizon", () => {
    expect(alerts(ROUEN, "2024-09-15", 60).filter((a) => a.kind !== "collecte")).toEqual([
      {
        kind: "preavis_limite",
        date: "2024-10-01",
        message: "Dernier jour pour dénoncer la convention avant sa reconduction : 01/10/2024.",
      },
    ]);
    expect(alerts(ROUEN, "2024-11-15", 60).map((a) => a.kind)).toContain("reconduction");
    expect(alerts(DIJON, "2009-11-15", 60).map((a) => a.kind)).toContain("echeance");
    expect(alerts(ROUEN, "2024-03-01", 30, { collectes: { "socle-caf": [2023] } })).toEqual([]);
    expect(alerts(ROUEN, "2024-03-01", 30).map((a) => a.message)).toEqual([
      "Collecte annuelle attendue : « Socle annuel : population couverte, familles, prestations, minima sociaux, dépendance, bas revenus », données au 31/12/2023.",
    ]);
  });

  it("refuses an incoherent convention with French messages", () => {
    expect(checkConvention({ ...DIJON, effetLe: "2010-02-01" })).toContain(
      "La date de fin précède la date d'effet.",
    );
    expect(checkConvention({ ...ROUEN, resiliation: { mode: "a_echeance", preavisMois: 14 } })).toContain(
      "Le préavis (14 mois) est plus long que la durée de la convention (12 mois).",
    );
    expect(checkConvention({ ...AIX, jeux: [{ ...AIX.jeux[0]!, fournisseur: "caf13" }] })).toContain(
      "Jeu de données « Assistantes maternelles agréées PMI » : fournisseur « caf13 » inconnu parmi les parties.",
    );
    expect(checkConvention({ ...AIX, effetLe: "2016-01-01" })).toContain(
      "La date d'effet précède la date de signature.",
    );
    expect(checkConvention({ ...AIX, signeeLe: "2016-02-30" })).toContain(
      "Date invalide : « 2016-02-30 » (attendu AAAA-MM-JJ).",
    );
  });

  it("computes month arithmetic by clamping to the month's end", () => {
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2023-01-31", 1)).toBe("2023-02-28");
    expect(addMonths("2024-03-31", -1)).toBe("2024-02-29");
    expect(addMonths("2024-12-15", 3)).toBe("2025-03-15");
  });
});

describe("avenants as versioned changes", () => {
  const prolongation = {
    ...DIJON,
    avenants: [
      {
        numero: 1,
        objet: "Prolongation d'un an et seuil relevé à 10",
        signeLe: "2009-12-01",
        effetLe: "2009-12-15",
        modifications: {
          duree: { kind: "echeance" as const, fin: "2010-12-31" },
          secret: { ...DIJON.secret, seuil: 10 },
        },
      },
    ],
  };

  it("reads the convention as amended from the avenant's effective date on, not before", () => {
    expect(versionOn(prolongation, "2009-12-14").secret.seuil).toBe(DIJON.secret.seuil);
    expect(versionOn(prolongation, "2009-12-15").secret.seuil).toBe(10);
    expect(statusOn(prolongation, "2010-06-01")).toBe("active");
    expect(statusOn(prolongation, "2011-01-01")).toBe("expiree");
    expect(statusOn(DIJON, "2010-06-01")).toBe("expiree");
    expect(alerts(prolongation, "2010-12-01", 60).map((a) => a.message)).toContain(
      "La convention expire le 31/12/2010.",
    );
  });

  it("refuses an avenant that makes the convention incoherent", () => {
    const bad = {
      ...prolongation,
      avenants: [
        {
          ...prolongation.avenants[0]!,
          modifications: { duree: { kind: "echeance" as const, fin: "2008-12-31" } },
        },
      ],
    };
    expect(checkConvention(bad)).toEqual([
      "Avenant n° 1 : La date de fin précède la date d'effet.",
      "Avenant n° 1 : Le préavis (2 mois) est plus long que la durée de la convention.",
    ]);
  });
});

describe("notices as each reference convention says", () => {
  it("ends Rouen three months after a notice for breach or dispute given at any time, not at the next renewal", () => {
    expect(endAfterNotice(ROUEN, "2024-05-10", "faute")).toBe("2024-08-09");
    // An ordinary notice is a non-renewal: in time for the 2025 anniversary.
    expect(endAfterNotice(ROUEN, "2024-05-10", "ordinaire")).toBe("2024-12-31");
  });

  it("lets a breach notice shorten an ordinary one already running, and nothing else replace it", () => {
    // Given too late for the 2025 anniversary: the convention runs until the end of 2025.
    const ordinary = giveNotice(ROUEN, { donneLe: "2024-11-01", par: "caf76", motif: "ordinaire" });
    if ("refus" in ordinary) throw new Error(ordinary.refus);
    expect(endAfterNotice(ordinary, "2024-11-01", "ordinaire")).toBe("2025-12-31");
    const breach = giveNotice(ordinary, { donneLe: "2024-12-01", par: "ville-rouen", motif: "faute" });
    if ("refus" in breach) throw new Error(breach.refus);
    expect(breach.preavis?.motif).toBe("faute");
    expect(breach.preavisRemplace?.motif).toBe("ordinaire");
    expect(statusOn(breach, "2025-03-01")).toBe("resiliee");
    expect(giveNotice(ordinary, { donneLe: "2024-12-01", par: "caf76", motif: "ordinaire" })).toEqual({
      refus: "Un préavis est déjà enregistré pour cette convention.",
    });
  });

  it("lets only the CAF terminate Béthune, for a breach, and ends it at once", () => {
    expect(giveNotice(BETHUNE, { donneLe: "2022-09-01", par: "cabbalr", motif: "faute" })).toEqual({
      refus: "Cette partie ne peut pas résilier la convention pour manquement.",
    });
    expect(giveNotice(BETHUNE, { donneLe: "2022-09-01", par: "caf62", motif: "ordinaire" })).toEqual({
      refus: "Cette convention ne prévoit pas de résiliation ordinaire (seulement pour manquement).",
    });
    const ended = giveNotice(BETHUNE, { donneLe: "2022-09-01", par: "caf62", motif: "faute" });
    if ("refus" in ended) throw new Error(ended.refus);
    expect(statusOn(ended, "2022-09-02")).toBe("resiliee");
  });

  it("keeps a convention awaiting a party's acceptance a draft, whatever its dates", () => {
    expect(statusOn({ ...ROUEN, acceptations: [{ partie: "caf76" }] }, "2024-05-01")).toBe("brouillon");
    expect(
      statusOn({ ...ROUEN, acceptations: [{ partie: "caf76", accepteeLe: "2019-01-01" }] }, "2024-05-01"),
    ).toBe("active");
  });
});
