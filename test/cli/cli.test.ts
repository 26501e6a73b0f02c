/**
 * The `socle` command as a user runs it: start on the embedded database, stop,
 * start again with the data kept; verify the audit chain and catch tampering.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/store/pglite.js";
import { fixture, PROJECT_ROOT } from "../helpers/fixtures.js";
import { Client } from "../helpers/server.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "socle-cli-"));
const env = { ...process.env, SOCLE_DATA_DIR: dataDir, SOCLE_LOG_LEVEL: "warn", SOCLE_DATABASE_URL: "" };
delete (env as Record<string, string | undefined>).SOCLE_DATABASE_URL;
const CLI = ["--import", "tsx", path.join(PROJECT_ROOT, "src/cli/main.ts")];

function run(args: string[], stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI, ...args], { cwd: PROJECT_ROOT, env });
    p.stdin.end(stdin);
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let server: ChildProcess | undefined;
async function serve(): Promise<{ url: string; output: string }> {
  const p = spawn(process.execPath, [...CLI, "serve", "--demo", "--port", "0", "--host", "127.0.0.1"], {
    cwd: PROJECT_ROOT,
    env,
  });
  server = p;
  let output = "";
  return new Promise((resolve, reject) => {
    p.stdout.on("data", (d) => {
      output += d;
      const m = /Socle est prêt sur (http:\/\/\S+)/.exec(output);
      if (m) resolve({ url: m[1]!, output });
    });
    p.stderr.on("data", (d) => (output += d));
    p.on("close", (code) => reject(new Error(`serve s'est arrêté (${code}) : ${output}`)));
  });
}

async function stop(): Promise<void> {
  const p = server;
  if (!p || p.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    p.removeAllListeners("close");
    p.on("close", () => resolve());
    p.kill("SIGTERM");
  });
}

afterAll(stop);

describe("socle command", () => {
  it("starts on an embedded database seeded in demo mode, and keeps the data on the next start", async () => {
    const first = await serve();
    expect(first.output).toContain(
      "territoire fictif, comptes, conventions et une diffusion de démonstration créés",
    );
    // The demo has a released dataset of the fictional territory, downloadable.
    const ccas = new Client(first.url);
    await ccas.login("ccas@demo.socle.example");
    const releases = await ccas.req("GET", "/api/conventions/demo-abs-valsocle/diffusions");
    expect(releases.json).toHaveLength(1);
    const xlsx = await fetch(`${first.url}/api/diffusions/${releases.json[0].id}/export/xlsx`, {
      headers: { cookie: ccas.cookie! },
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-type")).toContain("spreadsheetml");
    // A reader never learns why a cell is secret; the processor does.
    type Shown = { tableaux: { cellules: { valeur: number | null; statut: string }[] }[] };
    const statusesOf = (r: Shown) => new Set(r.tableaux.flatMap((t) => t.cellules.map((c) => c.statut)));
    const asReader = await ccas.req("GET", `/api/diffusions/${releases.json[0].id}`);
    expect([...statusesOf(asReader.json as Shown)].sort()).toEqual(["V", "s"]);
    const etudes = new Client(first.url);
    await etudes.login("etudes@demo.socle.example");
    const asProcessor = await etudes.req("GET", `/api/diffusions/${releases.json[0].id}`);
    expect(statusesOf(asProcessor.json as Shown).has("s")).toBe(false);
    expect(statusesOf(asProcessor.json as Shown).has("D")).toBe(true);
    const caf = new Client(first.url);
    const orgId = (await caf.login("caf@demo.socle.example")).json.organisations[0].id;
    const created = await caf.req("POST", "/api/zones", {
      organisationId: orgId,
      nom: "Zone gardée entre deux démarrages",
      type: "communes",
      membres: ["00001"],
    });
    expect(created.status).toBe(200);
    await stop();

    const second = await serve();
    expect(second.output).not.toContain("créés");
    const again = new Client(second.url);
    await again.login("caf@demo.socle.example");
    const zone = await again.req("GET", `/api/zones/${created.json.id}`);
    expect(zone.json.nom).toBe("Zone gardée entre deux démarrages");
    await stop();
  });

  it("re-attacks everything published for a dataset and reports in French", async () => {
    const r = await run([
      "secret",
      "audit-history",
      "--convention",
      "demo-abs-valsocle",
      "--dataset",
      "allocataires",
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      /Millésime 2025 : 1 diffusion\(s\) sur 1 version\(s\) des données, \d+ cellule\(s\) secrète\(s\) attaquée\(s\) — aucune ne se recalcule\./,
    );
    expect(r.code).toBe(0);
  });

  it("verifies the audit chain, then detects an edited and a deleted row", async () => {
    const ok = await run(["audit", "verify"]);
    expect(ok.stdout).toMatch(/Journal d'audit intègre : \d+ entrées vérifiées/);
    expect(ok.code).toBe(0);

    const db = await openPglite(path.join(dataDir, "pglite"));
    await db.query("UPDATE audit_log SET action = 'auth.deconnexion' WHERE seq = 2");
    await db.close();
    const edited = await run(["audit", "verify"]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain("entrée n° 2 modifiée");

    const db2 = await openPglite(path.join(dataDir, "pglite"));
    await db2.query("DELETE FROM audit_log WHERE seq = 3");
    await db2.close();
    const deleted = await run(["audit", "verify"]);
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain("1 entrée(s) supprimée(s) après l'entrée n° 2");
  });

  it("imports IRIS contours and reports bad files in French without a stack trace", async () => {
    const good = await run(["territories", "import-iris", fixture("geo/rouen-iris/Rouen_iris.shp")]);
    expect(good.stdout).toContain("42 IRIS dans 1 commune(s) (EPSG:2154)");
    const bad = await run(["territories", "import-iris", fixture("geo/rouen-iris/Rouen_iris.prj")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "Erreur : Rouen_iris.prj : format non reconnu ; attendu : Shapefile (.shp), GeoPackage (.gpkg) ou GeoJSON (.geojson).\n",
    );
  });

  it("creates an organisation and an account whose password is read from standard input", async () => {
    const org = await run(["organisations", "create", "--nom", "CCAS de Rouen", "--type", "CCAS"]);
    expect(org.stdout).toContain("Organisation créée : CCAS de Rouen");
    const weak = await run(
      ["users", "create", "--email", "agent@ccas-rouen.fr", "--nom", "Agent"],
      "court\n",
    );
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain("Le mot de passe doit compter au moins 12 caractères.");
    const args = [
      "users",
      "create",
      "--email",
      "Agent@CCAS-Rouen.fr",
      "--nom",
      "Agent",
      "--organisation",
      "CCAS de Rouen",
      "--role",
      "analyste",
    ];
    const created = await run(args, "Un-Mot-De-Passe-Solide-2026\n");
    expect(created.stdout).toContain("Compte créé : agent@ccas-rouen.fr");
    const db = await openPglite(path.join(dataDir, "pglite"));
    const rows = await db.query<{ password_hash: string; role: string }>(
      "SELECT u.password_hash, m.role FROM app_user u JOIN membership m ON m.user_id = u.id WHERE u.email = 'agent@ccas-rouen.fr'",
    );
    await db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.role).toBe("analyste");
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
  });
});
