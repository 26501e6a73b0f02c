/**
 * Success shapes of the API routes, for the OpenAPI document (a `response:`
 * entry per route; api.ts turns them into JSON Schema). They name the
 * fields clients rely on; objects are open (further fields may come), so a
 * field added to an answer does not break the document. The error shape is
 * one for every route (`Erreur`, api.ts).
 */
import { z } from "zod";
import { ConventionSchema } from "../core/convention/schema.js";

const Id = z.string();
const Iso = z.string().describe("Date ou horodatage ISO 8601");
const Counts = z.record(z.string(), z.number());
const open = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

export const Ok = z.object({ ok: z.literal(true) });
export const Created = open({ id: Id });

// Service.
export const Sante = z.object({ ok: z.boolean(), base: z.enum(["pglite", "postgres"]), demo: z.boolean() });
export const Vivant = z.object({ ok: z.literal(true) });
export const OpenApiDocument = open({ openapi: z.string(), info: open({}), paths: open({}) }).describe(
  "Ce document OpenAPI (JSON), ou sa présentation HTML pour un navigateur",
);

// Organisations, users, zones, audit.
export const Organisations = z.array(
  open({ id: Id, nom: z.string(), kind: z.string(), typeLibelle: z.string(), demo: z.boolean() }),
);
export const Annuaire = z.array(
  z.object({ id: Id, nom: z.string(), type: z.string(), typeLibelle: z.string() }),
);
export const Membres = z.array(open({ id: Id, nom: z.string(), email: z.string(), role: z.string() }));
export const Utilisateurs = z.array(
  open({
    id: Id,
    email: z.string(),
    nom: z.string(),
    administrateurPlateforme: z.boolean(),
    demo: z.boolean(),
    organisations: z.array(
      open({
        id: Id,
        nom: z.string(),
        role: z.string(),
        roleLibelle: z.string(),
        service: z.string().nullable(),
      }),
    ),
  }),
);
export const OrganisationCreee = z.object({ id: Id, typeLibelle: z.string() });
export const Journal = z.object({
  entrees: z.array(
    open({
      seq: z.number(),
      at: Iso,
      utilisateur: open({ id: Id, nom: z.string(), email: z.string() }).nullable(),
      action: z.string(),
      cible: z.string().nullable(),
      detail: open({}),
    }),
  ),
  actions: z.array(z.string()),
});
export const JournalVerification = open({
  ok: z.boolean(),
  entrees: z.number(),
  problemes: z.array(open({})),
  message: z.string(),
});
export const Zones = z.array(
  open({
    id: Id,
    organisationId: Id,
    nom: z.string(),
    kind: z.enum(["communes", "iris"]),
    categorie: z.string(),
    categorieLibelle: z.string(),
    membres: z.number().describe("Nombre d'unités (communes ou IRIS)"),
    diffusions: z.number().describe("Diffusions qui ont publié la zone (elle est alors figée)"),
  }),
);
export const Zone = open({
  id: Id,
  organisationId: Id,
  nom: z.string(),
  kind: z.enum(["communes", "iris"]),
  categorie: z.string(),
  categorieLibelle: z.string(),
  description: z.string().nullable(),
  membres: z.array(z.string()),
  diffusions: z.number(),
});

// Territories.
export const TerritoiresTrouves = z.array(
  open({ kind: z.string(), code: z.string(), nom: z.string(), iris: z.number() }),
);
export const Recherche = z.object({
  resultats: z.array(
    z.object({
      niveau: z.enum(["commune", "epci", "departement"]),
      code: z.string(),
      nom: z.string(),
      detail: z.string(),
    }),
  ),
});
export const Territoire = open({
  kind: z.string(),
  code: z.string(),
  nom: z.string(),
  fictif: z.boolean(),
  parents: z.array(open({ kind: z.string(), code: z.string(), nom: z.string() })),
  communes: z.number(),
  iris: z.number(),
  population: z.number().nullable(),
  anneePopulation: z.number().nullable(),
});
export const IrisGeoJson = open({
  type: z.literal("FeatureCollection"),
  features: z.array(
    open({
      type: z.literal("Feature"),
      properties: open({ code: z.string(), nom: z.string() }),
      geometry: open({ type: z.string() }),
    }),
  ),
}).describe("GeoJSON WGS84 des IRIS, avec leur population");

// Conventions.
const Alerte = open({ date: z.string(), message: z.string() });
const ConventionResume = open({
  id: Id,
  titre: z.string(),
  statut: z.string(),
  statutLibelle: z.string(),
  prochaineReconduction: z.string().nullable(),
  dernierJourPreavis: z.string().nullable(),
  finPrevue: z.string().nullable(),
  alertes: z.array(Alerte),
  mesParties: z.array(z.string()),
  mesRoles: z.array(z.string()),
  permis: z.record(z.string(), z.boolean()),
  parties: z.array(
    open({
      id: Id,
      nom: z.string(),
      roles: z.array(z.string()),
      organisation: z.string().nullable(),
      acceptation: open({ accepteeLe: z.string().nullable() }).nullable(),
    }),
  ),
  acceptationsAttendues: z.array(z.string()),
  traitement: z.string().nullable(),
});
export const Conventions = z.array(ConventionResume);
export const ConventionDetail = ConventionResume.extend({
  document: ConventionSchema,
  versionEnVigueur: ConventionSchema,
});
export const ConventionCreee = z.object({
  id: Id,
  statut: z.string(),
  acceptationsAttendues: z.array(z.string()),
});
export const Historique = z.array(
  open({ at: Iso, actorId: Id.nullable(), kind: z.string(), detail: open({}) }),
);
export const Preavis = z.object({ fin: z.string().nullable() });
export const AvenantEnregistre = z.object({ numero: z.number(), jeuxOuverts: z.array(z.unknown()) });
export const Acceptation = open({
  partie: z.string(),
  accepteeLe: z.string(),
  statut: z.string(),
  acceptationsAttendues: z.array(z.string()),
  jeuxOuverts: z.array(z.unknown()),
});
export const Referents = z.object({ referents: z.array(open({ role: z.string(), nom: z.string() })) });

// Datasets, deposits, destruction.
export const Jeux = z.array(
  open({ id: Id, annexe: z.string(), titre: z.string(), statut: z.string(), statutLibelle: z.string() }),
);
export const Depot = z
  .union([
    open({ depotId: Id, lignes: z.number(), doublons: z.number(), sansIris: z.number(), geocodage: Counts }),
    open({ depotId: Id, lignes: z.number(), indicateurs: z.array(z.string()), annees: z.array(z.number()) }),
    open({ id: Id, sha256: z.string(), octets: z.number() }),
  ])
  .describe(
    "Fichier individuel traité (lignes, doublons, géocodage), tableau agrégé enregistré, ou fichier conservé tel quel",
  );
export const Apercu = open({
  fichier: z.string(),
  format: z.enum(["csv", "xlsx"]),
  encodage: z.string().nullable(),
  colonnes: z.array(z.string()),
  champs: z.array(open({ nom: z.string(), type: z.string(), libelle: z.string(), obligatoire: z.boolean() })),
  proposition: open({}),
  lisibilite: Counts,
  lignesLues: z.number(),
  absents: z.array(z.string()),
  questions: z.array(z.string()),
}).describe(
  "Colonnes lues, correspondance proposée et lisibilité des premières lignes (aucune valeur du fichier)",
);
export const Microdonnees = z.object({
  lignes: z.number(),
  iris: z.number(),
  sansIris: z.number(),
  annees: z.array(z.number()),
});
const AttestationSchema = open({
  jeu: open({ id: Id, titre: z.string(), annexe: z.string() }),
  convention: open({ id: Id, titre: z.string() }),
  detruitLe: Iso,
  par: open({ id: Id, nom: z.string(), organisation: z.string() }),
  comptes: Counts,
  octets: z.number(),
  manifeste: open({ lignes: z.number(), empreinte: z.string() }),
});
export const Destruction = z.object({
  attestation: AttestationSchema,
  empreinte: z.string(),
  texte: z.string(),
  manifeste: z.string(),
});
export const AttestationVerifiee = open({
  valide: z.boolean(),
  problemes: z.array(z.string()),
  attestation: AttestationSchema,
  empreinte: z.string(),
  texte: z.string(),
});
export const GeocodageFournisseur = open({
  id: Id,
  lignes: z.number(),
  avecIris: z.number(),
  sansIris: z.number(),
  parType: Counts,
});

// Releases.
const Audit = open({ ok: z.boolean(), primaires: z.number(), secondaires: z.number() });
export const DiffusionCreee = open({ id: Id, mentionSource: z.string(), audit: Audit, tableaux: z.number() });
export const Diffusions = z.array(
  open({
    id: Id,
    jeuId: Id,
    jeu: z.string(),
    annee: z.number(),
    zonage: z.string(),
    mentionSource: z.string(),
    diffuseLe: Iso,
  }),
);
export const Diffusion = open({
  id: Id,
  conventionId: Id,
  jeuId: Id,
  annee: z.number(),
  zonage: z.string(),
  mentionSource: z.string(),
  tableaux: z.array(open({})),
  audit: Audit,
  diffuseLe: Iso,
}).describe(
  "Tableaux protégés (« s » pour une cellule secrète ; la raison du secret pour le prestataire seul)",
);
export const AccordCree = z.object({ id: Id, accordeLe: z.string() });
export const Accords = z.array(
  open({
    id: Id,
    diffusionId: Id,
    partie: z.string(),
    portee: z.string(),
    destinataire: z.string(),
    accordeLe: z.string(),
    accordePar: Id.nullable(),
  }),
);

// FED, anomalies, restitutions, tasks.
const Fed = open({
  id: Id,
  conventionId: Id,
  statut: z.string(),
  statutLibelle: z.string(),
  feuille1: open({ demandeur: z.string(), fournisseur: z.string() }),
  feuille2: open({}).optional(),
  demandeLe: Iso,
  convention: open({ id: Id, titre: z.string() }),
  demandeurNom: z.string(),
  fournisseurNom: z.string(),
  sens: z.enum(["recue", "envoyee", "autre"]),
  annexesDuFournisseur: z.array(open({ id: z.string(), titre: z.string() })),
});
export const Feds = z.array(Fed);
export const FedDetail = Fed;
export const FedReponse = z.object({ statut: z.string(), jeux: z.array(z.unknown()) });
export const AnomalieCreee = z.object({ id: Id, statut: z.literal("ouverte") });
export const Anomalies = z.array(
  open({
    id: Id,
    statut: z.string(),
    statutLibelle: z.string(),
    signaleParNom: z.string(),
    fournisseurNom: z.string(),
    monCote: z.string().nullable(),
    messages: z.array(open({ partie: z.string(), partieNom: z.string(), texte: z.string() })),
  }),
);
export const CiblesAnomalie = z.array(
  z.object({
    type: z.enum(["depot", "diffusion"]),
    id: Id,
    lignes: z.number().nullable(),
    libelle: z.string(),
  }),
);
export const StatutAnomalie = z.object({ statut: z.string(), statutLibelle: z.string() });
export const Restitutions = z.array(
  open({
    id: Id,
    titre: z.string(),
    nomFichier: z.string(),
    octets: z.number(),
    sha256: z.string(),
    deposeLe: Iso,
    envois: z.array(open({ partie: z.string(), envoyeLe: Iso })),
  }),
);
export const Seances = z.array(open({ id: Id, enregistreLe: Iso }));
export const Taches = z.object({
  total: z.number(),
  parType: z.record(z.string(), z.object({ libelle: z.string(), nombre: z.number() })),
  taches: z.array(
    open({
      kind: z.string(),
      conventionId: Id,
      conventionTitre: z.string(),
      date: z.string(),
      libelle: z.string(),
      lien: z.string(),
    }),
  ),
});

// Indicators.
const StatutValeur = z.string().describe("publie, secret, manquant ou fragile");
const ValeurCalculee = {
  valeur: z.number().nullable(),
  statut: StatutValeur,
  numerateur: z.number().nullable(),
  denominateur: z.number().nullable(),
  millesimePopulation: z.number().nullable(),
  references: z.array(open({})),
};
const IndicateurCatalogue = open({
  id: Id,
  libelle: z.string(),
  theme: z.string(),
  unite: z.string(),
  formule: z.string(),
  source: z.string(),
  precautions: z.array(z.string()),
  niveaux: z.array(z.string()),
  jeux: z.array(z.string()),
  denominateursInsee: z.array(z.string()),
  definitions: z.array(open({ depuis: z.number(), note: z.string() })),
});
export const Catalogue = z.object({ themes: z.array(z.string()), indicateurs: z.array(IndicateurCatalogue) });
export const Valeurs = open({
  indicateur: IndicateurCatalogue,
  niveau: z.string(),
  millesime: z.number().nullable(),
  millesimes: z.array(z.number()),
  sources: z.array(z.string()),
  valeurs: z.array(open({ code: z.string(), nom: z.string(), niveau: z.string(), ...ValeurCalculee })),
});
export const Serie = open({
  indicateur: IndicateurCatalogue,
  territoire: open({ niveau: z.string(), code: z.string(), nom: z.string() }),
  points: z.array(open({ millesime: z.number(), ...ValeurCalculee })),
  ruptures: z.array(open({ millesime: z.number(), raison: z.string() })),
  sources: z.array(z.string()),
});

// Approval requests of a release (the provider's answer to each).
export const DemandeAccord = open({
  id: Id,
  diffusionId: Id,
  demandeur: z.string(),
  fournisseur: z.string(),
  portee: z.string(),
  destinataire: z.string(),
  demandeLe: z.string(),
  statut: z.string(),
  motif: z.string().nullable(),
  reponduLe: z.string().nullable(),
});
export const DemandesAccord = z.array(DemandeAccord);
export const DemandeAccordCreee = z.object({ id: Id, statut: z.string(), fournisseur: z.string() });

// Portraits: the analyst's commentary in versions, and a portrait in one request.
export const VersionCommentaire = open({
  version: z.number(),
  texte: z.string(),
  auteur: z.string(),
  creeLe: Iso,
  conventions: z.array(z.string()),
});
export const Commentaires = open({ versions: z.array(VersionCommentaire) });
export const Portrait = open({
  territoire: open({ niveau: z.string(), code: z.string(), nom: z.string() }),
  lignes: z.array(open({})),
  carte: open({}).nullable(),
  conventions: z.array(z.string()),
});
