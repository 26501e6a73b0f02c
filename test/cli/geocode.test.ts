/**
 * `socle geo import-ban` and `socle geocode` as a provider runs them on its
 * own machine: CSV in Windows-1252 or UTF-16, XLSX, and every kind of bad
 * input, with no address ever written to the terminal.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture, PROJECT_ROOT } from "../helpers/fixtures.js";

const CLI = ["--import", "tsx", path.join(PROJECT_ROOT, "src/cli/main.ts")];
const dir = mkdtempSync(path.join(tmpdir(), "socle-geocode-"));
const env: NodeJS.ProcessEnv = { ...process.env, SOCLE_DATA_DIR: path.join(dir, "data") };
delete env.SOCLE_DATABASE_URL;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI, ...args], { cwd: PROJECT_ROOT, env });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const ADDRESSES = [
  ["A1", "2 Rue du Nord", "76100", "Rouen"],
  ["A2", "3 bis, r. Jean Jaurès", "76000", "ROUEN"],
  ["A3", "Appt 4, 7 rue Émile Zola", "", "Rouen"],
  ["A4", "Lieu inconnu de Zanzibar", "76000", "Rouen"],
];
const SECRET_WORDS = ["Nord", "Jaurès", "Zola", "Zanzibar"];

function noAddressIn(out: { stdout: string; stderr: string }): void {
  for (const w of SECRET_WORDS) {
    expect(out.stdout).not.toContain(w);
    expect(out.stderr).not.toContain(w);
  }
}

describe("socle geocode", () => {
  beforeAll(async () => {
    const iris = await run(["territories", "import-iris", fixture("geo/rouen-iris/Rouen_iris.shp")]);
    expect(iris.code).toBe(0);
    const ban = await run(["geo", "import-ban", fixture("ban/adresses-76540-synthetique.csv")]);
    expect(ban.stderr).toMatch(/41 596 adresses/);
    expect(ban.stdout).toContain("Département 76 : 41596 adresses, 1145 voies, 1 communes importées.");
    expect(ban.code).toBe(0);
  }, 180_000);

  it("geocodes a Windows-1252 CSV: identifier, IRIS, type and score, never the address", async () => {
    const input = path.join(dir, "w1252.csv");
    const text = `dossier;adresse;cp;ville\r\n${ADDRESSES.map((a) => a.join(";")).join("\r\n")}\r\n;;;\r\n`;
    writeFileSync(input, iconv.encode(text, "windows-1252"));
    const out = path.join(dir, "w1252.out.csv");
    const r = await run([
      "geocode",
      input,
      "--id-col",
      "dossier",
      "--address-cols",
      "adresse,cp,ville",
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    noAddressIn(r);
    expect(r.stdout).toContain("4 ligne(s) lue(s), 0 rejetée(s), 1 vide(s) ignorée(s)");
    expect(r.stdout).toMatch(/IRIS attribué : 3 ligne\(s\) \(75\.0 %\)/);
    expect(r.stdout).toMatch(/76540\s+4\s+75\.0 %/);
    const rows = readFileSync(out, "utf8")
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\n");
    expect(rows[0]).toBe("identifiant;code_iris;code_commune;type_resultat;score");
    const byId = new Map(rows.slice(1).map((l) => [l.split(";")[0], l.split(";")]));
    expect(byId.get("A1")![1]).toMatch(/^76540\d{4}$/);
    expect(byId.get("A1")![3]).toBe("housenumber");
    expect(byId.get("A2")![1]).toMatch(/^76540\d{4}$/);
    expect(byId.get("A3")![1]).toMatch(/^76540\d{4}$/);
    expect(byId.get("A4")!.slice(1, 4)).toEqual(["", "76540", "municipality"]);
    const all = readFileSync(out, "utf8");
    for (const w of SECRET_WORDS) expect(all).not.toContain(w);
  }, 60_000);

  it("geocodes an XLSX workbook and a UTF-16 CSV the same way", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Bénéficiaires");
    ws.addRow(["dossier", "adresse", "cp", "ville"]);
    for (const a of ADDRESSES) ws.addRow([a[0], a[1], Number(a[2]) || "", a[3]]);
    const xlsx = path.join(dir, "in.xlsx");
    await wb.xlsx.writeFile(xlsx);
    const utf16 = path.join(dir, "utf16.csv");
    const text = `dossier\tadresse\tcp\tville\n${ADDRESSES.map((a) => a.join("\t")).join("\n")}\n`;
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf-16le")]));
    const outs: string[] = [];
    for (const input of [xlsx, utf16]) {
      const out = `${input}.out.csv`;
      const r = await run([
        "geocode",
        input,
        "--id-col",
        "DOSSIER",
        "--address-cols",
        "adresse,cp,ville",
        "--out",
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      noAddressIn(r);
      outs.push(readFileSync(out, "utf8"));
    }
    expect(outs[0]).toBe(outs[1]);
    expect(outs[0]!.split("\n").filter((l) => /;76540\d{4};/.test(l))).toHaveLength(3);
  }, 60_000);

  it("refuses bad input with a clear French message and without echoing any address", async () => {
    const out = path.join(dir, "bad.out.csv");
    const cases: [string, Buffer | string, RegExp][] = [
      ["vide.csv", "", /vide\.csv : fichier vide/],
      [
        "binaire.csv",
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 1, 2, 3]),
        /binaire ou non textuel/,
      ],
      [
        "colonnes.csv",
        "dossier;adresse\nA1;12 Rue du Nord\n",
        /colonne « ville » absente ; colonnes du fichier : « dossier », « adresse »/,
      ],
      [
        "faux.xlsx",
        Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(64, 7)]),
        /classeur XLSX illisible/,
      ],
    ];
    for (const [name, content, message] of cases) {
      const input = path.join(dir, name);
      writeFileSync(input, content);
      const r = await run([
        "geocode",
        input,
        "--id-col",
        "dossier",
        "--address-cols",
        "adresse,ville",
        "--out",
        out,
      ]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).not.toMatch(/at .*\.ts:\d+/);
      noAddressIn(r);
    }
  }, 60_000);

  it("puts unreadable lines in a rejected-lines report naming line and column, and geocodes the rest", async () => {
    const input = path.join(dir, "rejets.csv");
    const long = `12 Rue du Nord ${"x".repeat(100_000)}`;
    // Invalid UTF-8 bytes: the file is read as Windows-1252 rather than refused.
    const body = Buffer.concat([
      Buffer.from("dossier;adresse;ville\nA1;12 Rue du Nord;Rouen\n\n;7 rue Émile Zola;Rouen\nA5;"),
      Buffer.from(long),
      Buffer.from(";Rouen\nA6;;\nA7;3 rue Jean Jaur\xe8s;Rouen\n", "latin1"),
    ]);
    writeFileSync(input, body);
    const out = path.join(dir, "rejets.out.csv");
    const rejects = path.join(dir, "rejets.report.csv");
    const r = await run([
      "geocode",
      input,
      "--id-col",
      "dossier",
      "--address-cols",
      "adresse,ville",
      "--out",
      out,
      "--rejects",
      rejects,
    ]);
    expect(r.code, r.stderr).toBe(0);
    noAddressIn(r);
    expect(r.stdout).toContain("5 ligne(s) lue(s), 3 rejetée(s), 1 vide(s) ignorée(s)");
    const report = readFileSync(rejects, "utf8").replace(/^\uFEFF/, "");
    expect(report).toBe(
      "ligne;colonne;probleme\n4;dossier;identifiant vide\n5;adresse;adresse de plus de 1000 caractères\n6;adresse, ville;adresse vide\n",
    );
    const rows = readFileSync(out, "utf8").trim().split("\n");
    expect(rows.slice(1).map((l) => l.split(";")[0])).toEqual(["A1", "A7"]);
    expect(rows[2]).toMatch(/^A7;76540\d{4};76540;housenumber;/);
  }, 60_000);

  it("asks for the BAN first when no reference is loaded", async () => {
    const input = path.join(dir, "x.csv");
    writeFileSync(input, "dossier;adresse\nA1;12 Rue du Nord\n");
    const p = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(
        process.execPath,
        [
          ...CLI,
          "geocode",
          input,
          "--id-col",
          "dossier",
          "--address-cols",
          "adresse",
          "--out",
          `${input}.out`,
        ],
        { cwd: PROJECT_ROOT, env: { ...env, SOCLE_DATA_DIR: path.join(dir, "empty") } },
      );
      let stderr = "";
      c.stderr.on("data", (d) => (stderr += d));
      c.on("close", (code) => resolve({ code, stderr }));
    });
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/Aucun référentiel d'adresses chargé : importez d'abord la BAN/);
  }, 60_000);
});
