/**
 * The four reference conventions (facts from ../shared/CONVENTIONS.md),
 * loaded in demo mode and used by the tests. Where the facts give no date
 * (signature of Aix, Béthune and Rouen, the day Dijon became executory),
 * the date below is a stated demo value, marked `date de démonstration`.
 */
import type { Convention, Dataset, Party } from "./model.js";

const compas: Party = {
  id: "compas",
  nom: "COMPAS-TIS",
  kind: "BUREAU_ETUDES",
  parts: ["prestataire"],
  referents: [{ role: "technique", nom: "Chargé d'études COMPAS" }],
};

const apaChamps: Dataset["champs"] = [
  { nom: "index_dossier", type: "identifiant" },
  { nom: "adresse", type: "adresse" },
  { nom: "code_postal", type: "texte" },
  { nom: "commune", type: "texte" },
  { nom: "sexe", type: "sexe" },
  { nom: "date_naissance", type: "date" },
  { nom: "situation_familiale", type: "texte", libelle: "couple / personne isolée" },
  { nom: "gir", type: "gir" },
];

export const AIX: Convention = {
  id: "aix-cd13-abs-2015",
  titre: "Convention de partage de données – ABS du CCAS d'Aix-en-Provence",
  objet:
    "Analyse des Besoins Sociaux 2015-2016 du CCAS d'Aix-en-Provence ; collecte et traitement par COMPAS-TIS.",
  parties: [
    {
      id: "cd13",
      nom: "Conseil Départemental des Bouches-du-Rhône",
      kind: "CD",
      parts: ["fournisseur"],
      referents: [
        {
          role: "responsable",
          nom: "Responsable données sociales",
          service: "Direction de l'action sociale",
        },
        { role: "technique", nom: "Référent technique", service: "Système d'information" },
      ],
    },
    {
      id: "ccas-aix",
      nom: "CCAS d'Aix-en-Provence",
      kind: "CCAS",
      parts: ["destinataire"],
      referents: [
        { role: "responsable", nom: "Direction du CCAS" },
        { role: "technique", nom: "Observatoire social" },
      ],
    },
    compas,
  ],
  jeux: [
    {
      id: "assmat",
      titre: "Assistantes maternelles agréées PMI",
      fournisseur: "cd13",
      kind: "individuel",
      champs: [
        { nom: "index", type: "identifiant" },
        { nom: "adresse", type: "adresse" },
        { nom: "commune", type: "texte" },
        { nom: "places_accordees", type: "entier" },
        { nom: "places_moins_3_ans", type: "entier" },
        { nom: "places_3_ans_et_plus", type: "entier" },
        { nom: "enfants_moins_3_ans", type: "entier" },
        { nom: "enfants_3_ans_et_plus", type: "entier" },
      ],
      niveaux: ["iris", "commune", "departement"],
      dateObservation: "31/12/N-1 ou dernière date disponible",
      periodicite: "annuelle",
      protocole: 2,
    },
    {
      id: "cs8",
      titre: "Certificats de santé du 8e jour",
      fournisseur: "cd13",
      kind: "individuel",
      champs: [
        { nom: "index_enfant", type: "identifiant" },
        { nom: "adresse", type: "adresse" },
        { nom: "commune", type: "texte" },
        { nom: "age_mere", type: "entier" },
        { nom: "rang_naissance", type: "entier" },
      ],
      niveaux: ["iris", "commune", "departement"],
      dateObservation: "31/12/N-1 ou dernière date disponible",
      periodicite: "annuelle",
      protocole: 2,
    },
    {
      id: "apa",
      titre: "APA à domicile",
      fournisseur: "cd13",
      kind: "individuel",
      champs: apaChamps,
      niveaux: ["iris", "commune", "departement"],
      dateObservation: "31/12/N-1 ou dernière date disponible",
      periodicite: "annuelle",
      protocole: 2,
    },
    {
      id: "aides-financieres",
      titre: "Aides financières FSL / FAJ",
      fournisseur: "cd13",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune" },
        { nom: "beneficiaires_faj", type: "entier" },
        { nom: "beneficiaires_fsl", type: "entier" },
        { nom: "fsl_depot_garantie", type: "entier" },
        { nom: "fsl_impayes", type: "entier" },
      ],
      // FSL: accès au logement (dépôt de garantie) and maintien (impayés).
      sommes: [{ total: "beneficiaires_fsl", parties: ["fsl_depot_garantie", "fsl_impayes"] }],
      niveaux: ["commune", "departement"],
      dateObservation: "année N-1",
      periodicite: "annuelle",
    },
    {
      id: "aides-legales",
      titre: "Aides légales PA/PH (ASH, ACTP/PCH)",
      fournisseur: "cd13",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune" },
        { nom: "ash_total", type: "entier" },
        { nom: "ash_hommes", type: "entier" },
        { nom: "ash_femmes", type: "entier" },
        { nom: "pch_total", type: "entier" },
        { nom: "pch_hommes", type: "entier" },
        { nom: "pch_femmes", type: "entier" },
        { nom: "pch_moins_40_ans", type: "entier" },
        { nom: "pch_40_ans_et_plus", type: "entier" },
      ],
      sommes: [
        { total: "ash_total", parties: ["ash_hommes", "ash_femmes"] },
        { total: "pch_total", parties: ["pch_hommes", "pch_femmes"] },
        { total: "pch_total", parties: ["pch_moins_40_ans", "pch_40_ans_et_plus"] },
      ],
      niveaux: ["commune", "departement"],
      dateObservation: "31/12/N-1",
      periodicite: "annuelle",
    },
    {
      id: "ase",
      titre: "Aide Sociale à l'Enfance",
      fournisseur: "cd13",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune" },
        { nom: "signalements", type: "entier" },
        { nom: "aed_aemo", type: "entier" },
        { nom: "enfants_confies", type: "entier" },
        { nom: "placements_directs", type: "entier" },
        { nom: "allocations_mensuelles", type: "entier" },
      ],
      niveaux: ["commune", "departement"],
      dateObservation: "31/12/N-1",
      periodicite: "annuelle",
    },
  ],
  secret: {
    seuil: 5,
    zoneMinimum: 100,
    zoneUnite: "habitants",
    niveauRepli: "commune",
    zerosSensibles: false,
  },
  mentionSource:
    "Source : Le Conseil Départemental – Analyse des Besoins Sociaux du CCAS de la Ville d'Aix-en-Provence, données au {date_observation}, mise à jour le {date_mise_a_jour}",
  diffusion: { interneSeulement: false, accordPrealable: true, doubleLogo: false },
  obligations: { destructionFinEtude: false, copieEtude: false, analyseConjointe: false },
  signeeLe: "2016-02-01", // date de démonstration
  effetLe: "2016-02-01", // date de démonstration
  duree: { kind: "tacite", periodeMois: 12 },
  resiliation: { mode: "a_tout_moment", preavisMois: 2, preavisFauteMois: 1 },
  avenants: [],
};

export const DIJON: Convention = {
  id: "dijon-grand-dijon-2009",
  titre: "Convention d'échange de données – Grand Dijon et CCAS de Dijon (2009)",
  objet:
    "Observatoire du développement social local de l'agglomération (politique de la ville) et Analyse des Besoins Sociaux annuelle du CCAS.",
  parties: [
    {
      id: "grand-dijon",
      nom: "Communauté d'agglomération du Grand Dijon",
      kind: "EPCI",
      parts: ["fournisseur", "destinataire"],
      servicesAutorises: ["Observatoire Prospective", "Politique de la Ville"],
      referents: [{ role: "responsable", nom: "Observatoire Prospective" }],
      financement: 13_250,
    },
    {
      id: "ccas-dijon",
      nom: "CCAS de Dijon",
      kind: "CCAS",
      parts: ["fournisseur", "destinataire"],
      referents: [{ role: "responsable", nom: "Direction du CCAS" }],
      financement: 13_250,
    },
    compas,
  ],
  jeux: [
    {
      id: "ville-vers-agglo",
      titre: "Données de la Ville/CCAS (DADS, DGI, recensements, ASSEDIC, CPAM, CAF…) à l'IRIS",
      fournisseur: "ccas-dijon",
      kind: "agrege",
      champs: [
        { nom: "code_iris", type: "code_iris" },
        { nom: "indicateur", type: "texte" },
        { nom: "valeur", type: "decimal" },
      ],
      niveaux: ["iris"],
      dateObservation: "dernière date disponible",
      periodicite: "annuelle",
    },
    {
      id: "agglo-vers-ville",
      titre: "Enquêtes OPS/SLS des bailleurs sociaux, Pôle emploi, URSSAF à l'IRIS",
      fournisseur: "grand-dijon",
      kind: "agrege",
      champs: [
        { nom: "code_iris", type: "code_iris" },
        { nom: "indicateur", type: "texte" },
        { nom: "valeur", type: "decimal" },
      ],
      niveaux: ["iris"],
      dateObservation: "dernière date disponible",
      periodicite: "annuelle",
    },
  ],
  secret: { seuil: 5, zerosSensibles: false },
  mentionSource: "Source : CCAS de Dijon – Grand Dijon, traitement COMPAS, données au {date_observation}",
  diffusion: { interneSeulement: true, accordPrealable: true, doubleLogo: false },
  obligations: { destructionFinEtude: false, copieEtude: false, analyseConjointe: true },
  signeeLe: "2009-02-16", // date de démonstration
  effetLe: "2009-03-02", // date de démonstration : « une fois exécutoire »
  duree: { kind: "echeance", fin: "2009-12-31" },
  resiliation: { mode: "a_tout_moment", preavisMois: 2, preavisFauteMois: 1 },
  avenants: [],
  remplace: "Convention initiale du 08/12/2008",
};

const RPE = ["RPE 1", "RPE 2", "RPE 3", "RPE 4", "RPE 5", "RPE 6"];

export const BETHUNE: Convention = {
  id: "bethune-caf62-2022",
  titre: "Convention de mise à disposition de données – CABBALR et CAF du Pas-de-Calais (2022)",
  objet:
    "Diagnostic du métier d'assistant maternel (thématique petite enfance de la Convention Territoriale Globale 2021-2025).",
  parties: [
    {
      id: "caf62",
      nom: "CAF du Pas-de-Calais",
      kind: "CAF",
      parts: ["fournisseur"],
      referents: [{ role: "responsable", nom: "Service statistiques et études" }],
    },
    {
      id: "cabbalr",
      nom: "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane",
      kind: "EPCI",
      parts: ["destinataire"],
      referents: [{ role: "responsable", nom: "Direction petite enfance" }],
    },
  ],
  jeux: [
    {
      id: "assmat-caf",
      titre: "Assistants maternels et accueil du jeune enfant",
      fournisseur: "caf62",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune" },
        { nom: "annee", type: "entier" },
        { nom: "am_actifs_annee", type: "entier" },
        { nom: "am_actifs_decembre", type: "entier" },
        { nom: "taux_activite", type: "taux", de: "am_actifs_annee" },
        { nom: "am_plus_55_ans", type: "entier" },
        { nom: "enfants_moins_3_ans", type: "entier" },
        { nom: "enfants_moins_3_ans_cmg", type: "entier" },
        { nom: "enfants_moins_6_ans_aeeh", type: "entier" },
        { nom: "taux_activite_femmes_enfant_moins_3_ans", type: "taux" },
      ],
      niveaux: ["commune", "epci", "zone"],
      zones: RPE,
      dateObservation: "31/12/N (BCA)",
      periodicite: "ponctuelle",
      millesimes: { de: 2017, a: 2021 },
    },
    {
      id: "naissances-scolarisation",
      titre: "Naissances et enfants de moins de 3 ans scolarisés (INSEE)",
      fournisseur: "caf62",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune" },
        { nom: "annee", type: "entier" },
        { nom: "naissances", type: "entier" },
        { nom: "scolarises_moins_3_ans", type: "entier" },
      ],
      niveaux: ["commune", "epci", "zone"],
      zones: RPE,
      dateObservation: "année N",
      periodicite: "ponctuelle",
      millesimes: { de: 2017, a: 2020 },
    },
    {
      id: "couverture",
      titre: "Taux de couverture global (Cnaf)",
      fournisseur: "caf62",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune" },
        { nom: "annee", type: "entier" },
        { nom: "taux_couverture", type: "taux" },
      ],
      niveaux: ["commune", "epci", "zone"],
      zones: RPE,
      dateObservation: "année N",
      periodicite: "ponctuelle",
      millesimes: { de: 2017, a: 2019 },
    },
  ],
  secret: {
    seuil: 5,
    zoneMinimum: 100,
    zoneUnite: "allocataires",
    niveauRepli: "commune",
    zerosSensibles: false,
  },
  mentionSource:
    "Source : CAF du Pas-de-Calais – BCA, données au {date_observation}, mise à jour le {date_mise_a_jour}",
  diffusion: { interneSeulement: true, accordPrealable: true, doubleLogo: true },
  obligations: { destructionFinEtude: true, copieEtude: true, analyseConjointe: false },
  signeeLe: "2022-04-11", // date de démonstration
  effetLe: "2022-04-11", // date de démonstration
  duree: { kind: "publication" },
  resiliation: {
    mode: "a_tout_moment",
    preavisMois: 0,
    preavisFauteMois: 0,
    fautePar: ["caf62"],
    ordinaire: false,
  },
  avenants: [],
};

export const ROUEN: Convention = {
  id: "rouen-caf-cadre",
  titre: "Convention cadre de partage de données – Ville de Rouen et CAF de Rouen",
  objet: "Socle annuel de données et données ciblées sur demande formelle (fiche FED).",
  parties: [
    {
      id: "caf76",
      nom: "CAF de Rouen",
      kind: "CAF",
      parts: ["fournisseur"],
      referents: [{ role: "responsable", nom: "Bureau d'études" }],
    },
    {
      id: "ville-rouen",
      nom: "Ville de Rouen",
      kind: "COMMUNE",
      parts: ["destinataire"],
      referents: [{ role: "responsable", nom: "Observatoire social" }],
    },
  ],
  jeux: [
    {
      id: "socle-caf",
      titre:
        "Socle annuel : population couverte, familles, prestations, minima sociaux, dépendance, bas revenus",
      fournisseur: "caf76",
      kind: "agrege",
      champs: [
        { nom: "territoire", type: "code_commune" },
        { nom: "allocataires", type: "entier" },
        { nom: "population_couverte", type: "entier" },
        { nom: "taux_couverture", type: "taux", de: "population_couverte" },
        { nom: "familles_monoparentales", type: "entier" },
        { nom: "familles_nombreuses", type: "entier" },
        { nom: "aides_logement", type: "entier" },
        { nom: "allocations_familiales", type: "entier" },
        { nom: "minima_sociaux", type: "entier" },
        { nom: "rsa", type: "entier", libelle: "allocataires du RSA" },
        { nom: "aah", type: "entier", libelle: "allocataires de l'AAH" },
        {
          nom: "dependance_50",
          type: "entier",
          libelle: "allocataires dont les prestations font au moins 50 % des ressources",
        },
        {
          nom: "dependance_100",
          type: "entier",
          libelle: "allocataires dont les prestations font 100 % des ressources",
        },
        { nom: "taux_dependance", type: "taux", de: "allocataires" },
        { nom: "bas_revenus", type: "entier" },
      ],
      niveaux: ["commune", "epci"],
      dateObservation: "31/12/N-1",
      periodicite: "annuelle",
    },
  ],
  secret: {
    seuil: 5,
    zoneMinimum: 100,
    zoneUnite: "allocataires",
    niveauRepli: "commune",
    zerosSensibles: false,
  },
  mentionSource: "Source : CAF de Rouen, données au {date_observation}, mise à jour le {date_mise_a_jour}",
  diffusion: { interneSeulement: false, accordPrealable: true, doubleLogo: false },
  obligations: { destructionFinEtude: false, copieEtude: true, analyseConjointe: true },
  signeeLe: "2019-01-01", // date de démonstration
  effetLe: "2019-01-01", // date de démonstration
  duree: { kind: "tacite", periodeMois: 12 },
  resiliation: { mode: "a_echeance", preavisMois: 3 },
  avenants: [],
};

export const REFERENCE_CONVENTIONS: readonly Convention[] = [AIX, DIJON, BETHUNE, ROUEN];
