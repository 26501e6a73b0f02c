/**
 * Rights derived from a convention, never from a global flag: what an
 * organisation may do under a convention on a date, given its parts in it.
 * Microdata only for the processor; protected outputs for every party;
 * deposits and exports only while the convention is in force; external
 * diffusion only after the provider's recorded approval; where the
 * convention restricts services (Dijon), only those services.
 */
import { isInForce, STATUS_FR, statusOn } from "./lifecycle.js";
import {
  type Convention,
  destroyingParties,
  type OutputKind,
  type Part,
  type Party,
  pendingAcceptances,
  processingParty,
  versionOn,
} from "./model.js";

export type Action =
  | "voir_convention"
  | "voir_microdonnees"
  | "voir_sorties_protegees"
  | "deposer"
  | "exporter"
  | "diffuser_externe"
  | "gerer_convention"
  | "accorder_diffusion"
  | "demander_donnees"
  | "repondre_fed"
  | "detruire"
  | "restituer"
  | "publier"
  | "accepter_convention";

export const ACTIONS: readonly Action[] = [
  "voir_convention",
  "voir_microdonnees",
  "voir_sorties_protegees",
  "deposer",
  "exporter",
  "diffuser_externe",
  "gerer_convention",
  "accorder_diffusion",
  "demander_donnees",
  "repondre_fed",
  "detruire",
  "restituer",
  "publier",
  "accepter_convention",
];

/** The role a member holds in its organisation (see core/account). */
export type MemberRole = "admin" | "referent" | "analyste" | "lecteur";

/** Actions that commit the organisation: only its administrators and referents. */
const COMMITTING: ReadonlySet<Action> = new Set([
  "gerer_convention",
  "accorder_diffusion",
  "repondre_fed",
  "detruire",
  "accepter_convention",
]);
/** Actions that produce or change data: not for members who only read. */
const WORKING: ReadonlySet<Action> = new Set([
  "deposer",
  "demander_donnees",
  "restituer",
  "exporter",
  "publier",
]);

export type Decision = { ok: true } | { ok: false; raison: string };

export interface RightsContext {
  /** The party ids of the organisation in this convention (empty for an outsider). */
  parties: readonly string[];
  on: string;
  /** The user's service, checked where the convention restricts services. */
  service?: string;
  /** The provider approved the external diffusion of this release (recorded per release). */
  accordDiffusion?: boolean;
  /** The kind of output asked for, where the convention restricts outputs per service (Dijon). */
  sortie?: OutputKind;
  /** The user's role in its organisation; when absent only the convention is considered. */
  role?: MemberRole;
}

const REFUS = (raison: string): Decision => ({ ok: false, raison });

/**
 * The services a party lets act, or null when it restricts none. An export
 * of a kind named in servicesParSortie goes to those services; an export of
 * no kind yet (the route's first check) to any service that may have one.
 */
function servicesFor(p: Party, action: Action, sortie: OutputKind | undefined): string[] | null {
  const general = p.servicesAutorises && p.servicesAutorises.length > 0 ? p.servicesAutorises : null;
  const perKind = p.servicesParSortie ?? {};
  if (action === "exporter" && sortie && perKind[sortie]) return perKind[sortie]!;
  if (action === "exporter" && !sortie) {
    const all = [...(general ?? []), ...Object.values(perKind).flat()];
    return all.length > 0 ? [...new Set(all)] : null;
  }
  return general;
}

export function decide(original: Convention, action: Action, ctx: RightsContext): Decision {
  // Rules read as amended by the avenants in effect on the date.
  const c = versionOn(original, ctx.on);
  const mine = c.parties.filter((p) => ctx.parties.includes(p.id));
  if (mine.length === 0) return REFUS("Votre organisation n'est pas partie à cette convention.");
  const parts = new Set<Part>(mine.flatMap((p) => p.parts));
  if (action === "voir_convention") return { ok: true };
  if (ctx.role && COMMITTING.has(action) && ctx.role !== "admin" && ctx.role !== "referent")
    return REFUS("Seuls les administrateurs et référents de l'organisation peuvent le faire.");
  if (ctx.role === "lecteur" && WORKING.has(action)) return REFUS("Un compte lecteur consulte seulement.");
  for (const p of mine) {
    const services = servicesFor(p, action, ctx.sortie);
    if (services && !(ctx.service && services.includes(ctx.service)))
      return REFUS(`Seuls les services ${services.map((s) => `« ${s} »`).join(" et ")} y ont accès.`);
  }
  const inForce = isInForce(c, ctx.on);
  const status = statusOn(c, ctx.on);
  const notInForce = () => REFUS(`La convention n'est pas en vigueur (${STATUS_FR[status]}).`);
  const ended = status === "resiliee" || status === "expiree" || status === "terminee_publication";
  const isEnded = () => REFUS(`La convention est terminée (${STATUS_FR[status]}).`);
  const draft = () =>
    REFUS(
      pendingAcceptances(c).length > 0
        ? "La convention est un brouillon : chaque partie doit d'abord l'accepter."
        : "La convention est un brouillon : elle n'est pas encore signée.",
    );
  switch (action) {
    case "voir_microdonnees":
      return parts.has("prestataire")
        ? { ok: true }
        : REFUS("Les microdonnées ne sont accessibles qu'au prestataire.");
    case "voir_sorties_protegees":
      return { ok: true };
    case "deposer":
      if (!parts.has("fournisseur") && !parts.has("prestataire"))
        return REFUS("Seul le fournisseur (ou le prestataire) dépose des données.");
      return inForce ? { ok: true } : notInForce();
    case "exporter":
      return inForce ? { ok: true } : notInForce();
    case "diffuser_externe":
      if (!inForce) return notInForce();
      // The provider diffuses its own data; anyone else needs its approval of that release.
      if (parts.has("fournisseur") || ctx.accordDiffusion) return { ok: true };
      if (c.diffusion.interneSeulement)
        return REFUS(
          "La convention limite l'usage des données à un usage interne : diffusion interdite sans l'accord du fournisseur pour cette diffusion.",
        );
      if (c.diffusion.accordPrealable)
        return REFUS("La diffusion externe demande l'accord préalable du fournisseur, non enregistré.");
      return { ok: true };
    case "gerer_convention":
      if (status === "brouillon") return draft();
      return ended ? isEnded() : { ok: true };
    case "accepter_convention": {
      const pending = pendingAcceptances(c);
      if (!mine.some((p) => pending.includes(p.id)))
        return REFUS("Votre organisation n'a pas (ou plus) d'acceptation à donner pour cette convention.");
      return { ok: true };
    }
    case "accorder_diffusion":
      if (!parts.has("fournisseur")) return REFUS("Seul le fournisseur des données accorde leur diffusion.");
      return inForce ? { ok: true } : notInForce();
    case "demander_donnees":
      if (!parts.has("destinataire") && !parts.has("prestataire"))
        return REFUS("Seul le destinataire (ou le prestataire) demande des données.");
      if (status === "brouillon") return draft();
      return ended ? isEnded() : { ok: true };
    case "repondre_fed":
      if (!parts.has("fournisseur")) return REFUS("Seul le fournisseur sollicité répond à une demande.");
      if (status === "brouillon") return draft();
      return ended ? isEnded() : { ok: true };
    case "detruire":
      // Destruction is always possible, and due at the end: never blocked by the status.
      return mine.some((p) => destroyingParties(c).includes(p.id))
        ? { ok: true }
        : REFUS(
            `Seule la partie que la convention oblige à détruire les données le fait : ${c.parties
              .filter((p) => destroyingParties(c).includes(p.id))
              .map((p) => p.nom)
              .join(", ")}.`,
          );
    case "publier":
      // Releasing is the work of the party that processes: the processor, else the recipient, or the one named.
      if (!mine.some((p) => p.id === processingParty(c))) {
        const who =
          c.parties.find((p) => p.id === processingParty(c))?.nom ?? "la partie chargée du traitement";
        return REFUS(`Seule la partie chargée du traitement (${who}) produit les diffusions.`);
      }
      return inForce ? { ok: true } : notInForce();
    case "restituer":
      if (!parts.has("destinataire") && !parts.has("prestataire"))
        return REFUS("Seul le destinataire (ou le prestataire) restitue l'étude.");
      return status === "brouillon" || status === "signee" ? notInForce() : { ok: true };
  }
}
