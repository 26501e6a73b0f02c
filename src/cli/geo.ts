/**
 * `socle geo import-ban|list|synthetic` and `socle geocode`: the address
 * reference and the geocoder from the command line.
 */

import { once } from "node:events";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { invalide } from "../core/errors.js";
import { importBanFiles } from "../geo/ban-import.js";
import { formatSummary, geocodeFile } from "../geo/geocode-file.js";
import { Geocoder } from "../geo/geocoder.js";
import { banCsvLines, generateDepartement, generateNoisyLines } from "../geo/synthetic.js";
import { listAddressReferences, loadAddressIndex } from "../store/addresses.js";
import type { Db } from "../store/db.js";
import { progressBar } from "./progress.js";

type WithStore = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function geo(sub: string | undefined, args: string[], withStore: WithStore): Promise<void> {
  if (sub === "import-ban") {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (positionals.length === 0)
      throw invalide("fichier_absent", "Donnez au moins un fichier BAN adresses-XX.csv[.gz].");
    const bar = progressBar("Lecture BAN", "adresses");
    const reports = await withStore((db) =>
      importBanFiles(db, positionals, (read, total, lines) => bar.update(lines, read / total)),
    );
    bar.finish();
    for (const r of reports) {
      say(
        `Département ${r.departement} : ${r.adresses} adresses, ${r.voies} voies, ${r.communes} communes importées.`,
      );
      if (r.sansIris > 0)
        say(`  ${r.sansIris} adresse(s) hors des contours IRIS de leur commune : IRIS inconnu.`);
      if (r.communesSansContour.length > 0)
        say(
          `  Attention : ${r.communesSansContour.length} commune(s) sans contour IRIS chargé (${r.communesSansContour.slice(0, 8).join(", ")}${r.communesSansContour.length > 8 ? "…" : ""}) : leurs adresses n'auront pas d'IRIS. Importez les contours (territories import-iris) puis réimportez la BAN.`,
        );
    }
    return;
  }
  if (sub === "list") {
    const refs = await withStore((db) => listAddressReferences(db));
    if (refs.length === 0) say("Aucun référentiel d'adresses chargé (socle geo import-ban FICHIER).");
    for (const r of refs)
      say(
        `${r.departement}  ${r.adresses} adresses  ${r.voies} voies  ${r.communes} communes  (${r.source}, ${r.importedAt})`,
      );
    return;
  }
  if (sub === "synthetic") {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: "string" },
        adresses: { type: "string" },
        lignes: { type: "string" },
        seed: { type: "string" },
      },
    });
    if (!values.out) throw invalide("option_manquante", "Option --out DOSSIER requise.");
    const n = Number(values.adresses ?? "520000");
    const lines = Number(values.lignes ?? "100000");
    const seed = Number(values.seed ?? "96");
    if (!Number.isInteger(n) || n < 1000 || !Number.isInteger(lines) || lines < 0)
      throw invalide("option_invalide", "--adresses (≥ 1000) et --lignes : entiers attendus.");
    mkdirSync(values.out, { recursive: true });
    const dep = generateDepartement({ seed, addresses: n });
    await writeLines(path.join(values.out, "adresses-96.csv"), banCsvLines(dep));
    writeFileSync(
      path.join(values.out, "iris-96.geojson"),
      JSON.stringify({
        type: "FeatureCollection",
        crs: { type: "name", properties: { name: "urn:ogc:def:crs:EPSG::2154" } },
        features: dep.iris.map((i) => ({
          type: "Feature",
          properties: { CODE_IRIS: i.code, INSEE_COM: i.communeCode },
          geometry: i.geometry,
        })),
      }),
    );
    const noisy = generateNoisyLines(dep, { seed: seed + 1, lines });
    await writeLines(
      path.join(values.out, "partenaire.csv"),
      (function* () {
        yield "id;numero;voie;complement;code_postal;commune";
        for (const l of noisy)
          yield [l.id, ...l.parts].map((p) => (/[;"]/.test(p) ? `"${p.replace(/"/g, '""')}"` : p)).join(";");
      })(),
    );
    await writeLines(
      path.join(values.out, "verite.csv"),
      (function* () {
        yield "id;code_iris;bruits";
        for (const l of noisy) yield `${l.id};${l.iris};${l.kinds.join(",")}`;
      })(),
    );
    say(
      `${values.out} : adresses-96.csv (${dep.addresses.filter((a) => !a.hidden).length} adresses), iris-96.geojson (${dep.iris.length} IRIS), partenaire.csv et verite.csv (${lines} lignes).`,
    );
    return;
  }
  throw invalide("sous_commande", `Sous-commande inconnue : geo ${sub ?? ""} (import-ban, list, synthetic).`);
}

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file, { encoding: "utf8" });
  for (const l of lines) if (!out.write(`${l}\n`)) await once(out, "drain");
  out.end();
  await once(out, "close");
}

export async function geocode(args: string[], withStore: WithStore): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "id-col": { type: "string" },
      "address-cols": { type: "string" },
      out: { type: "string" },
      rejects: { type: "string" },
      departements: { type: "string" },
    },
  });
  const input = positionals[0];
  if (!input) throw invalide("fichier_absent", "Donnez le fichier à géocoder (CSV ou XLSX).");
  if (!values["id-col"])
    throw invalide("option_manquante", "Option --id-col COLONNE requise (l'identifiant).");
  if (!values["address-cols"])
    throw invalide(
      "option_manquante",
      "Option --address-cols COL1,COL2… requise (les colonnes de l'adresse).",
    );
  if (!values.out) throw invalide("option_manquante", "Option --out FICHIER requis.");
  const deps = values.departements
    ?.split(",")
    .map((d) => d.trim())
    .filter((d) => d !== "");
  const index = await withStore((db) => loadAddressIndex(db, deps));
  if (!index)
    throw invalide(
      "referentiel_absent",
      "Aucun référentiel d'adresses chargé : importez d'abord la BAN (socle geo import-ban adresses-XX.csv.gz).",
    );
  const geocoder = new Geocoder(index);
  const bar = progressBar("Géocodage", "lignes");
  const rejects = values.rejects ?? `${values.out.replace(/\.csv$/i, "")}.rejets.csv`;
  const summary = await geocodeFile(geocoder, input, {
    idCol: values["id-col"],
    addressCols: values["address-cols"].split(",").map((c) => c.trim()),
    out: values.out,
    rejects,
    onProgress: (lines, read, size) => bar.update(lines, size > 0 ? read / size : undefined),
  });
  bar.finish();
  say(formatSummary(summary));
  if (summary.rejetees > 0) say(`Lignes rejetées : voir ${rejects}.`);
}
