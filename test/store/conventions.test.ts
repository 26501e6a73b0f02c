/**
 * Conventions in the store, on every engine: the four reference conventions
 * are loaded in demo mode, their lifecycle is read back, events are kept in
 * the history, and incoherent changes are refused without writing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusOn } from "../../src/core/convention/lifecycle.js";
import { REFERENCE_CONVENTIONS, ROUEN } from "../../src/core/convention/reference.js";
import { createOrganisation } from "../../src/store/accounts.js";
import {
  conventionHistory,
  conventionsOfOrganisation,
  createConvention,
  getConvention,
  listConventions,
  recordAvenant,
  recordNotice,
  recordPublication,
} from "../../src/store/conventions.js";
import { seedReferenceConventions } from "../../src/store/demo.js";
import { ENGINES, freshDb, type TestDb } from "../helpers/db.js";

describe.each(ENGINES)("conventions on %s", (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb(engine);
    await seedReferenceConventions(t.db);
  }, 60_000);
  afterAll(() => t.drop());

  it("loads the four reference conventions with an organisation behind every party", async () => {
    const all = await listConventions(t.db);
    expect(all.map((s) => s.convention.id).sort()).toEqual(REFERENCE_CONVENTIONS.map((c) => c.id).sort());
    for (const s of all) {
      const ref = REFERENCE_CONVENTIONS.find((c) => c.id === s.convention.id)!;
      expect(s.convention).toEqual(ref);
      expect(Object.keys(s.organisations).sort()).toEqual(ref.parties.map((p) => p.id).sort());
    }
    // COMPAS processes for both Aix and Dijon: one organisation, two conventions.
    const aix = all.find((s) => s.convention.id === "aix-cd13-abs-2015")!;
    const parts = await conventionsOfOrganisation(t.db, aix.organisations.compas!);
    expect(parts).toEqual([
      { conventionId: "aix-cd13-abs-2015", partie: "compas" },
      { conventionId: "dijon-grand-dijon-2009", partie: "compas" },
    ]);
  });

  it("records notice, avenants and publication in the history and reads the status back", async () => {
    await recordAvenant(t.db, ROUEN.id, {
      objet: "Ajout des données ciblées petite enfance",
      signeLe: "2021-03-01",
      effetLe: "2021-04-01",
    });
    await recordNotice(t.db, ROUEN.id, { donneLe: "2024-10-01", par: "caf76", motif: "ordinaire" });
    const { convention } = await getConvention(t.db, ROUEN.id);
    expect(convention.avenants).toEqual([
      {
        numero: 1,
        objet: "Ajout des données ciblées petite enfance",
        signeLe: "2021-03-01",
        effetLe: "2021-04-01",
      },
    ]);
    expect(statusOn(convention, "2024-12-31")).toBe("preavis");
    expect(statusOn(convention, "2025-01-01")).toBe("resiliee");
    const history = await conventionHistory(t.db, ROUEN.id);
    expect(history.map((h) => h.kind)).toEqual(["creation", "avenant", "preavis"]);
    expect(history[2]!.detail).toEqual({ donneLe: "2024-10-01", par: "caf76", motif: "ordinaire" });
    await recordPublication(t.db, "bethune-caf62-2022", "2023-06-30");
    expect(statusOn((await getConvention(t.db, "bethune-caf62-2022")).convention, "2023-07-01")).toBe(
      "terminee_publication",
    );
  });

  it("refuses incoherent conventions and notices with French messages, writing nothing", async () => {
    const org = await createOrganisation(t.db, { nom: `Org ${engine}`, kind: "CCAS" });
    const bad = {
      ...ROUEN,
      id: "bad",
      duree: { kind: "tacite" as const, periodeMois: 12 },
      resiliation: { mode: "a_echeance" as const, preavisMois: 13 },
    };
    await expect(createConvention(t.db, bad, { caf76: org, "ville-rouen": org })).rejects.toThrow(
      "Le préavis (13 mois) est plus long que la durée de la convention (12 mois).",
    );
    await expect(createConvention(t.db, { ...ROUEN, id: "x" }, { caf76: org })).rejects.toThrow(
      /Partie sans organisation : Ville de Rouen/,
    );
    await expect(
      recordNotice(t.db, "bethune-caf62-2022", { donneLe: "2022-09-01", par: "cabbalr", motif: "ordinaire" }),
    ).rejects.toThrow(/pas de résiliation ordinaire/);
    await expect(
      recordNotice(t.db, "aix-cd13-abs-2015", { donneLe: "2017-01-01", par: "inconnu", motif: "faute" }),
    ).rejects.toThrow("Partie inconnue : « inconnu ».");
    expect((await listConventions(t.db)).map((s) => s.convention.id)).not.toContain("bad");
    expect((await conventionHistory(t.db, "aix-cd13-abs-2015")).map((h) => h.kind)).toEqual(["creation"]);
  });
});
