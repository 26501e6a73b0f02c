/**
 * Demo mode's released dataset (see seedDemoRelease).
 */
import { loadSolver } from "../core/secrecy/solver.js";
import { demoTerritory } from "../core/territory/demo-territory.js";
import { buildAddressIndex, type ReferenceAddress } from "../geo/address-index.js";
import { replaceAddressReference } from "../store/addresses.js";
import { createJeu, insertMicrodonnees, type MicroRow } from "../store/datasets.js";
import type { Db } from "../store/db.js";
import { DEMO_CONVENTION } from "../store/demo.js";
import { publishRelease } from "./publish.js";

/**
 * A released dataset of the fictional territory: fictitious allocataires
 * placed in the demo IRIS (about 8 % of each IRIS's population), protected
 * and frozen like any release, so the demo has a map and downloads.
 */
export async function seedDemoRelease(db: Db): Promise<void> {
  const t = demoTerritory();
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4294967296;
  };
  const rows: MicroRow[] = [];
  for (const i of t.iris) {
    // A few IRIS get very few allocataires: the secrecy rules then show.
    const n = Math.round(i.population * (rnd() < 0.15 ? 0.004 : 0.08));
    for (let k = 0; k < n; k++) {
      const age = 18 + Math.floor(rnd() * 70);
      rows.push({
        ligne: rows.length + 1,
        pseudonyme: `demo${String(rows.length).padStart(6, "0")}`,
        codeIris: i.code,
        annee: 2025,
        valeurs: {
          sexe: rnd() < 0.55 ? "F" : "M",
          date_naissance: `${2025 - age}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`,
          situation_familiale: rnd() < 0.3 ? "isolé" : "couple",
          nombre_enfants: Math.floor(rnd() * 4),
        },
      });
    }
  }
  const jeuId = await createJeu(db, DEMO_CONVENTION.id, "allocataires", "Allocataires CAF par IRIS (démo)");
  await db.transaction(async (tx) => {
    const [depot] = await tx.query<{ id: string }>(
      `INSERT INTO depot (jeu_id, nom_fichier, octets, sha256, chemin, annee, lignes)
       VALUES ($1, 'allocataires-demo.csv', 0, 'demo', '', 2025, $2) RETURNING id`,
      [jeuId, rows.length],
    );
    await insertMicrodonnees(tx, jeuId, depot!.id, rows);
    await tx.query("UPDATE jeu_donnees SET statut = 'collecte' WHERE id = $1", [jeuId]);
  });
  await publishRelease({
    db,
    highs: await loadSolver(),
    convention: DEMO_CONVENTION,
    jeuId,
    annee: 2025,
    actorId: null,
  });
}

/** Street names of the demo address reference (a few per IRIS). */
export const DEMO_STREETS = [
  "Rue de la Mairie",
  "Avenue des Écoles",
  "Chemin du Moulin",
  "Allée des Tilleuls",
];

/**
 * A BAN-like address reference of the fictional territory, so that a demo
 * deposit geocodes: in each IRIS, the demo streets suffixed by the IRIS name,
 * numbered 1 to 80.
 */
export async function seedDemoAddresses(db: Db): Promise<void> {
  const t = demoTerritory();
  const communes = new Map(t.communes.map((c) => [c.code, c]));
  const refs: ReferenceAddress[] = [];
  for (const i of t.iris) {
    const c = communes.get(i.communeCode)!;
    for (const s of DEMO_STREETS)
      for (let n = 1; n <= 80; n++)
        refs.push({
          communeCode: c.code,
          communeNom: c.nom,
          codePostal: c.codesPostaux[0] ?? "00000",
          ancienneCode: "",
          ancienneNom: "",
          libelleAcheminement: c.nom.toUpperCase(),
          nomVoie: `${s} ${i.nom}`,
          numero: n,
          rep: "",
          iris: i.code,
        });
  }
  await replaceAddressReference(
    db,
    [{ departement: "00", index: buildAddressIndex(["00"], refs) }],
    "référentiel d'adresses fictif de démonstration",
  );
}
