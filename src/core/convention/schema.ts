/**
 * The shape of a convention as received from the API or a file, with French
 * messages. Structure only: coherence (dates, parties, notice) is checked by
 * checkConvention in model.ts.
 */
import { z } from "zod";
import { isIsoDate } from "./dates.js";
import type { Convention } from "./model.js";

const text = (what: string, max = 500) =>
  z
    .string({ message: `${what} : texte attendu.` })
    .trim()
    .min(1, { message: `${what} requis.` })
    .max(max, { message: `${what} : ${max} caractères au plus.` });

const date = (what: string) =>
  z
    .string({ message: `${what} : date attendue.` })
    .refine(isIsoDate, { message: `${what} : date attendue (AAAA-MM-JJ).` });

const months = (what: string) =>
  z
    .number({ message: `${what} : nombre de mois attendu.` })
    .int({ message: `${what} : nombre entier de mois attendu.` })
    .min(0, { message: `${what} : nombre positif attendu.` })
    .max(120, { message: `${what} : 120 mois au plus.` });

const Slug = z
  .string({ message: "Identifiant attendu." })
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: "Identifiant : minuscules, chiffres et tirets." });

const Part = z.enum(["fournisseur", "destinataire", "prestataire", "lecteur"], {
  message: "Rôle attendu : fournisseur, destinataire, prestataire ou lecteur.",
});

export const ReferentSchema = z.object({
  role: z.enum(["responsable", "technique"], { message: "Référent : responsable ou technique." }),
  nom: text("Nom du référent", 200),
  service: z.string().trim().max(200).optional(),
  telephone: z.string().trim().max(40).optional(),
  email: z.string().trim().max(200).optional(),
  depuis: date("Référent en fonction depuis").optional(),
});

const ServicesParSortie = z.object({
  carte: z.array(text("Service autorisé", 200)).max(20).optional(),
  tableau: z.array(text("Service autorisé", 200)).max(20).optional(),
});

const Financement = z.object({
  objet: text("Objet du financement", 1000),
  revueLe: date("Révision du financement").optional(),
});

const Party = z.object({
  id: Slug,
  nom: text("Nom de la partie", 200),
  kind: z.enum(["CCAS", "CAF", "CD", "EPCI", "COMMUNE", "BUREAU_ETUDES", "AUTRE"], {
    message: "Type d'organisme inconnu.",
  }),
  parts: z.array(Part).min(1, { message: "Chaque partie a au moins un rôle." }),
  servicesAutorises: z.array(text("Service autorisé", 200)).optional(),
  servicesParSortie: ServicesParSortie.optional(),
  referents: z.array(ReferentSchema).max(10),
  financement: z
    .number({ message: "Part du financement : montant en euros attendu." })
    .min(0, { message: "Part du financement : montant positif attendu." })
    .optional(),
});

const FieldType = z.enum(
  [
    "identifiant",
    "adresse",
    "texte",
    "entier",
    "decimal",
    "date",
    "sexe",
    "gir",
    "oui_non",
    "code_commune",
    "code_iris",
    "montant",
    "taux",
  ],
  { message: "Type de champ inconnu." },
);

const GeoLevel = z.enum(["iris", "commune", "epci", "departement", "zone"], {
  message: "Niveau géographique attendu : iris, commune, epci, departement ou zone.",
});

export const DatasetSchema = z.object({
  id: Slug,
  titre: text("Titre du jeu de données", 300),
  fournisseur: Slug,
  kind: z.enum(["individuel", "agrege"], { message: "Nature attendue : individuel ou agrege." }),
  champs: z
    .array(
      z.object({
        nom: text("Nom du champ", 100),
        type: FieldType,
        libelle: z.string().max(300).optional(),
        de: z.string().max(100).optional(),
        requis: z.boolean({ message: "Champ requis : oui ou non." }).optional(),
      }),
    )
    .min(1, { message: "Décrivez au moins un champ de l'annexe (nom, type)." })
    .max(200),
  sommes: z
    .array(
      z.object({
        total: text("Colonne totale de la somme", 100),
        parties: z
          .array(text("Colonne", 100))
          .min(2, { message: "Au moins deux colonnes s'additionnent en un total." }),
      }),
    )
    .optional(),
  niveaux: z.array(GeoLevel).min(1, { message: "Au moins un niveau géographique." }),
  zones: z.array(text("Zone", 200)).optional(),
  dateObservation: text("Date d'observation", 200),
  periodicite: z.enum(["annuelle", "ponctuelle"], { message: "Périodicité : annuelle ou ponctuelle." }),
  millesimes: z.object({ de: z.number().int(), a: z.number().int() }).optional(),
  protocole: z.union([z.literal(1), z.literal(2)], { message: "Protocole d'échange : 1 ou 2." }).optional(),
  mentionSource: text("Mention de la source du jeu", 1000).optional(),
  origine: z.enum(["annexe", "ciblee"]).optional(),
});

const Duration = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("tacite"), periodeMois: months("Durée de la période").min(1) }),
    z.object({ kind: z.literal("echeance"), fin: date("Date de fin") }),
    z.object({ kind: z.literal("publication") }),
  ],
  { message: "Durée attendue : tacite, echeance ou publication." },
);

const Secret = z.object({
  seuil: z.number().int({ message: "Seuil : entier attendu." }).min(1).max(100),
  zoneMinimum: z.number().int().min(0).optional(),
  zoneUnite: z.enum(["habitants", "allocataires"]).optional(),
  niveauRepli: GeoLevel.optional(),
  zerosSensibles: z.boolean(),
});
const Diffusion = z.object({
  interneSeulement: z.boolean(),
  accordPrealable: z.boolean(),
  doubleLogo: z.boolean(),
});
const Obligations = z.object({
  destructionFinEtude: z.boolean(),
  copieEtude: z.boolean(),
  analyseConjointe: z.boolean(),
  seanceAnnuelle: z.boolean().optional(),
  destructionPar: z.array(Slug).optional(),
  diffusionsConservees: z.boolean().optional(),
});
const Resiliation = z.object({
  mode: z.enum(["a_tout_moment", "a_echeance"], { message: "Résiliation : a_tout_moment ou a_echeance." }),
  preavisMois: months("Préavis"),
  preavisFauteMois: months("Préavis pour manquement").optional(),
  fautePar: z.array(Slug).optional(),
  ordinaire: z.boolean().optional(),
});

/** What an avenant may change, from its effective date on. */
export const AvenantChangesSchema = z
  .object({
    objet: text("Objet", 4000),
    jeux: z.array(DatasetSchema).max(50),
    secret: Secret,
    mentionSource: text("Mention de la source", 1000),
    diffusion: Diffusion,
    obligations: Obligations,
    duree: Duration,
    resiliation: Resiliation,
    traitement: Slug,
    financement: Financement,
    servicesParSortie: z.record(Slug, ServicesParSortie),
  })
  .partial();

export const ConventionSchema = z.object({
  id: Slug,
  titre: text("Titre", 300),
  objet: text("Objet", 4000),
  parties: z.array(Party).min(2, { message: "Une convention lie au moins deux parties." }).max(20),
  jeux: z.array(DatasetSchema).max(50),
  secret: Secret,
  mentionSource: text("Mention de la source", 1000),
  diffusion: Diffusion,
  obligations: Obligations,
  signeeLe: date("Date de signature").optional(),
  effetLe: date("Date d'effet").optional(),
  duree: Duration,
  resiliation: Resiliation,
  traitement: Slug.optional(),
  financement: Financement.optional(),
  avenants: z
    .array(
      z.object({
        numero: z.number().int().min(1),
        objet: text("Objet de l'avenant", 2000),
        signeLe: date("Signature de l'avenant"),
        effetLe: date("Effet de l'avenant"),
        modifications: AvenantChangesSchema.optional(),
      }),
    )
    .default([]),
  remplace: z.string().max(100).optional(),
});

// The schema and the model must describe the same thing.
type Parsed = z.infer<typeof ConventionSchema>;
const _sameShape = (p: Parsed): Convention => p;
void _sameShape;
