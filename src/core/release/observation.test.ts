import { describe, expect, it } from "vitest";
import { readStatedDate, releaseDates, statedDatesProblems } from "./observation.js";

describe("dates a provider states at deposit", () => {
  it("reads a date written the French way or in ISO form, and nothing else", () => {
    expect(readStatedDate("30/06/2025")).toBe("2025-06-30");
    expect(readStatedDate(" 1/7/2025 ")).toBe("2025-07-01");
    expect(readStatedDate("2025-06-30")).toBe("2025-06-30");
    expect(readStatedDate("31/06/2025")).toBeNull();
    expect(readStatedDate("juin 2025")).toBeNull();
  });

  it("refuses an observation after the deposit, far from the vintage, or an update before the observation", () => {
    const on = { annee: 2025, deposeLe: "2026-02-10" };
    expect(statedDatesProblems({ dateObservation: "2025-06-30", miseAJour: "2026-01-15" }, on)).toEqual([]);
    expect(statedDatesProblems({ dateObservation: "2026-03-01" }, on)).toEqual([
      "La date d'observation 01/03/2026 est postérieure au dépôt (10/02/2026) : donnez la date à laquelle les données ont été observées.",
    ]);
    expect(statedDatesProblems({ dateObservation: "2021-12-31" }, on)[0]).toContain(
      "ne correspond pas au millésime 2025 : donnez une date de 2024 à 2026",
    );
    expect(statedDatesProblems({ dateObservation: "2025-06-30", miseAJour: "2025-01-01" }, on)).toEqual([
      "La date de mise à jour 01/01/2025 précède la date d'observation 30/06/2025.",
    ]);
    expect(statedDatesProblems({ miseAJour: "2026-02-11" }, on)[0]).toContain("postérieure au dépôt");
  });
});

describe("dates a release states", () => {
  it("says 31/12 of the vintage and the deposit's day when the provider stated nothing", () => {
    expect(
      releaseDates([{ dateObservation: null, miseAJour: null, deposeLe: "2026-02-03" }], 2025, "2026-03-01"),
    ).toEqual({ dateObservation: "2025-12-31", miseAJour: "2026-02-03", declaree: false });
  });

  it("uses the latest stated observation date and the latest deposit's update date", () => {
    expect(
      releaseDates(
        [
          { dateObservation: "2025-06-30", miseAJour: "2025-09-01", deposeLe: "2026-01-05" },
          { dateObservation: null, miseAJour: null, deposeLe: "2026-02-03" },
        ],
        2025,
        "2026-03-01",
      ),
    ).toEqual({ dateObservation: "2025-06-30", miseAJour: "2026-02-03", declaree: true });
    expect(
      releaseDates(
        [{ dateObservation: "2025-10-31", miseAJour: "2025-11-15", deposeLe: "2026-01-05" }],
        2025,
        "2026-03-01",
      ).miseAJour,
    ).toBe("2025-11-15");
  });

  it("falls back to the release day when no deposit is known", () => {
    expect(releaseDates([], 2024, "2026-03-01")).toEqual({
      dateObservation: "2024-12-31",
      miseAJour: "2026-03-01",
      declaree: false,
    });
  });
});
