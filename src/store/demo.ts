/**
 * Demo mode: the fictional Val de Socle territory and demo accounts. Never
 * run outside demo mode; every row it writes is flagged fictif/demo.
 */

import { type IsoDate, isoDateInParis } from "../core/convention/dates.js";
import type { Convention } from "../core/convention/model.js";
import { REFERENCE_CONVENTIONS } from "../core/convention/reference.js";
import { replayOn } from "../core/convention/replay.js";
import { DEMO_DEPARTEMENT, DEMO_EPCI, DEMO_REGION, demoTerritory } from "../core/territory/demo-territory.js";
import { bbox } from "../core/territory/geometry.js";
import { bothProjections } from "../geo/projection.js";
import { addMembership, createOrganisation, createUser, findOrganisationByNom } from "./accounts.js";
import { createConvention, openAnnexDatasets } from "./conventions.js";
import type { Db } from "./db.js";
import { fileFedRequest } from "./fed.js";
import { loadCog, replaceIris, upsertPopulation } from "./territories.js";
import { createZone } from "./zones.js";

export const DEMO_PASSWORD = "Demo-Socle-2026";

export const DEMO_ACCOUNTS = [
  {
    email: "admin@demo.socle.example",
    nom: "Administratrice démo",
    org: null,
    role: null,
    platformAdmin: true,
  },
  {
    email: "ccas@demo.socle.example",
    nom: "Analyste CCAS démo",
    org: "CCAS de Valsocle (démo)",
    role: "analyste",
    platformAdmin: false,
  },
  {
    email: "caf@demo.socle.example",
    nom: "Référente CAF démo",
    org: "CAF fictive du Val de Socle (démo)",
    role: "referent",
    platformAdmin: false,
  },
  {
    email: "etudes@demo.socle.example",
    nom: "Chargé d'études démo",
    org: "Bureau d'études Démo",
    role: "analyste",
    platformAdmin: false,
  },
] as const;

/**
 * One account for every party of the four reference conventions (and their
 * demo replays), a referent of the party's organisation: « cd13@demo… »,
 * « compas@demo… », « caf62@demo… », « ville-rouen@demo… »… The Grand
 * Dijon's account works in one of the two services its convention names.
 */
export const DEMO_PARTY_ACCOUNTS: readonly {
  email: string;
  nom: string;
  org: string;
  service: string | null;
}[] = (() => {
  const seen = new Map<string, { email: string; nom: string; org: string; service: string | null }>();
  for (const c of REFERENCE_CONVENTIONS)
    for (const p of c.parties)
      if (!seen.has(p.nom))
        seen.set(p.nom, {
          email: `${p.id}@demo.socle.example`,
          nom: `Référent ${p.nom} (démo)`,
          org: p.nom,
          service: p.servicesAutorises?.[0] ?? null,
        });
  return [...seen.values()];
})();

const DEMO_ORGS = [
  { nom: "CCAS de Valsocle (démo)", kind: "CCAS" },
  { nom: "CAF fictive du Val de Socle (démo)", kind: "CAF" },
  { nom: "Bureau d'études Démo", kind: "BUREAU_ETUDES" },
] as const;

export async function seedDemoTerritory(db: Db): Promise<void> {
  const t = demoTerritory();
  await loadCog(
    db,
    {
      fictif: true,
      regions: [DEMO_REGION],
      departements: [DEMO_DEPARTEMENT],
      epci: [{ ...DEMO_EPCI, population: t.communes.reduce((s, c) => s + c.population, 0) }],
      rows: {
        communes: t.communes.map((c) => ({
          code: c.code,
          nom: c.nom,
          kind: "commune",
          communeParent: null,
          departement: DEMO_DEPARTEMENT.code,
          region: DEMO_REGION.code,
          epci: DEMO_EPCI.code,
          population: c.population,
          codesPostaux: c.codesPostaux,
        })),
        deleguees: [],
      },
    },
    "démo",
  );
  await replaceIris(
    db,
    t.iris.map((i) => {
      const { wgs84, l93 } = bothProjections(i.geometry, "EPSG:2154");
      return {
        code: i.code,
        communeCode: i.communeCode,
        nom: i.nom,
        typeIris: i.typeIris,
        wgs84,
        l93,
        bbox: bbox(wgs84),
      };
    }),
    "territoire fictif de démonstration",
    { fictif: true },
  );
  await upsertPopulation(
    db,
    t.iris.map((i) => ({ iris: i.code, annee: t.anneePopulation, population: i.population })),
    "territoire fictif de démonstration",
  );
}

/** Seeds the demo territory and accounts once; later starts keep what is there. */
export async function seedDemo(
  db: Db,
  hashPassword: (password: string) => Promise<string>,
  today: IsoDate = isoDateInParis(new Date()),
): Promise<{ created: boolean }> {
  if (await findOrganisationByNom(db, DEMO_ORGS[0].nom)) return { created: false };
  await seedDemoTerritory(db);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    const orgIds = new Map<string, string>();
    for (const o of DEMO_ORGS) orgIds.set(o.nom, await createOrganisation(tx, { ...o, demo: true }));
    for (const a of DEMO_ACCOUNTS) {
      const id = await createUser(tx, {
        email: a.email,
        nom: a.nom,
        passwordHash,
        platformAdmin: a.platformAdmin,
        demo: true,
      });
      if (a.org && a.role) await addMembership(tx, id, orgIds.get(a.org)!, a.role);
    }
    await createZone(tx, {
      organisationId: orgIds.get("CCAS de Valsocle (démo)")!,
      nom: "Quartiers nord de Valsocle (démo)",
      kind: "iris",
      categorie: "quartier",
      description: "Zone d'étude du CCAS (fictive)",
      membres: ["000010009", "000010010", "000010011", "000010012"],
    });
    await createZone(tx, {
      organisationId: orgIds.get("CAF fictive du Val de Socle (démo)")!,
      nom: "Relais Petite Enfance Ouest (démo)",
      kind: "communes",
      categorie: "rpe",
      description: "RPE fictif regroupant deux communes",
      membres: ["00002", "00004"],
    });
  });
  await seedReferenceConventions(db);
  await seedReferenceReplays(db, today);
  await seedPartyAccounts(db, passwordHash);
  await seedDemoConvention(db);
  return { created: true };
}

/** The convention of the fictional territory, between the demo organisations, with a pending FED request. */
export const DEMO_CONVENTION: Convention = {
  id: "demo-abs-valsocle",
  titre: "Convention ABS de Valsocle (démo)",
  objet:
    "Analyse des besoins sociaux du CCAS de Valsocle : données CAF par IRIS, traitement par le bureau d'études.",
  parties: [
    {
      id: "caf-val",
      nom: "CAF fictive du Val de Socle (démo)",
      kind: "CAF",
      parts: ["fournisseur"],
      referents: [{ role: "responsable", nom: "Référente CAF démo", email: "caf@demo.socle.example" }],
    },
    {
      id: "ccas-valsocle",
      nom: "CCAS de Valsocle (démo)",
      kind: "CCAS",
      parts: ["destinataire"],
      referents: [{ role: "technique", nom: "Analyste CCAS démo", email: "ccas@demo.socle.example" }],
    },
    {
      id: "etudes",
      nom: "Bureau d'études Démo",
      kind: "BUREAU_ETUDES",
      parts: ["prestataire"],
      referents: [{ role: "technique", nom: "Chargé d'études démo" }],
    },
  ],
  jeux: [
    {
      id: "allocataires",
      titre: "Allocataires CAF par IRIS (démo)",
      fournisseur: "caf-val",
      kind: "individuel",
      champs: [
        { nom: "matricule", type: "identifiant" },
        { nom: "adresse", type: "adresse" },
        { nom: "code_commune", type: "code_commune" },
        { nom: "sexe", type: "sexe", libelle: "Sexe de l'allocataire" },
        { nom: "date_naissance", type: "date" },
        { nom: "situation_familiale", type: "texte" },
        { nom: "nombre_enfants", type: "entier" },
      ],
      niveaux: ["iris", "commune", "epci"],
      dateObservation: "31/12/N-1",
      periodicite: "annuelle",
      protocole: 2,
    },
  ],
  secret: {
    seuil: 5,
    zoneMinimum: 100,
    zoneUnite: "allocataires",
    niveauRepli: "commune",
    zerosSensibles: false,
  },
  mentionSource: "Source : CAF fictive du Val de Socle (démo), données au {date_observation}",
  diffusion: { interneSeulement: false, accordPrealable: true, doubleLogo: true },
  obligations: { destructionFinEtude: true, copieEtude: true, analyseConjointe: true },
  signeeLe: "2025-01-06",
  effetLe: "2025-01-15",
  duree: { kind: "tacite", periodeMois: 12 },
  resiliation: { mode: "a_echeance", preavisMois: 3, preavisFauteMois: 1 },
  avenants: [],
};

export async function seedDemoConvention(db: Db): Promise<void> {
  const organisations: Record<string, string> = {};
  for (const p of DEMO_CONVENTION.parties) {
    const found = await findOrganisationByNom(db, p.nom);
    if (!found) return;
    organisations[p.id] = found.id;
  }
  await createConvention(db, DEMO_CONVENTION, organisations);
  await fileFedRequest(
    db,
    DEMO_CONVENTION,
    {
      demandeur: "ccas-valsocle",
      fournisseur: "caf-val",
      referent: { nom: "Analyste CCAS démo", email: "ccas@demo.socle.example" },
      service: "Observatoire social",
      chefService: "Direction du CCAS",
      etude: "Familles monoparentales et bas revenus par IRIS (démo)",
      indicateurs: ["Familles monoparentales allocataires", "Allocataires à bas revenus"],
      delaiSouhaite: "2026-03-31",
    },
    null,
  );
}

/** The four reference conventions, each party backed by a demo organisation. */
export async function seedReferenceConventions(db: Db): Promise<void> {
  for (const c of REFERENCE_CONVENTIONS) {
    const organisations: Record<string, string> = {};
    for (const p of c.parties) {
      const found = await findOrganisationByNom(db, p.nom);
      organisations[p.id] =
        found?.id ??
        (await createOrganisation(db, {
          nom: p.nom,
          kind: p.kind === "COMMUNE" ? "AUTRE" : p.kind,
          demo: true,
        }));
    }
    await createConvention(db, c, organisations);
  }
}

/**
 * Each reference convention replayed this year on the fictional territory,
 * between the same organisations, each annex's dataset open for collection,
 * so that the demo accounts drive them from the UI.
 */
export async function seedReferenceReplays(db: Db, today: IsoDate): Promise<void> {
  for (const ref of REFERENCE_CONVENTIONS) {
    const c = replayOn(ref, today);
    const organisations: Record<string, string> = {};
    for (const p of c.parties) {
      const found = await findOrganisationByNom(db, p.nom);
      if (!found) return;
      organisations[p.id] = found.id;
    }
    await createConvention(db, c, organisations);
    await openAnnexDatasets(db, c, today);
  }
}

export async function seedPartyAccounts(db: Db, passwordHash: string): Promise<void> {
  await db.transaction(async (tx) => {
    for (const a of DEMO_PARTY_ACCOUNTS) {
      const org = await findOrganisationByNom(tx, a.org);
      if (!org) continue;
      const id = await createUser(tx, { email: a.email, nom: a.nom, passwordHash, demo: true });
      await addMembership(tx, id, org.id, "referent", a.service);
    }
  });
}
