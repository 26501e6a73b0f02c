/**
 * `socle secret` speaks the SDC tools' languages: it reads τ-Argus .tab +
 * .rda + .hrc and .asc microdata, sdcTable / GaussSuppression microdata, and
 * writes its patterns in τ-Argus, sdcTable and GaussSuppression conventions,
 * which its own audit reads back (and so can an R user's tools).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTauArgusMicrodata, loadTauArgusTable } from "../../src/ingest/sdc-files.js";
import { parseRda } from "../../src/ingest/tauargus.js";
import { fixture, PROJECT_ROOT } from "../helpers/fixtures.js";

const CLI = ["--import", "tsx", path.join(PROJECT_ROOT, "src/cli/main.ts")];
const dir = mkdtempSync(path.join(tmpdir(), "socle-sdc-"));
const ex1 = fixture("sdc/tauargus_checkTauArgus/ex1");
const ex2 = fixture("sdc/tauargus_checkTauArgus/ex2");
const micro = fixture("sdc/sdctable_microdata1");

/** τ-Argus' expected statuses for ex1 and ex2, rows in the order of tabdata_ex1.tab. */
const EXPECTED_TAU = "s s s s x u s s s s x x s s s";
const TAB_ORDER = ["Total", "A", "B", "C", "D"].flatMap((r) =>
  ["Total", "male", "female"].map((g) => `${r}|${g}`),
);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI, ...args], { cwd: PROJECT_ROOT });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function readCsv(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const cols = head!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i]!, v])));
}

/** A τ-Argus pattern file as the s/x/u letters of the expected pattern, in .tab order. */
function tauLetters(file: string): string {
  const byCell = new Map(readCsv(file).map((r) => [`${r.region}|${r.gender}`, r.statut!]));
  return TAB_ORDER.map((k) => ({ V: "s", D: "x" })[byCell.get(k) ?? ""] ?? (byCell.has(k) ? "u" : "?")).join(
    " ",
  );
}

describe("τ-Argus files in", () => {
  it("parses an .rda: separator, status codes, variables with their total, hierarchy and role", () => {
    const rda = parseRda(readFileSync(path.join(ex1, "metadata_ex1.rda"), "utf8"));
    expect(rda).toMatchObject({ separator: ",", safe: "S", unsafe: "U", protect: "Z" });
    expect(rda.variables.map((v) => v.name)).toEqual(["region", "gender", "freq", "sdcStatus", "lpl", "upl"]);
    expect(rda.variables[0]).toMatchObject({
      totalCode: "Total",
      hierarchyFile: "hier_region_ex1.hrc",
      leadString: "@",
    });
    expect(rda.variables[3]!.status).toBe(true);
    expect(() => parseRda("\n", "vide.rda")).toThrow(/vide\.rda : aucune variable décrite/);
  });

  it("reads ex1's .tab + .rda + .hrc: 15 cells, totals checked, the UNSAFE cell as manual primary", () => {
    const t = loadTauArgusTable(path.join(ex1, "tabdata_ex1.tab"), path.join(ex1, "metadata_ex1.rda"));
    expect(t.set.cells.length).toBe(15);
    expect([...t.markedPrimary]).toEqual(["0|A×female"]);
    const total = t.set.cells.find((c) => c.codes.every((x) => x === "Total"));
    expect(total?.value).toBe(5146);
  });

  it("reads ex2's .asc microdata: 100 records in 8 inner cells, num1 summed", () => {
    const t = loadTauArgusMicrodata(path.join(ex2, "microdata_ex2.asc"), path.join(ex2, "metadata_ex2.rda"), {
      valueColumn: "num1",
    });
    expect(t.set.cells.length).toBe(15);
    const af = t.set.cells.find((c) => c.codes[0] === "A" && c.codes[1] === "female")!;
    expect(af.count).toBe(2);
    expect(af.value).toBeCloseTo(189.4, 6);
  });

  it("protects ex1 from its τ-Argus files as τ-Argus does, and writes the pattern in τ-Argus letters", async () => {
    const out = path.join(dir, "ex1-tau.csv");
    const r = await run([
      "secret",
      "protect",
      "--cells",
      path.join(ex1, "tabdata_ex1.tab"),
      "--metadata",
      path.join(ex1, "metadata_ex1.rda"),
      "--threshold",
      "1",
      "--protection-ratio",
      "0.2",
      "--cost",
      "value",
      "--method",
      "optimal",
      "--format",
      "tauargus",
      "--out",
      out,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(tauLetters(out)).toBe(EXPECTED_TAU);
    expect(readFileSync(out, "utf8").split("\n")[0]).toBe("region,gender,freq,statut");
    const audit = await run([
      "secret",
      "audit",
      "--cells",
      path.join(ex1, "tabdata_ex1.tab"),
      "--metadata",
      path.join(ex1, "metadata_ex1.rda"),
      "--threshold",
      "1",
      "--protection-ratio",
      "0.2",
      "--pattern",
      out,
    ]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/aucune cellule masquée n'est découverte/);
  }, 60_000);

  it("protects ex2 from its τ-Argus microdata (FREQ 5, p % 20 on num1) with the same expected statuses", async () => {
    const out = path.join(dir, "ex2-tau.csv");
    const r = await run([
      "secret",
      "protect",
      "--microdata",
      path.join(ex2, "microdata_ex2.asc"),
      "--metadata",
      path.join(ex2, "metadata_ex2.rda"),
      "--value",
      "num1",
      "--threshold",
      "5",
      "--p-percent",
      "20",
      "--protection-ratio",
      "0.2",
      "--cost",
      "value",
      "--format",
      "tauargus",
      "--out",
      out,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(tauLetters(out)).toBe(EXPECTED_TAU);
    expect(readCsv(out).find((x) => x.region === "A" && x.gender === "female")!.statut).toBe("A");
  }, 60_000);
});

describe("sdcTable / GaussSuppression interchange", () => {
  const cells = ["--microdata", path.join(micro, "input_microdata.csv"), "--threshold", "4"];

  it("writes a GaussSuppression pattern from microdata that Socle's audit reads back with the same result", async () => {
    const out = path.join(dir, "gauss.csv");
    const r = await run(["secret", "protect", ...cells, "--format", "gauss", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/15 cellules : 1 en secret primaire, 3 en secret secondaire/);
    const rows = readCsv(out);
    expect(Object.keys(rows[0]!)).toEqual(["region", "gender", "freq", "primary", "suppressed", "secondary"]);
    expect(rows.filter((x) => x.primary === "TRUE").map((x) => `${x.region}|${x.gender}`)).toEqual([
      "A|female",
    ]);
    expect(rows.filter((x) => x.secondary === "TRUE").length).toBe(3);
    const audit = await run(["secret", "audit", ...cells, "--pattern", out]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/15 cellules, 4 masquées/);
    expect(audit.stdout).toMatch(/aucune cellule masquée n'est découverte/);
    // The same pattern with its secondaries published is caught.
    const leaky = path.join(dir, "gauss-leaky.csv");
    writeFileSync(leaky, readFileSync(out, "utf8").replace(/,FALSE,TRUE,TRUE$/gm, ",FALSE,FALSE,FALSE"));
    const caught = await run(["secret", "audit", ...cells, "--pattern", leaky]);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(/ÉCHEC/);
  }, 60_000);

  it("writes sdcTable statuses (u/x/s) and audits sdcTable's own pattern of the same microdata", async () => {
    const out = path.join(dir, "sdctable.csv");
    const r = await run(["secret", "protect", ...cells, "--format", "sdctable", "--out", out]);
    expect(r.code).toBe(0);
    const statuses = readCsv(out).map((x) => x.sdcStatus);
    expect(statuses.filter((s) => s === "u").length).toBe(1);
    expect(statuses.filter((s) => s === "x").length).toBe(3);
    expect(statuses.every((s) => ["u", "x", "s", "z"].includes(s!))).toBe(true);
    for (const pattern of [out, path.join(micro, "sdctable034_GAUSS_maxN3.csv")]) {
      const audit = await run(["secret", "audit", ...cells, "--pattern", pattern]);
      expect(audit.code, pattern).toBe(0);
    }
  }, 60_000);

  it("refuses a τ-Argus file given without its metadata, in French", async () => {
    const r = await run([
      "secret",
      "protect",
      "--cells",
      path.join(ex1, "tabdata_ex1.tab"),
      "--out",
      path.join(dir, "x"),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/tabdata_ex1\.tab : fichier τ-Argus ; indiquez sa métadonnée avec --metadata/);
  });
});
