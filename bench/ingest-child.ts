/**
 * The ingest pipeline in its own processes. `setup` stores the geography of
 * the synthetic département 96, its address reference and the convention
 * (not timed). `run` then does what production does, so its peak memory is
 * the pipeline's own: load the address index from the store, deposit
 * (decode → validate → pseudonymise → geocode → write) and release
 * (aggregate → protect → audit → freeze). Prints one JSON line.
 * Args: setup|run, work dir, database URL or "pglite".
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Convention } from "../src/core/convention/model.js";
import { protectTable } from "../src/core/secrecy/protect.js";
import { loadSolver } from "../src/core/secrecy/solver.js";
import { bbox } from "../src/core/territory/geometry.js";
import { buildAddressIndex } from "../src/geo/address-index.js";
import { inWorker } from "../src/geo/batch-geocoder.js";
import { IrisLocator } from "../src/geo/iris-locator.js";
import { bothProjections } from "../src/geo/projection.js";
import type { SyntheticDepartement } from "../src/geo/synthetic.js";
import { depositIndividualFile } from "../src/ingest/deposit.js";
import { historyModel } from "../src/release/history-model.js";
import { publishRelease } from "../src/release/publish.js";
import { createOrganisation } from "../src/store/accounts.js";
import { loadAddressIndexBlobs, replaceAddressReference } from "../src/store/addresses.js";
import { createConvention } from "../src/store/conventions.js";
import { createJeu } from "../src/store/datasets.js";
import { openStore } from "../src/store/open.js";
import { loadCog, replaceIris } from "../src/store/territories.js";
import { activeDeposits } from "../src/store/vintages.js";
import { sharesByLevel } from "../test/helpers/apa-case.js";
import { releaseShares } from "./usefulness.js";

const [mode, dir, target] = process.argv.slice(2) as ["setup" | "run", string, string];
const db = await openStore(
  target === "pglite"
    ? { dataDir: path.join(dir, "data"), databaseUrl: undefined }
    : { dataDir: dir, databaseUrl: target },
);
async function setupStore(): Promise<void> {
  const dep = JSON.parse(readFileSync(path.join(dir, "departement.json"), "utf8")) as SyntheticDepartement;
  await loadCog(
    db,
    {
      fictif: true,
      regions: [{ code: "96", nom: "Région fictive du banc d'essai" }],
      departements: [{ code: "96", nom: "Département fictif 96", region: "96" }],
      epci: [],
      rows: {
        communes: dep.communes.map((c) => ({
          code: c.code,
          nom: c.nom,
          kind: "commune",
          communeParent: null,
          departement: "96",
          region: "96",
          epci: null,
          population: null,
          codesPostaux: c.postcodes,
        })),
        deleguees: [],
      },
    },
    "banc d'essai",
  );
  await replaceIris(
    db,
    dep.iris.map((i) => {
      const { wgs84, l93 } = bothProjections(i.geometry, "EPSG:2154");
      return {
        code: i.code,
        communeCode: i.communeCode,
        nom: i.code,
        typeIris: "H",
        wgs84,
        l93,
        bbox: bbox(wgs84),
      };
    }),
    "banc d'essai",
    { fictif: true },
  );
  const locator = new IrisLocator(dep.iris);
  const index = buildAddressIndex(
    ["96"],
    dep.addresses
      .filter((a) => !a.hidden)
      .map((a) => ({
        ...a,
        libelleAcheminement: a.communeNom.toUpperCase(),
        iris: locator.locateInCommune(a.communeCode, a.x, a.y),
      })),
  );
  await replaceAddressReference(db, [{ departement: "96", index }], "banc d'essai");
}

const convention: Convention = {
  id: "banc-essai",
  titre: "Banc d'essai de l'ingestion",
  objet: "Mesure",
  parties: [
    { id: "caf", nom: "CAF banc", kind: "CAF", parts: ["fournisseur"], referents: [] },
    {
      id: "obs",
      nom: "Observatoire banc",
      kind: "AUTRE",
      parts: ["destinataire", "prestataire"],
      referents: [],
    },
  ],
  jeux: [
    {
      id: "allocataires",
      titre: "Allocataires",
      fournisseur: "caf",
      kind: "individuel",
      champs: [
        { nom: "matricule", type: "identifiant" },
        { nom: "adresse", type: "adresse" },
        { nom: "code_postal", type: "texte" },
        { nom: "commune", type: "texte" },
        { nom: "sexe", type: "sexe" },
        { nom: "date_naissance", type: "date" },
      ],
      niveaux: ["iris", "commune"],
      dateObservation: "31/12/N-1",
      periodicite: "annuelle",
      protocole: 2,
    },
  ],
  secret: { seuil: 5, zoneMinimum: 100, zoneUnite: "allocataires", zerosSensibles: false },
  mentionSource: "Source : CAF banc, données au {date_observation}",
  diffusion: { interneSeulement: true, accordPrealable: true, doubleLogo: false },
  obligations: { destructionFinEtude: true, copieEtude: false, analyseConjointe: false },
  signeeLe: "2020-01-01",
  effetLe: "2020-01-01",
  duree: { kind: "tacite", periodeMois: 12 },
  resiliation: { mode: "a_tout_moment", preavisMois: 2 },
  avenants: [],
};
if (mode === "setup") {
  await setupStore();
  const caf = await createOrganisation(db, { nom: "CAF banc", kind: "CAF" });
  const obs = await createOrganisation(db, { nom: "Observatoire banc", kind: "AUTRE" });
  await createConvention(db, convention, { caf, obs });
  await createJeu(db, convention.id, "allocataires", "Allocataires");
  await db.close();
  console.log(JSON.stringify({ setup: true }));
  process.exit(0);
}
// What production does: the compact index from the store.
const jeuId = (
  await db.query<{ id: string }>("SELECT id FROM jeu_donnees WHERE convention_id = 'banc-essai'")
)[0]!.id;
// The geocoder runs in a worker thread, on the second core, as in production.
const geocoder = inWorker(await loadAddressIndexBlobs(db, ["96"]));

const t0 = performance.now();
// CPU of this process, all its threads (the geocoding worker included), not the PostgreSQL server's.
const cpu0 = process.cpuUsage();
const r = await depositIndividualFile({
  db,
  convention,
  jeuId,
  file: path.join(dir, "allocataires.csv"),
  annee: 2025,
  secret: new TextEncoder().encode("secret du banc d'essai"),
  geocoder,
  actorId: null,
});
const t1 = performance.now();
const highs = await loadSolver();
const publish = { db, highs, convention, jeuId, annee: 2025, actorId: null };
const release = await publishRelease(publish);
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
// Usefulness (issue 13, item 7), untimed: the release's published share by
// level beside the engine before (perturbations moving their boundary) on the
// same tables, on the embedded run only.
let before: ReturnType<typeof sharesByLevel> | undefined;
if (target === "pglite") {
  const dataset = convention.jeux[0]!;
  const m = await historyModel(publish, dataset, await activeDeposits(db, jeuId, 2025), []);
  before = sharesByLevel(
    m.built.set,
    protectTable(highs, m.built.set, m.rules, { boundary: "free" }).statuses,
  );
}
await geocoder.close();
await db.close();
console.log(
  JSON.stringify({
    lignes: r.lignes,
    doublons: r.doublons,
    sansIris: r.sansIris,
    timings: r.timings,
    depositSeconds: (t1 - t0) / 1000,
    releaseSeconds: (t2 - t1) / 1000,
    protectSeconds: release.audit.secondes,
    totalSeconds: (t2 - t0) / 1000,
    primaires: release.audit.primaires,
    secondaires: release.audit.secondaires,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    shares: releaseShares(release.tableaux),
    ...(before ? { sharesBefore: before } : {}),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
