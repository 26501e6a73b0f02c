/**
 * Protocol 1 inside Socle, through the API, with the Aix APA annex: the
 * provider (the Conseil Départemental) uploads (identifier, address); Socle
 * geocodes it, deletes the file and never stores an address; the provider
 * downloads (identifier, IRIS, type, score) once and the rows-without-IRIS
 * report; then it deposits its file without identifier (IRIS + fields).
 * Every step is audited. On PGlite, and on PostgreSQL when configured.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Convention } from "../../src/core/convention/model.js";
import { AIX } from "../../src/core/convention/reference.js";
import { demoTerritory } from "../../src/core/territory/demo-territory.js";
import { DEMO_STREETS, seedDemoAddresses } from "../../src/release/demo.js";
import { hashPassword } from "../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../src/store/accounts.js";
import { createConvention } from "../../src/store/conventions.js";
import { createJeu } from "../../src/store/datasets.js";
import { ENGINES } from "../helpers/db.js";
import { Client, startServer, type TestServer } from "../helpers/server.js";

const PASSWORD = "Protocole-Un-2026";
const apa = AIX.jeux.find((d) => d.id === "apa")!;
/** The APA annex under protocol 1: the provider keeps identities and sends the IRIS. */
const CONVENTION: Convention = {
  ...AIX,
  id: "aix-apa-protocole-1",
  jeux: [{ ...apa, protocole: 1, champs: [...apa.champs, { nom: "code_iris", type: "code_iris" }] }],
};
const UNKNOWN_STREET = "Impasse des Songes Imaginaires";

function addressFile(): { csv: string; ids: string[]; truth: Map<string, string | null> } {
  const t = demoTerritory();
  const valsocle = t.iris.filter((i) => i.communeCode === "00001");
  const lines = ["N° dossier;Adresse;Code postal;Commune"];
  const ids: string[] = [];
  const truth = new Map<string, string | null>();
  for (let k = 0; k < 300; k++) {
    const i = valsocle[k % valsocle.length]!;
    const id = `APA-${String(k).padStart(5, "0")}`;
    const unknown = k % 50 === 49;
    lines.push(
      `${id};${1 + (k % 80)} ${unknown ? UNKNOWN_STREET : `${DEMO_STREETS[k % 4]} ${i.nom}`};00010;Valsocle`,
    );
    ids.push(id);
    truth.set(id, unknown ? null : i.code);
  }
  return { csv: `${lines.join("\n")}\n`, ids, truth };
}

async function upload(c: Client, url: string, body: string) {
  const res = await fetch(c.base + url, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", cookie: c.cookie! },
    body,
  });
  return { status: res.status, json: await res.json() };
}

async function download(c: Client, url: string) {
  const res = await fetch(c.base + url, { headers: { cookie: c.cookie! } });
  return { status: res.status, text: await res.text() };
}

describe.each(ENGINES)("protocol 1 inside Socle on %s", (engine) => {
  let s: TestServer;
  let jeuId: string;
  const cd = () => new Client(s.url);

  beforeAll(async () => {
    s = await startServer(engine);
    await seedDemoAddresses(s.db);
    const hash = await hashPassword(PASSWORD);
    const orgs: Record<string, string> = {};
    for (const p of CONVENTION.parties) {
      orgs[p.id] = await createOrganisation(s.db, { nom: `${p.nom} (p1)`, kind: "AUTRE" });
      const u = await createUser(s.db, { email: `${p.id}@p1.test`, nom: p.nom, passwordHash: hash });
      await addMembership(s.db, u, orgs[p.id]!, "referent");
    }
    await createConvention(s.db, CONVENTION, orgs);
    jeuId = await createJeu(s.db, CONVENTION.id, "apa", apa.titre);
  }, 180_000);

  afterAll(async () => {
    await s?.close();
  });

  it("geocodes the provider's identifiers and addresses, keeps no address, and takes back a file without identifier", async () => {
    const provider = cd();
    expect((await provider.login("cd13@p1.test", PASSWORD)).status).toBe(200);
    const recipient = cd();
    await recipient.login("ccas-aix@p1.test", PASSWORD);
    const f = addressFile();

    // The recipient may not send addresses for the provider.
    const refused = await upload(
      recipient,
      `/api/jeux/${jeuId}/protocole1/geocodages?nomFichier=a.csv`,
      f.csv,
    );
    expect(refused.status).toBe(403);

    const g = await upload(
      provider,
      `/api/jeux/${jeuId}/protocole1/geocodages?nomFichier=adresses.csv`,
      f.csv,
    );
    expect(g.status).toBe(200);
    expect(g.json).toMatchObject({ lignes: 300, avecIris: 294, sansIris: 6 });
    expect(JSON.stringify(g.json)).not.toMatch(/APA-|Mairie|Songes/);

    const result = await download(provider, `/api/jeux/${jeuId}/protocole1/geocodages/${g.json.id}/resultat`);
    expect(result.status).toBe(200);
    const rows = result.text
      .replace(/^\ufeff/, "")
      .trim()
      .split(/\r?\n/);
    expect(rows[0]).toBe("identifiant;code_iris;type_resultat;score");
    expect(rows).toHaveLength(301);
    const iris = new Map(rows.slice(1).map((l) => [l.split(";")[0]!, l.split(";")[1] || null]));
    for (const id of f.ids) expect(iris.get(id), id).toBe(f.truth.get(id));
    // The returned file holds no address.
    for (const w of [...DEMO_STREETS, "Songes", "Valsocle"]) expect(result.text).not.toContain(w);
    // Handed over once, then erased.
    const again = await download(provider, `/api/jeux/${jeuId}/protocole1/geocodages/${g.json.id}/resultat`);
    expect(again.status).toBe(409);

    const report = await download(
      provider,
      `/api/jeux/${jeuId}/protocole1/geocodages/${g.json.id}/sans-iris`,
    );
    expect(report.status).toBe(200);
    const reportLines = report.text.trim().split(/\r?\n/);
    expect(reportLines).toHaveLength(7);
    expect(reportLines[1]).toBe("51;municipality;commune;voie_inconnue;voie inconnue dans la commune");
    expect(report.text).not.toMatch(/APA-|Songes|Mairie/);

    // The provider joins the IRIS to its own file and sends it without identifier.
    const final = ["code_iris;sexe;date_naissance;situation_familiale;gir"];
    f.ids.forEach((id, k) => {
      final.push(`${iris.get(id) ?? ""};${k % 2 ? "F" : "M"};01/02/19${30 + (k % 30)};couple;${1 + (k % 4)}`);
    });
    // Rows without IRIS stay out of the deposit (the IRIS is required in protocol 1).
    const kept = final.filter((l, k) => k === 0 || !l.startsWith(";"));
    const dep = await upload(
      provider,
      `/api/jeux/${jeuId}/depots?nomFichier=apa-iris.csv&annee=2025`,
      `${kept.join("\n")}\n`,
    );
    expect(dep.status).toBe(200);
    expect(dep.json).toMatchObject({ lignes: 294, sansIris: 0 });
    const micro = await s.db.query<{ pseudonyme: string; valeurs: Record<string, unknown> }>(
      "SELECT pseudonyme, valeurs FROM microdonnee WHERE jeu_id = $1",
      [jeuId],
    );
    expect(micro).toHaveLength(294);
    for (const m of micro) {
      expect(m.pseudonyme).toMatch(/^l\d+$/);
      expect(Object.keys(m.valeurs).sort()).toEqual(["date_naissance", "gir", "sexe", "situation_familiale"]);
    }

    // The database never held an address nor, once downloaded, an identifier.
    const tables = await s.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name } of tables) {
      if (table_name === "adresse_reference") continue;
      const hits = await s.db.query(
        `SELECT 1 FROM "${table_name}" t WHERE t::text LIKE '%Songes Imaginaires%' OR t::text LIKE '%APA-00%' LIMIT 1`,
      );
      expect(hits, table_name).toHaveLength(0);
    }
    const audit = await s.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action LIKE 'protocole1.%' OR action = 'depot.individuel' ORDER BY seq",
    );
    expect(audit.map((a) => a.action)).toEqual([
      "protocole1.geocodage",
      "protocole1.fichier_adresses_supprime",
      "protocole1.resultat_telecharge",
      "protocole1.rapport_telecharge",
      "depot.individuel",
    ]);
  }, 180_000);
});
