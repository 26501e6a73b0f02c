/**
 * A data-sharing convention as signed: parties and their part, referents,
 * purpose, annexes (datasets), secrecy rules, source mention, diffusion
 * rules, obligations, financing, dates, duration, notice, avenants. Pure
 * data plus the checks that refuse an incoherent convention in French.
 */
import { addMonths, type IsoDate, isIsoDate } from "./dates.js";

/** The part an organisation plays; rights derive from it (see rights). */
export type Part = "fournisseur" | "destinataire" | "prestataire" | "lecteur";

export const PART_FR: Readonly<Record<Part, string>> = {
  fournisseur: "fournisseur",
  destinataire: "destinataire",
  prestataire: "prestataire (traitement)",
  lecteur: "lecteur",
};

export interface Referent {
  role: "responsable" | "technique";
  nom: string;
  service?: string;
  telephone?: string;
  email?: string;
  /** First day this person holds the role (annex 2 is edited over time; the history keeps the previous ones). */
  depuis?: IsoDate;
}

export interface Party {
  /** Key of the party inside the convention (e.g. "cd13"). */
  id: string;
  nom: string;
  kind: "CCAS" | "CAF" | "CD" | "EPCI" | "COMMUNE" | "BUREAU_ETUDES" | "AUTRE";
  parts: Part[];
  /** Services allowed to see outputs, when the convention restricts it (Dijon). */
  servicesAutorises?: string[];
  /**
   * Services allowed per kind of output, overriding servicesAutorises for that
   * kind (Dijon: the map layer to two services, the yearly Excel table to the SIG).
   */
  servicesParSortie?: Partial<Record<OutputKind, string[]>>;
  referents: Referent[];
  /** Share of the financing, in euros, when the convention says so. */
  financement?: number;
}

/** Kinds of output a convention may restrict to named services: the map layer, the table. */
export type OutputKind = "carte" | "tableau";

export const OUTPUT_KIND_FR: Readonly<Record<OutputKind, string>> = {
  carte: "couche cartographique (GeoJSON, GeoPackage)",
  tableau: "tableau (Excel, CSV)",
};

export type FieldType =
  | "identifiant"
  | "adresse"
  | "texte"
  | "entier"
  | "decimal"
  | "date"
  | "sexe"
  | "gir"
  | "oui_non"
  | "code_commune"
  | "code_iris"
  | "montant"
  /** A rate, share or mean (decimal comma, %), published only where the count it describes is. */
  | "taux";

export interface DatasetField {
  nom: string;
  type: FieldType;
  libelle?: string;
  /** For a rate: the count column it describes (its numerator's population). */
  de?: string;
  /** A deposit refuses a row where this field is empty (identifiers and protocol-1 IRIS always are). */
  requis?: boolean;
}

export type GeoLevel = "iris" | "commune" | "epci" | "departement" | "zone";

export interface Dataset {
  id: string;
  titre: string;
  fournisseur: string;
  kind: "individuel" | "agrege";
  champs: DatasetField[];
  /**
   * How the count columns of an aggregated table add up: each entry is one
   * partition of a total (total = hommes + femmes; total = moins de 40 ans +
   * 40 ans et plus). Columns that add up are protected as one table.
   */
  sommes?: { total: string; parties: string[] }[];
  niveaux: GeoLevel[];
  /** Custom zones (e.g. the 6 RPE of Béthune-Bruay). */
  zones?: string[];
  /** « 31/12/N-1 » or « dernière date disponible », as written. */
  dateObservation: string;
  periodicite: "annuelle" | "ponctuelle";
  millesimes?: { de: number; a: number };
  protocole?: 1 | 2;
  /** The source of this dataset when it is not the convention's (Béthune's births: « Source : Insee »). */
  mentionSource?: string;
  /** « annexe »: collected every vintage from the convention itself; « ciblee »: defined by a favorable FED. */
  origine?: "annexe" | "ciblee";
}

export interface SecrecyRule {
  seuil: number;
  zoneMinimum?: number;
  zoneUnite?: "habitants" | "allocataires";
  /** Where a blanked value is given instead (Béthune: the commune). */
  niveauRepli?: GeoLevel;
  zerosSensibles: boolean;
}

export type Duration =
  /** Renewed by tacit agreement every `periodeMois` months from the effective date. */
  | { kind: "tacite"; periodeMois: number }
  /** Fixed expiry: the last day in force. */
  | { kind: "echeance"; fin: IsoDate }
  /** Ends when the study is published. */
  | { kind: "publication" };

export interface Termination {
  /** « a_tout_moment »: ends N months after the notice; « a_echeance »: notice before a renewal. */
  mode: "a_tout_moment" | "a_echeance";
  preavisMois: number;
  /** Notice for a breach (0 = immediate); absent when a breach gives no special right. */
  preavisFauteMois?: number;
  /** Parties allowed to terminate for a breach (Béthune: the CAF only); all when absent. */
  fautePar?: string[];
  /** False when no ordinary termination is provided (Béthune: only for a breach). */
  ordinaire?: boolean;
}

/** What an avenant changes, from its effective date on. */
export type AvenantChanges = Partial<
  Pick<
    Convention,
    | "objet"
    | "jeux"
    | "secret"
    | "mentionSource"
    | "diffusion"
    | "obligations"
    | "duree"
    | "resiliation"
    | "traitement"
    | "financement"
  >
> & {
  /** Services per output kind, per party id (a party's restriction changed by avenant). */
  servicesParSortie?: Record<string, Partial<Record<OutputKind, string[]>>>;
};

export interface Avenant {
  numero: number;
  objet: string;
  signeLe: IsoDate;
  effetLe: IsoDate;
  modifications?: AvenantChanges;
}

export interface Notice {
  donneLe: IsoDate;
  par: string;
  motif: "ordinaire" | "faute";
}

export interface Acceptation {
  partie: string;
  /** Absent while the party has not accepted. */
  accepteeLe?: IsoDate;
  /** The user who accepted for the party. */
  par?: string;
}

/** Parties that still have to accept the convention. */
export const pendingAcceptances = (c: Convention): string[] =>
  (c.acceptations ?? []).filter((a) => !a.accepteeLe).map((a) => a.partie);

/** The party that releases protected outputs: the named one, else the processor, else the recipient. */
export function processingParty(c: Convention): string | undefined {
  return (
    c.traitement ??
    c.parties.find((p) => p.parts.includes("prestataire"))?.id ??
    c.parties.find((p) => p.parts.includes("destinataire"))?.id
  );
}

/** Parties that destroy the data: those the convention binds (Béthune: the recipient), else the processor and the provider. */
export function destroyingParties(c: Convention): string[] {
  if (c.obligations.destructionPar && c.obligations.destructionPar.length > 0)
    return c.obligations.destructionPar;
  return c.parties
    .filter((p) => p.parts.includes("prestataire") || p.parts.includes("fournisseur"))
    .map((p) => p.id);
}

/** The providers' names, for the internal-use stamp: « CAF du Pas-de-Calais ». */
const providerNames = (c: Convention): string =>
  c.parties
    .filter((p) => p.parts.includes("fournisseur"))
    .map((p) => p.nom)
    .join(" et ");

/**
 * The stamp every export of an internal-use convention carries, null otherwise.
 * Example: « Usage interne – diffusion interdite sans accord de CAF du Pas-de-Calais ».
 */
export function internalUseStamp(c: Convention): string | null {
  return c.diffusion.interneSeulement
    ? `Usage interne – diffusion interdite sans accord de ${providerNames(c)}`
    : null;
}

/** Both parties' names where the convention asks for the double sigle (Béthune), null otherwise. */
export function doubleSigle(c: Convention): string | null {
  if (!c.diffusion.doubleLogo) return null;
  return c.parties
    .filter((p) => !p.parts.every((x) => x === "lecteur"))
    .map((p) => p.nom)
    .join(" × ");
}

/**
 * The mention an export of a release carries: its source, then the double
 * sigle and the internal-use stamp where the convention asks for them.
 * Example (Béthune): « Source : CAF du Pas-de-Calais – BCA … — Étude CAF du
 * Pas-de-Calais × Communauté d'agglomération … — Usage interne – diffusion
 * interdite sans accord de CAF du Pas-de-Calais ».
 */
export function exportMention(c: Convention, releaseMention: string): string {
  const sigle = doubleSigle(c);
  return [releaseMention, sigle ? `Étude ${sigle}` : null, internalUseStamp(c)]
    .filter((x): x is string => x !== null)
    .join(" — ");
}

/** The source mention template of a dataset: its own, else the convention's. */
export const datasetSourceMention = (c: Convention, datasetId: string): string =>
  c.jeux.find((j) => j.id === datasetId)?.mentionSource ?? c.mentionSource;

/** The convention as it reads on `on`: the original with the avenants in effect, in order. */
export function versionOn(c: Convention, on: IsoDate): Convention {
  const inEffect = c.avenants.filter((a) => a.modifications && a.effetLe <= on);
  if (inEffect.length === 0) return c;
  const v: Convention = { ...c };
  for (const a of [...inEffect].sort((x, y) => x.numero - y.numero)) {
    const { servicesParSortie, ...rest } = a.modifications ?? {};
    Object.assign(v, rest);
    if (servicesParSortie)
      v.parties = v.parties.map((p) => {
        const s = servicesParSortie[p.id];
        if (!s) return p;
        const { servicesParSortie: _, ...party } = p;
        return Object.keys(s).length > 0 ? { ...party, servicesParSortie: s } : party;
      });
  }
  return v;
}

export interface Convention {
  id: string;
  titre: string;
  objet: string;
  parties: Party[];
  jeux: Dataset[];
  secret: SecrecyRule;
  mentionSource: string;
  diffusion: {
    interneSeulement: boolean;
    /** External diffusion needs the provider's prior approval. */
    accordPrealable: boolean;
    doubleLogo: boolean;
  };
  obligations: {
    destructionFinEtude: boolean;
    copieEtude: boolean;
    analyseConjointe: boolean;
    /** Results presented to the providers in a session every year (Aix). */
    seanceAnnuelle?: boolean;
    /** Parties bound to destroy (Béthune: the recipient); by default the processor and the provider. */
    destructionPar?: string[];
    /** Whether protected releases are kept after destruction (default) or go with the data. */
    diffusionsConservees?: boolean;
  };
  /**
   * The party that processes the data and releases protected outputs; by
   * default the processor, else the recipient (Béthune, Rouen have no processor).
   */
  traitement?: string;
  /**
   * Parties whose référent must accept a convention registered by another
   * organisation; the convention stays « brouillon » until each has accepted.
   */
  acceptations?: Acceptation[];
  /** Financing as agreed, with the date it is to be reviewed (Dijon: for 2010). */
  financement?: { objet: string; revueLe?: IsoDate };
  signeeLe?: IsoDate;
  /** First day in force (« une fois exécutoire »). */
  effetLe?: IsoDate;
  duree: Duration;
  resiliation: Termination;
  avenants: Avenant[];
  /** Events recorded on the convention. */
  preavis?: Notice;
  /** A notice replaced by a shorter one for a breach. */
  preavisRemplace?: Notice;
  publieeLe?: IsoDate;
  remplace?: string;
}

const COUNT_TYPES: ReadonlySet<FieldType> = new Set(["entier", "decimal", "montant"]);

/**
 * French problems of one annex's fields and of how its columns add up, each
 * naming the field. Example: « Annexe « Aides légales », somme « ash_total » :
 * le champ « ash_autres » n'est pas un champ de l'annexe. »
 */
export function annexProblems(j: Dataset): string[] {
  const p: string[] = [];
  const a = `Annexe « ${j.titre} »`;
  if (j.champs.length === 0) {
    p.push(
      `${a} : aucun champ décrit (nom, type) : chaque fichier serait accepté et aucune diffusion possible.`,
    );
    return p;
  }
  const byName = new Map<string, DatasetField>();
  for (const f of j.champs) {
    // Rows and mappings are keyed by field name: a name every object already has would be read
    // as that inherited member.
    if (f.nom in Object.prototype)
      p.push(`${a} : le nom de champ « ${f.nom} » est réservé, choisissez-en un autre.`);
    if (byName.has(f.nom)) p.push(`${a} : le champ « ${f.nom} » est décrit deux fois.`);
    byName.set(f.nom, f);
  }
  for (const f of j.champs)
    if (f.de !== undefined && !byName.has(f.de))
      p.push(
        `${a}, champ « ${f.nom} » : l'effectif « ${f.de} » qu'il décrit n'est pas un champ de l'annexe.`,
      );
  for (const s of j.sommes ?? []) {
    const w = `${a}, somme « ${s.total} »`;
    for (const n of [s.total, ...s.parties]) {
      const f = byName.get(n);
      if (!f) p.push(`${w} : le champ « ${n} » n'est pas un champ de l'annexe.`);
      else if (!COUNT_TYPES.has(f.type))
        p.push(`${w} : le champ « ${n} » n'est pas un effectif ou un montant (${f.type}).`);
    }
    if (s.parties.includes(s.total)) p.push(`${w} : le total figure parmi ses propres parties.`);
    if (new Set(s.parties).size !== s.parties.length) p.push(`${w} : une partie est comptée deux fois.`);
    if (s.parties.length < 2) p.push(`${w} : au moins deux colonnes s'additionnent en un total.`);
  }
  return p;
}

/** French problems of a convention; empty when it is coherent. */
export function checkConvention(c: Convention): string[] {
  const p: string[] = [];
  const ids = new Set(c.parties.map((x) => x.id));
  if (c.titre.trim() === "") p.push("Titre de la convention vide.");
  if (c.parties.length < 2) p.push("Une convention lie au moins deux parties.");
  if (!c.parties.some((x) => x.parts.includes("fournisseur")))
    p.push("Aucune partie n'est fournisseur des données.");
  for (const d of [c.signeeLe, c.effetLe])
    if (d !== undefined && !isIsoDate(d)) p.push(`Date invalide : « ${d} » (attendu AAAA-MM-JJ).`);
  if (c.signeeLe && c.effetLe && c.effetLe < c.signeeLe)
    p.push("La date d'effet précède la date de signature.");
  if (c.duree.kind === "echeance") {
    if (!isIsoDate(c.duree.fin)) p.push(`Date d'échéance invalide : « ${c.duree.fin} ».`);
    else if (c.effetLe && c.duree.fin < c.effetLe) p.push("La date de fin précède la date d'effet.");
  }
  if (c.duree.kind === "tacite") {
    if (!Number.isInteger(c.duree.periodeMois) || c.duree.periodeMois < 1)
      p.push("Durée de la période : nombre entier de mois ≥ 1 attendu.");
    else if (c.resiliation.preavisMois >= c.duree.periodeMois)
      p.push(
        `Le préavis (${c.resiliation.preavisMois} mois) est plus long que la durée de la convention (${c.duree.periodeMois} mois).`,
      );
  }
  if (
    c.duree.kind === "echeance" &&
    c.effetLe &&
    isIsoDate(c.duree.fin) &&
    addMonths(c.effetLe, c.resiliation.preavisMois) > c.duree.fin
  )
    p.push(`Le préavis (${c.resiliation.preavisMois} mois) est plus long que la durée de la convention.`);
  if (c.resiliation.preavisMois < 0 || (c.resiliation.preavisFauteMois ?? 0) < 0) p.push("Préavis négatif.");
  for (const j of c.jeux)
    if (!ids.has(j.fournisseur))
      p.push(`Jeu de données « ${j.titre} » : fournisseur « ${j.fournisseur} » inconnu parmi les parties.`);
  for (const j of c.jeux) p.push(...annexProblems(j));
  if (c.traitement && !ids.has(c.traitement))
    p.push(`Partie chargée du traitement inconnue : « ${c.traitement} ».`);
  for (const d of c.obligations.destructionPar ?? [])
    if (!ids.has(d)) p.push(`Destruction : partie « ${d} » inconnue.`);
  for (const a of c.acceptations ?? [])
    if (!ids.has(a.partie)) p.push(`Acceptation attendue d'une partie inconnue : « ${a.partie} ».`);
  if (c.financement?.revueLe !== undefined && !isIsoDate(c.financement.revueLe))
    p.push(`Date de révision du financement invalide : « ${c.financement.revueLe} ».`);
  for (const f of c.resiliation.fautePar ?? [])
    if (!ids.has(f)) p.push(`Résiliation pour faute : partie « ${f} » inconnue.`);
  if (c.preavis && !ids.has(c.preavis.par))
    p.push(`Préavis donné par une partie inconnue : « ${c.preavis.par} ».`);
  if (!Number.isInteger(c.secret.seuil) || c.secret.seuil < 1)
    p.push("Seuil du secret : entier ≥ 1 attendu.");
  for (const a of c.avenants) {
    if (c.signeeLe && a.signeLe < c.signeeLe) p.push(`Avenant n° ${a.numero} signé avant la convention.`);
    if (a.effetLe < a.signeLe) p.push(`Avenant n° ${a.numero} : la date d'effet précède la signature.`);
    if (a.modifications) {
      for (const id of Object.keys(a.modifications.servicesParSortie ?? {}))
        if (!ids.has(id)) p.push(`Avenant n° ${a.numero} : services d'une partie inconnue : « ${id} ».`);
      const v = { ...versionOn(c, a.effetLe), avenants: [] };
      for (const problem of checkConvention(v)) p.push(`Avenant n° ${a.numero} : ${problem}`);
    }
  }
  return p;
}
