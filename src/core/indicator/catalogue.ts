/**
 * The indicator catalogue: what an ABS or an observatory reads every day,
 * each with its formula over the published cells of the reference
 * conventions' datasets (docs/indicators.md lists them with their sources).
 * Datasets are named by annex id: `socle-caf` (Rouen's CAF socle),
 * `assmat-caf`, `naissances-scolarisation`, `couverture` (Béthune's CAF
 * file), `apa`, `cs8`, `assmat`, `aides-financieres`, `ase` (Aix's
 * Conseil Départemental). Another convention whose annex uses the same ids
 * and columns feeds the same indicators.
 */
import type { Indicateur, Operande, TranchePopulation } from "./model.js";

const CAF_SOCLE = ["socle-caf"];
const col = (jeux: readonly string[], ...colonnes: string[]): Operande => ({
  kind: "colonnes",
  jeux,
  colonnes,
});
const pop = (tranche: TranchePopulation): Operande => ({ kind: "population", tranche });
const SOURCE_CAF = "CAF (socle annuel de données, allocataires au 31/12)";
const SOURCE_INSEE = "INSEE, recensement de la population (base infracommunale)";
const ALLOC = col(CAF_SOCLE, "allocataires");

/** Share of the CAF socle's allocataires. */
const partAllocataires = (
  id: string,
  libelle: string,
  colonne: string,
  theme: Indicateur["theme"],
  precautions: string[] = [],
): Indicateur => ({
  id,
  libelle,
  theme,
  formule: { numerateur: col(CAF_SOCLE, colonne), denominateur: ALLOC, facteur: 100 },
  formuleFr: `${colonne.replace(/_/g, " ")} / allocataires × 100`,
  unite: "%",
  source: SOURCE_CAF,
  precautions,
  niveaux: ["iris", "commune", "epci", "departement", "zone"],
});

const countOf = (
  id: string,
  libelle: string,
  operande: Operande,
  theme: Indicateur["theme"],
  source: string,
  precautions: string[] = [],
): Indicateur => ({
  id,
  libelle,
  theme,
  formule: { numerateur: operande, facteur: 1 },
  formuleFr: "effectif publié",
  unite: "nombre",
  source,
  precautions,
  niveaux: ["iris", "commune", "epci", "departement", "zone"],
});

const APA = ["apa"];
const girShare = (g: number): Indicateur => ({
  id: `apa_part_gir${g}`,
  libelle: `Part des bénéficiaires de l'APA à domicile en GIR ${g}`,
  theme: "Personnes âgées",
  formule: {
    numerateur: { kind: "effectif", jeux: APA, variable: "gir", modalites: [`GIR${g}`] },
    denominateur: { kind: "effectif", jeux: APA },
    facteur: 100,
  },
  formuleFr: `bénéficiaires de l'APA à domicile en GIR ${g} / bénéficiaires de l'APA à domicile × 100`,
  unite: "%",
  source: "Conseil Départemental, APA à domicile",
  precautions: ["Les bénéficiaires sans GIR renseigné comptent au dénominateur."],
  niveaux: ["iris", "commune", "departement", "zone"],
});

export const CATALOGUE: readonly Indicateur[] = [
  countOf("allocataires", "Allocataires CAF", ALLOC, "Population couverte", SOURCE_CAF),
  countOf(
    "population_couverte",
    "Population couverte par la CAF",
    col(CAF_SOCLE, "population_couverte"),
    "Population couverte",
    SOURCE_CAF,
    ["Allocataires, conjoints, enfants et autres personnes à charge."],
  ),
  {
    id: "taux_couverture",
    libelle: "Taux de couverture CAF",
    theme: "Population couverte",
    formule: { numerateur: col(CAF_SOCLE, "population_couverte"), denominateur: pop("total"), facteur: 100 },
    formuleFr: "population couverte / population INSEE × 100",
    unite: "%",
    source: `${SOURCE_CAF} ; ${SOURCE_INSEE}`,
    precautions: [
      "La population INSEE est celle du dernier millésime importé antérieur ou égal à celui des données CAF.",
      "Peut dépasser 100 % dans les territoires où la population a augmenté depuis le recensement.",
    ],
    niveaux: ["iris", "commune", "epci", "departement"],
  },
  {
    id: "taux_couverture_cnaf",
    libelle: "Taux de couverture global (Cnaf, publié par la CAF)",
    theme: "Population couverte",
    formule: {
      numerateur: { kind: "taux_publie", jeux: ["couverture"], colonne: "taux_couverture" },
      facteur: 1,
    },
    formuleFr: "taux publié par la CAF",
    unite: "%",
    source: "Cnaf, BCA",
    precautions: ["Taux calculé par la Cnaf sur sa propre population de référence."],
    niveaux: ["commune", "epci", "zone"],
  },
  partAllocataires(
    "part_familles_monoparentales",
    "Part des familles monoparentales parmi les allocataires",
    "familles_monoparentales",
    "Familles",
    ["Rapportée à l'ensemble des allocataires, non aux seules familles."],
  ),
  partAllocataires(
    "part_familles_nombreuses",
    "Part des familles nombreuses (3 enfants et plus) parmi les allocataires",
    "familles_nombreuses",
    "Familles",
    ["Rapportée à l'ensemble des allocataires, non aux seules familles."],
  ),
  partAllocataires(
    "part_bas_revenus",
    "Part des allocataires à bas revenus",
    "bas_revenus",
    "Revenus et dépendance",
    [
      "Seuil de bas revenus de la Cnaf (60 % du revenu médian par unité de consommation).",
      "La Cnaf rapporte aux allocataires de référence (hors étudiants et 65 ans et plus) : ici, à tous les allocataires du socle.",
    ],
  ),
  partAllocataires(
    "taux_dependance_50",
    "Allocataires dont les prestations représentent au moins 50 % des ressources",
    "dependance_50",
    "Revenus et dépendance",
  ),
  partAllocataires(
    "taux_dependance_100",
    "Allocataires dont les prestations représentent 100 % des ressources",
    "dependance_100",
    "Revenus et dépendance",
  ),
  countOf(
    "beneficiaires_rsa",
    "Allocataires du RSA",
    col(CAF_SOCLE, "rsa"),
    "Prestations et minima sociaux",
    SOURCE_CAF,
  ),
  countOf(
    "beneficiaires_aah",
    "Allocataires de l'AAH",
    col(CAF_SOCLE, "aah"),
    "Prestations et minima sociaux",
    SOURCE_CAF,
  ),
  countOf(
    "beneficiaires_aide_logement",
    "Allocataires d'une aide au logement",
    col(CAF_SOCLE, "aides_logement"),
    "Prestations et minima sociaux",
    SOURCE_CAF,
  ),
  countOf(
    "beneficiaires_minima_sociaux",
    "Allocataires d'un minimum social",
    col(CAF_SOCLE, "minima_sociaux"),
    "Prestations et minima sociaux",
    SOURCE_CAF,
  ),
  countOf(
    "enfants_cmg",
    "Enfants de moins de 3 ans bénéficiaires du CMG",
    col(["assmat-caf"], "enfants_moins_3_ans_cmg"),
    "Prestations et minima sociaux",
    "CAF, BCA",
  ),
  {
    id: "apa_domicile_pour_100_75_ans",
    libelle: "Bénéficiaires de l'APA à domicile pour 100 personnes de 75 ans et plus",
    theme: "Personnes âgées",
    formule: { numerateur: { kind: "effectif", jeux: APA }, denominateur: pop("75+"), facteur: 100 },
    formuleFr: "bénéficiaires de l'APA à domicile / population de 75 ans et plus × 100",
    unite: "pour 100",
    source: `Conseil Départemental, APA à domicile ; ${SOURCE_INSEE}`,
    precautions: ["L'APA est ouverte dès 60 ans : le rapport aux 75 ans et plus est un usage, non une part."],
    niveaux: ["iris", "commune", "departement", "zone"],
  },
  girShare(1),
  girShare(2),
  girShare(3),
  girShare(4),
  countOf(
    "naissances",
    "Naissances (certificats de santé du 8e jour)",
    { kind: "effectif", jeux: ["cs8"] },
    "Petite enfance",
    "Conseil Départemental, PMI, certificats du 8e jour",
  ),
  countOf(
    "naissances_insee",
    "Naissances (état civil INSEE)",
    col(["naissances-scolarisation"], "naissances"),
    "Petite enfance",
    "INSEE, état civil, transmis par la CAF",
  ),
  {
    id: "part_meres_moins_20_ans",
    libelle: "Part des naissances de mères de moins de 20 ans",
    theme: "Petite enfance",
    formule: {
      numerateur: { kind: "effectif", jeux: ["cs8"], variable: "age_mere", modalites: ["0-19"] },
      denominateur: { kind: "effectif", jeux: ["cs8"] },
      facteur: 100,
    },
    formuleFr: "naissances de mères de moins de 20 ans / naissances × 100",
    unite: "%",
    source: "Conseil Départemental, PMI, certificats du 8e jour",
    precautions: ["Les certificats sans âge de la mère comptent au dénominateur."],
    niveaux: ["iris", "commune", "departement", "zone"],
  },
  {
    id: "places_am_pour_100_moins_3_ans",
    libelle: "Places d'accueil chez les assistantes maternelles pour 100 enfants de moins de 3 ans",
    theme: "Petite enfance",
    formule: {
      numerateur: col(["assmat"], "places_moins_3_ans"),
      denominateur: pop("0-2"),
      facteur: 100,
    },
    formuleFr: "places accordées aux moins de 3 ans / enfants de moins de 3 ans (INSEE) × 100",
    unite: "pour 100",
    source: `Conseil Départemental, PMI, agréments ; ${SOURCE_INSEE}`,
    precautions: [
      "Demande une diffusion des sommes de places par territoire : les diffusions de fichiers individuels ne publient aujourd'hui que des effectifs.",
    ],
    niveaux: ["iris", "commune", "departement"],
  },
  {
    id: "taux_activite_am",
    libelle: "Taux d'activité des assistants maternels (actifs en décembre / actifs dans l'année)",
    theme: "Petite enfance",
    formule: {
      numerateur: col(["assmat-caf"], "am_actifs_decembre"),
      denominateur: col(["assmat-caf"], "am_actifs_annee"),
      facteur: 100,
    },
    formuleFr: "assistants maternels actifs en décembre / actifs au moins un mois dans l'année × 100",
    unite: "%",
    source: "CAF, BCA",
    precautions: [],
    niveaux: ["commune", "epci", "zone"],
  },
  {
    id: "part_am_plus_55_ans",
    libelle: "Part des assistants maternels de plus de 55 ans",
    theme: "Petite enfance",
    formule: {
      numerateur: col(["assmat-caf"], "am_plus_55_ans"),
      denominateur: col(["assmat-caf"], "am_actifs_annee"),
      facteur: 100,
    },
    formuleFr: "assistants maternels de plus de 55 ans / actifs dans l'année × 100",
    unite: "%",
    source: "CAF, BCA",
    precautions: [],
    niveaux: ["commune", "epci", "zone"],
  },
  {
    id: "fsl_pour_1000_menages",
    libelle: "Bénéficiaires du FSL pour 1 000 ménages",
    theme: "Aides financières",
    formule: {
      numerateur: col(["aides-financieres"], "beneficiaires_fsl"),
      denominateur: pop("menages"),
      facteur: 1000,
    },
    formuleFr: "bénéficiaires du FSL dans l'année / ménages (INSEE) × 1 000",
    unite: "pour 1 000",
    source: `Conseil Départemental, aides financières ; ${SOURCE_INSEE}`,
    precautions: [
      "Les ménages viennent d'un fichier base-ic qui les compte (logement ou ménages) : sans lui, manquant.",
    ],
    niveaux: ["commune", "departement"],
  },
  {
    id: "faj_pour_1000_menages",
    libelle: "Bénéficiaires du FAJ pour 1 000 ménages",
    theme: "Aides financières",
    formule: {
      numerateur: col(["aides-financieres"], "beneficiaires_faj"),
      denominateur: pop("menages"),
      facteur: 1000,
    },
    formuleFr: "bénéficiaires du FAJ dans l'année / ménages (INSEE) × 1 000",
    unite: "pour 1 000",
    source: `Conseil Départemental, aides financières ; ${SOURCE_INSEE}`,
    precautions: ["Le FAJ s'adresse aux 18–25 ans : le rapport aux ménages sert à comparer des territoires."],
    niveaux: ["commune", "departement"],
  },
  {
    id: "ase_pour_1000_moins_18_ans",
    libelle: "Enfants confiés à l'ASE pour 1 000 jeunes de moins de 18 ans",
    theme: "Enfance",
    formule: { numerateur: col(["ase"], "enfants_confies"), denominateur: pop("0-17"), facteur: 1000 },
    formuleFr: "enfants confiés à l'ASE au 31/12 / population de moins de 18 ans × 1 000",
    unite: "pour 1 000",
    source: `Conseil Départemental, Aide Sociale à l'Enfance ; ${SOURCE_INSEE}`,
    precautions: ["Le lieu est celui du domicile des parents à la mesure, non du lieu de placement."],
    niveaux: ["commune", "departement"],
  },
];

const BY_ID = new Map(CATALOGUE.map((i) => [i.id, i]));

export function indicatorById(id: string): Indicateur | undefined {
  return BY_ID.get(id);
}
