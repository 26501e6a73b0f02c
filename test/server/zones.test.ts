/**
 * Custom zones through the API: an organisation's référent creates, renames,
 * re-draws and deletes its zones; other roles and other organisations
 * cannot; bad input is refused in French without half-writing; a zone a
 * release published is frozen (the published history keeps reading it).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { AIX } from "../../src/core/convention/reference.js";
import { loadSolver } from "../../src/core/secrecy/solver.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { buildAddressIndex } from "../../src/geo/address-index.js";
import { Geocoder } from "../../src/geo/geocoder.js";
import { depositIndividualFile } from "../../src/ingest/deposit.js";
import { publishRelease } from "../../src/release/publish.js";
import { createOrganisation } from "../../src/store/accounts.js";
import { verifyAudit } from "../../src/store/audit.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let caf: Client;
let ccas: Client;
let cafOrg: string;
let ccasOrg: string;
let dir: string;

beforeAll(async () => {
  s = await startServer("pglite");
  dir = mkdtempSync(path.join(tmpdir(), "socle-zones-"));
  caf = new Client(s.url);
  ccas = new Client(s.url);
  cafOrg = (await caf.login("caf@demo.socle.example")).json.organisations[0].id;
  ccasOrg = (await ccas.login("ccas@demo.socle.example")).json.organisations[0].id;
}, 120_000);

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const zoneOf = async (c: Client, id: string) => (await c.req("GET", `/api/zones/${id}`)).json;

describe("custom zones through the API", () => {
  let rpe: string;

  it("lets the organisation's référent create a zone of communes with its kind (RPE)", async () => {
    const r = await caf.req("POST", "/api/zones", {
      organisationId: cafOrg,
      nom: "RPE Est",
      type: "communes",
      categorie: "rpe",
      membres: ["00005", " 00003", "00003"],
    });
    expect(r.status).toBe(200);
    rpe = r.json.id;
    expect(await zoneOf(caf, rpe)).toMatchObject({
      nom: "RPE Est",
      kind: "communes",
      categorie: "rpe",
      categorieLibelle: "Relais Petite Enfance (RPE)",
      membres: ["00003", "00005"],
      diffusions: 0,
    });
    const listed = (await caf.req("GET", "/api/zones")).json.find((z: { id: string }) => z.id === rpe);
    expect(listed).toMatchObject({ nom: "RPE Est", categorie: "rpe", membres: 2, diffusions: 0 });
  });

  it("renames a zone and changes its units, with an audit entry that counts what changed", async () => {
    const r = await caf.req("PATCH", `/api/zones/${rpe}`, {
      nom: "RPE Est et Sud",
      membres: ["00003", "00005", "00006"],
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ nom: "RPE Est et Sud", membres: ["00003", "00005", "00006"] });
    expect(await zoneOf(caf, rpe)).toMatchObject({
      nom: "RPE Est et Sud",
      membres: ["00003", "00005", "00006"],
    });
    // From communes to IRIS: the members are given with the new unit.
    const iris = await caf.req("PATCH", `/api/zones/${rpe}`, {
      type: "iris",
      categorie: "quartier",
      membres: ["000050001", "000050002"],
    });
    expect(iris.status).toBe(200);
    expect(await zoneOf(caf, rpe)).toMatchObject({
      kind: "iris",
      categorie: "quartier",
      membres: ["000050001", "000050002"],
    });
    const audit = await s.db.query<{ action: string; detail: Record<string, unknown> }>(
      "SELECT action, detail FROM audit_log WHERE target = $1 AND action LIKE 'zones.%' ORDER BY seq",
      [rpe],
    );
    expect(audit.map((a) => a.action)).toEqual([
      "zones.creation",
      "zones.modification",
      "zones.modification",
    ]);
    expect(audit[1]!.detail).toMatchObject({ renommee: true, ajoutes: 1, retires: 0 });
    expect(await verifyAudit(s.db)).toMatchObject({ ok: true });
  });

  it("refuses bad edits in French and leaves the zone as it was", async () => {
    const before = await zoneOf(caf, rpe);
    const malformed = await caf.req("PATCH", `/api/zones/${rpe}`, { membres: ["00005", "ABC"] });
    expect(malformed.status).toBe(400);
    expect(malformed.json.erreur.message).toBe(
      "Codes mal formés : 00005, ABC ; attendu : code IRIS à 9 caractères.",
    );
    const unknown = await caf.req("PATCH", `/api/zones/${rpe}`, { membres: ["000059999"] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.erreur.message).toBe("Territoire(s) inconnu(s) : 000059999.");
    const empty = await caf.req("PATCH", `/api/zones/${rpe}`, { membres: [] });
    expect(empty.json.erreur.message).toBe("Au moins une unité (commune ou IRIS).");
    const typeOnly = await caf.req("PATCH", `/api/zones/${rpe}`, { type: "communes" });
    expect(typeOnly.status).toBe(400);
    expect(typeOnly.json.erreur.message).toContain("Changer le type d'unités demande la liste des membres.");
    const taken = await caf.req("PATCH", `/api/zones/${rpe}`, { nom: "Relais Petite Enfance Ouest (démo)" });
    expect(taken.status).toBe(409);
    expect(taken.json.erreur.message).toBe(
      "L'organisation a déjà une zone nommée « Relais Petite Enfance Ouest (démo) ».",
    );
    const badKind = await caf.req("PATCH", `/api/zones/${rpe}`, { categorie: "canton" });
    expect(badKind.status).toBe(400);
    expect(badKind.json.erreur.message).toContain("Catégorie attendue : rpe, quartier, qpv, secteur, autre.");
    expect(await zoneOf(caf, rpe)).toEqual(before);
  });

  it("keeps zone changes to the organisation's administrators and référents; others are told nothing exists", async () => {
    const own = (await ccas.req("GET", "/api/zones")).json[0].id as string;
    const patch = await ccas.req("PATCH", `/api/zones/${own}`, { nom: "Renommée par l'analyste" });
    expect(patch.status).toBe(403);
    expect(patch.json.erreur.message).toBe(
      "Seuls les administrateurs et référents de l'organisation modifient ses zones.",
    );
    const del = await ccas.req("DELETE", `/api/zones/${own}`);
    expect(del.status).toBe(403);
    expect(del.json.erreur.message).toBe(
      "Seuls les administrateurs et référents de l'organisation suppriment ses zones.",
    );
    // Another organisation's zone answers exactly like a missing one.
    const foreign = await ccas.req("PATCH", `/api/zones/${rpe}`, { nom: "Intrusion" });
    const missing = await ccas.req("PATCH", "/api/zones/00000000-0000-4000-8000-000000000000", { nom: "x" });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual(missing.json);
    expect((await ccas.req("DELETE", `/api/zones/${rpe}`)).json).toEqual(
      (await ccas.req("DELETE", "/api/zones/00000000-0000-4000-8000-000000000000")).json,
    );
    expect((await zoneOf(caf, rpe)).nom).toBe("RPE Est et Sud");
    expect((await zoneOf(ccas, own)).nom).toBe("Quartiers nord de Valsocle (démo)");
    expect(ccasOrg).not.toBe(cafOrg);
  });

  it("deletes a zone no release published", async () => {
    expect((await caf.req("DELETE", `/api/zones/${rpe}`)).json).toEqual({ ok: true });
    expect((await caf.req("GET", `/api/zones/${rpe}`)).status).toBe(404);
    const [gone] = await s.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM zone_member WHERE zone_id = $1",
      [rpe],
    );
    expect(gone!.n).toBe(0);
  });

  it("freezes a zone once a release published it: neither edited nor deleted, a new zone is the way", async () => {
    // A quartier of the CAF attached to the APA dataset of an Aix-like convention the CAF is party to.
    const iris = demoTerritory().iris.filter((i) => i.communeCode === "00001");
    const members = [iris[0]!.code, iris[1]!.code, iris[2]!.code];
    const created = await caf.req("POST", "/api/zones", {
      organisationId: cafOrg,
      nom: "Quartier des Essais",
      type: "iris",
      categorie: "quartier",
      membres: members,
    });
    const zone = created.json.id as string;
    const c: Convention = {
      ...AIX,
      id: "aix-zones-api",
      jeux: AIX.jeux.map((d) => (d.id === "apa" ? { ...d, zones: ["Quartier des Essais"] } : d)),
    };
    const orgs: Record<string, string> = {};
    for (const p of c.parties)
      orgs[p.id] =
        p.id === "ccas-aix"
          ? cafOrg
          : await createOrganisation(s.db, { nom: `${p.nom} (zones)`, kind: "AUTRE" });
    await createConvention(s.db, c, orgs);
    const streets = iris.map((i, k) => ({ nom: `Rue du Zonage ${k}`, iris: i.code }));
    const geocoder = new Geocoder(
      buildAddressIndex(
        ["00"],
        streets.flatMap((st) =>
          Array.from({ length: 100 }, (_, n) => ({
            communeCode: "00001",
            communeNom: "Valsocle",
            codePostal: "00100",
            ancienneCode: "",
            ancienneNom: "",
            libelleAcheminement: "VALSOCLE",
            nomVoie: st.nom,
            numero: n + 1,
            rep: "",
            iris: st.iris,
          })),
        ),
      ),
    );
    const jeu = await createJeu(s.db, c.id, "apa", "APA à domicile");
    const header = "index_dossier;adresse;code_postal;commune;sexe;date_naissance;situation_familiale;gir";
    const rows = Array.from({ length: 900 }, (_, k) => {
      const st = streets[k % streets.length]!;
      return [
        `Z${k}`,
        `${1 + (k % 100)} ${st.nom}`,
        "00100",
        "Valsocle",
        k % 3 ? "F" : "M",
        `01/06/${1925 + (k % 35)}`,
        "couple",
        String(1 + (k % 4)),
      ].join(";");
    });
    const file = path.join(dir, "apa.csv");
    writeFileSync(file, [header, ...rows].join("\n"));
    await depositIndividualFile({
      db: s.db,
      convention: c,
      jeuId: jeu,
      file,
      annee: 2015,
      secret: new TextEncoder().encode("secret des zones"),
      geocoder,
      actorId: null,
    });
    const release = await publishRelease({
      db: s.db,
      highs: await loadSolver(),
      convention: c,
      jeuId: jeu,
      annee: 2015,
      actorId: null,
    });
    expect(Object.keys(release.tableaux[0]!.libelles.territoire ?? {})).toContain(`Z${zone}`);

    const before = await zoneOf(caf, zone);
    expect(before.diffusions).toBe(1);
    const edit = await caf.req("PATCH", `/api/zones/${zone}`, { membres: [members[0]] });
    expect(edit.status).toBe(409);
    expect(edit.json.erreur.message).toBe(
      "Zone déjà diffusée (1 diffusion) : son nom et ses unités sont figés dans l'historique publié ; créez une nouvelle zone.",
    );
    const rename = await caf.req("PATCH", `/api/zones/${zone}`, { nom: "Quartier renommé" });
    expect(rename.status).toBe(409);
    const del = await caf.req("DELETE", `/api/zones/${zone}`);
    expect(del.status).toBe(409);
    expect(del.json.erreur.message).toBe(
      "Zone déjà diffusée (1 diffusion) : elle reste dans l'historique publié et ne peut être supprimée.",
    );
    expect(await zoneOf(caf, zone)).toEqual(before);
    const listed = (await caf.req("GET", "/api/zones")).json.find((z: { id: string }) => z.id === zone);
    expect(listed).toMatchObject({ diffusions: 1 });
    // The new zoning is a new zone.
    const next = await caf.req("POST", "/api/zones", {
      organisationId: cafOrg,
      nom: "Quartier des Essais (2016)",
      type: "iris",
      categorie: "quartier",
      membres: [members[0]],
    });
    expect(next.status).toBe(200);
  }, 120_000);
});
