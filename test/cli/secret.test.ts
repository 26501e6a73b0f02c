/**
 * `socle secret protect` and `socle secret audit` on the reference tables, as
 * a statistician runs them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, PROJECT_ROOT } from "../helpers/fixtures.js";

const CLI = ["--import", "tsx", path.join(PROJECT_ROOT, "src/cli/main.ts")];
const dir = mkdtempSync(path.join(tmpdir(), "socle-secret-"));

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

const d3 = fixture("sdc/ssb_d3_countyOnly");
const vignette = fixture("sdc/sdctable_vignette_completeData");

describe("socle secret", () => {
  it("protects a table, writes its pattern with statuses, and the audit of that pattern passes", async () => {
    const out = path.join(dir, "motif.csv");
    const cells = [
      "--cells",
      `${d3}/input_inner_cells.csv`,
      "--hierarchy",
      `${d3}/hierarchy_region_parent_child.csv`,
    ];
    const protect = await run([
      "secret",
      "protect",
      ...cells,
      "--threshold",
      "5",
      "--method",
      "fast",
      "--out",
      out,
    ]);
    expect(protect.stderr).toBe("");
    expect(protect.code).toBe(0);
    expect(protect.stdout).toMatch(/800 cellules : 272 en secret primaire/);
    expect(protect.stdout).toMatch(/aucune cellule masquée n'est découverte/);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("region,main_income,months,valeur,statut,libelle_statut");
    expect(lines).toHaveLength(801);
    expect(lines.filter((l) => l.includes(",A,")).length).toBe(272);
    const audit = await run(["secret", "audit", ...cells, "--threshold", "5", "--pattern", out]);
    expect(audit.code).toBe(0);
    // Publishing every secondary again is caught.
    writeFileSync(out, lines.map((l) => l.replace(",D,secret secondaire", ",V,publiée")).join("\n"));
    const broken = await run(["secret", "audit", ...cells, "--threshold", "5", "--pattern", out]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/ÉCHEC/);
  });

  it("finds the exactly recomputable cells of sdcTable's HITAS pattern and exits 1", async () => {
    const r = await run([
      "secret",
      "audit",
      "--cells",
      `${vignette}/input_inner_cells.csv`,
      "--hierarchy",
      `${vignette}/hierarchies_parent_child.csv`,
      "--threshold",
      "11",
      "--standard",
      "exact",
      "--pattern",
      `${vignette}/sdctable034_HITAS_maxN10.csv`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ÉCHEC, 8 cellule\(s\)/);
    expect(r.stdout).toMatch(/V1=A × V2=m × V3=e se recalcule exactement/);
  });

  it("refuses bad input with a French message naming the file and the cell, exit code 2", async () => {
    const cells = path.join(dir, "cellules.csv");
    writeFileSync(cells, "commune,sexe,freq\nA,F,3\nA,H,-2\n");
    const negative = await run([
      "secret",
      "protect",
      "--cells",
      cells,
      "--threshold",
      "5",
      "--out",
      path.join(dir, "x.csv"),
    ]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/cellules\.csv ligne 3.*effectif négatif/);
    const hier = path.join(dir, "hierarchy_commune_parent_child.csv");
    writeFileSync(hier, "parent,child\nTotal,A\nB,C\nC,B\n");
    const cyclic = await run([
      "secret",
      "protect",
      "--cells",
      cells,
      "--hierarchy",
      hier,
      "--out",
      path.join(dir, "x.csv"),
    ]);
    expect(cyclic.code).toBe(2);
    expect(cyclic.stderr).toMatch(/Hiérarchie de « commune »/);
    const missing = await run(["secret", "protect", "--cells", path.join(dir, "absent.csv"), "--out", "x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Fichier introuvable/);
  });
});
