/**
 * Béthune-Bruay, end to end through the API, each party with its own
 * account: the agglomeration registers, the CAF accepts; the CAF deposits;
 * the agglomeration (no processor: the recipient processes) releases; each
 * dataset carries its own source (births: Insee); every export is stamped
 * « Usage interne » and carries both parties' names; nothing goes outside
 * without the CAF's approval of that release; the CAF receives the final
 * documents; only the CAF may terminate, for a breach; the study's
 * publication ends the convention; the agglomeration destroys the data and
 * the attestation (page and PDF) lists the releases kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BETHUNE } from "../../../src/core/convention/reference.js";
import { depositCsv, fetchAs, registration, startWalk, type Walk, walked } from "./walk.js";

const TODAY = "2022-10-01";
let w: Walk;
const C = walked(BETHUNE);
const ID = C.id;
const STAMP = "Usage interne – diffusion interdite sans accord de CAF du Pas-de-Calais";
const SIGLE = "Étude CAF du Pas-de-Calais × Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane";

beforeAll(async () => {
  w = await startWalk(C, TODAY);
}, 120_000);
afterAll(async () => w?.s.close());

describe("Béthune-Bruay: CABBALR ↔ CAF du Pas-de-Calais, assistant maternel diagnosis", () => {
  let jeu: string;
  let release: string;

  it("is registered by the agglomeration and binds the CAF once its référent accepted", async () => {
    const reg = await w.as.cabbalr!.req("POST", "/api/conventions", registration(C, w.orgs));
    expect(reg.json).toMatchObject({ statut: "brouillon", acceptationsAttendues: ["caf62"] });
    const ok = await w.as.caf62!.req("POST", `/api/conventions/${ID}/acceptation`);
    expect(ok.json).toMatchObject({ statut: "active", jeuxOuverts: expect.any(Array) });
    expect(ok.json.jeuxOuverts).toHaveLength(3);
  });

  it("lets the agglomeration, which processes, release the CAF's file under the dataset's own source (Insee)", async () => {
    const jeux = await w.as.caf62!.req("GET", `/api/conventions/${ID}/jeux`);
    jeu = jeux.json.find((j: { annexe: string }) => j.annexe === "naissances-scolarisation").id;
    const communes = (
      await w.s.db.query<{ code: string }>(
        "SELECT code FROM commune WHERE epci_code = '200072460' AND kind = 'commune' ORDER BY code LIMIT 4",
      )
    ).map((r) => r.code);
    expect(communes).toHaveLength(4);
    const dep = await depositCsv(w.as.caf62!, jeu, 2020, [
      ["territoire", "annee", "naissances", "scolarises_moins_3_ans"],
      [communes[0]!, 2020, 120, 8],
      [communes[1]!, 2020, 45, 3],
      [communes[2]!, 2020, 60, 12],
      [communes[3]!, 2020, 30, 6],
    ]);
    expect(dep.status).toBe(200);
    expect((await w.as.caf62!.req("POST", `/api/jeux/${jeu}/diffusions`, { annee: 2020 })).status).toBe(403);
    const r = await w.as.cabbalr!.req("POST", `/api/jeux/${jeu}/diffusions`, { annee: 2020 });
    expect(r.status).toBe(200);
    release = r.json.id;
    expect(r.json.mentionSource).toBe("Source : Insee, état civil et recensement, données 2020");
  });

  it("stamps every export « Usage interne » with both parties' names", async () => {
    for (const format of ["csv", "geojson"]) {
      const e = await fetchAs(w.as.cabbalr!, `/api/diffusions/${release}/export/${format}?tableau=0`);
      expect(e.status, format).toBe(200);
      expect(e.text, format).toContain(STAMP);
      expect(e.text, format).toContain(SIGLE);
    }
    const lines = (await fetchAs(w.as.caf62!, `/api/diffusions/${release}/export/csv`)).text
      .trim()
      .split("\r\n");
    for (const l of lines.slice(1)) expect(l).toContain(STAMP);
    const xlsx = await fetchAs(w.as.cabbalr!, `/api/diffusions/${release}/export/xlsx`);
    expect(xlsx.status).toBe(200);
    const ExcelJS = (await import("exceljs")).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.bytes) as unknown as ArrayBuffer);
    const meta = wb.getWorksheet("Métadonnées")!;
    const source = meta.getSheetValues().find((row) => Array.isArray(row) && row[1] === "Source") as
      | unknown[]
      | undefined;
    expect(String(source?.[2])).toContain(STAMP);
  });

  it("hands nothing outside the parties without the CAF's approval of that release", async () => {
    const outside = await fetchAs(w.as.cabbalr!, `/api/diffusions/${release}/export/csv?usage=externe`);
    expect(outside.status).toBe(403);
    expect(JSON.parse(outside.text).erreur.message).toBe(
      "La convention limite l'usage des données à un usage interne : diffusion interdite sans l'accord du fournisseur pour cette diffusion.",
    );
    expect(
      (
        await w.as.caf62!.req("POST", `/api/diffusions/${release}/accords`, {
          portee: "Présentation aux six Relais Petite Enfance",
          destinataire: "Animatrices des RPE",
        })
      ).status,
    ).toBe(200);
    expect((await fetchAs(w.as.cabbalr!, `/api/diffusions/${release}/export/csv?usage=externe`)).status).toBe(
      200,
    );
  });

  it("sends the CAF the final documents; only the CAF may terminate, and only for a breach", async () => {
    const study = await fetchAs(
      w.as.cabbalr!,
      `/api/conventions/${ID}/restitutions?titre=${encodeURIComponent("Diagnostic assistants maternels")}&nomFichier=diagnostic.pdf`,
      { method: "POST", body: "%PDF-1.4 diagnostic" },
    );
    expect(study.status).toBe(200);
    const byAgglo = await w.as.cabbalr!.req("POST", `/api/conventions/${ID}/preavis`, { motif: "faute" });
    expect(byAgglo.json.erreur.message).toBe(
      "Cette partie ne peut pas résilier la convention pour manquement.",
    );
    const ordinary = await w.as.caf62!.req("POST", `/api/conventions/${ID}/preavis`, { motif: "ordinaire" });
    expect(ordinary.json.erreur.message).toBe(
      "Cette convention ne prévoit pas de résiliation ordinaire (seulement pour manquement).",
    );
  });

  it("ends at the study's publication; the agglomeration, bound to destroy, destroys and attests, listing the releases kept; the anomaly thread about the deposit stays without its words", async () => {
    const cibles = await w.as.cabbalr!.req("GET", `/api/conventions/${ID}/anomalies/cibles`);
    const depot = cibles.json.find((t: { type: string }) => t.type === "depot");
    const said = "Ligne 3 : l'assistante maternelle de la rue des Tilleuls est comptée deux fois.";
    const reported = await w.as.cabbalr!.req("POST", `/api/conventions/${ID}/anomalies`, {
      cible: { type: "depot", id: depot.id },
      texte: said,
      lignes: [3],
    });
    expect(reported.status).toBe(200);
    expect(
      (await w.as.cabbalr!.req("POST", `/api/conventions/${ID}/publication`, { publieeLe: "2022-09-30" }))
        .status,
    ).toBe(200);
    const seen = await w.as.caf62!.req("GET", `/api/conventions/${ID}`);
    expect(seen.json.statut).toBe("terminee_publication");
    expect((await fetchAs(w.as.cabbalr!, `/api/diffusions/${release}/export/csv`)).status).toBe(403);
    const byCaf = await w.as.caf62!.req("POST", `/api/jeux/${jeu}/destruction`, { confirmation: "DÉTRUIRE" });
    expect(byCaf.status).toBe(403);
    const d = await w.as.cabbalr!.req("POST", `/api/jeux/${jeu}/destruction`, { confirmation: "DÉTRUIRE" });
    expect(d.status).toBe(200);
    expect(d.json.attestation.diffusions).toMatchObject([{ id: release, annee: 2020, sort: "conservee" }]);
    const page = await fetchAs(w.as.caf62!, `/api/jeux/${jeu}/attestation/page`);
    expect(page.type).toContain("text/html");
    expect(page.text).toContain("Détruit le : 01/10/2022 à 11 h 00");
    expect(page.text).toContain("millésime 2020");
    expect(page.text).toContain("conservée (sortie protégée)");
    expect(page.text).toContain("<strong>Pour CAF du Pas-de-Calais</strong>");
    expect(page.text).toContain(
      "<strong>Pour Communauté d&#39;agglomération de Béthune-Bruay, Artois-Lys Romane</strong>",
    );
    const pdf = await fetchAs(w.as.caf62!, `/api/jeux/${jeu}/attestation/pdf`);
    expect(pdf.type).toBe("application/pdf");
    expect(pdf.text.startsWith("%PDF-1.4")).toBe(true);
    expect(pdf.text).toContain("(Pour CAF du Pas-de-Calais)");
    expect(pdf.text).toContain("D\\351truit le : 01/10/2022 \\340 11 h 00");
    // The release stays: a protected output, kept as the convention says.
    expect((await w.as.caf62!.req("GET", `/api/diffusions/${release}`)).status).toBe(200);
    // The thread about the destroyed deposit survives for both sides, closed, its words erased.
    const threads = await w.as.caf62!.req("GET", `/api/conventions/${ID}/anomalies`);
    const thread = threads.json.find((a: { cible: { id: string } }) => a.cible.id === depot.id);
    expect(thread).toMatchObject({ statut: "close", signaleParNom: expect.stringContaining("Béthune") });
    expect(thread.contenuEffaceLe).toBe("2022-10-01T09:00:00.000Z");
    expect(thread.messages.map((m: { texte: string; lignes: number[] }) => [m.texte, m.lignes])).toEqual([
      ["Message effacé à la destruction des données.", []],
    ]);
    expect(JSON.stringify(threads.json)).not.toContain("Tilleuls");
  });
});
