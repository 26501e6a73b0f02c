/**
 * Anomalies: a party that received data (a deposit it processes, a release
 * it reads) reports an error to the provider of those data; the provider
 * answers, the reporter may follow up, either side closes. The provider's
 * answer may lead to a corrected deposit (deposit mode « correction »).
 *
 * A thread is a closed lifecycle: ouverte → repondue ↔ ouverte → close.
 * Each refusal is one named error with its French message.
 */
import { conflit, interdit, invalide } from "../errors.js";
import type { Convention } from "./model.js";

export type AnomalieStatut = "ouverte" | "repondue" | "close";

export const ANOMALIE_STATUT_FR: Readonly<Record<AnomalieStatut, string>> = {
  ouverte: "ouverte",
  repondue: "répondue",
  close: "close",
};

/** What an anomaly is about: a deposit of a dataset, or a release. */
export type CibleAnomalie = { type: "depot" | "diffusion"; id: string };

export interface AnomalieFacts {
  statut: AnomalieStatut;
  /** The party that reported it. */
  signalePar: string;
  /** The provider it is addressed to. */
  fournisseur: string;
}

/** Line numbers one message may quote. */
export const MAX_LIGNES = 1_000;

/**
 * Who may report an anomaly on the data of an annex: any party of the
 * convention other than the data's provider itself — the recipient, the
 * processor, a reader of the releases. Returns the reporting party.
 *
 * @example reporter(DIJON, ["grand-dijon"], "ccas-dijon") // "grand-dijon"
 */
export function reporter(c: Convention, myParties: readonly string[], fournisseur: string): string {
  const mine = c.parties.filter((p) => myParties.includes(p.id));
  if (mine.length === 0)
    throw interdit("anomalie_non_partie", "Votre organisation n'est pas partie à cette convention.");
  const other = mine.find((p) => p.id !== fournisseur);
  if (!other)
    throw interdit(
      "anomalie_propre_fournisseur",
      "Le fournisseur des données ne se signale pas d'anomalie à lui-même : il dépose une correction.",
    );
  return other.id;
}

/** The provider of an annex's data (the party that answers its anomalies). */
export function providerOf(c: Convention, annexe: string): string {
  const j = c.jeux.find((x) => x.id === annexe);
  const f = j?.fournisseur ?? c.parties.find((p) => p.parts.includes("fournisseur"))?.id;
  if (!f) throw invalide("anomalie_sans_fournisseur", "Ces données n'ont pas de fournisseur désigné.");
  return f;
}

/**
 * Line numbers quoted in a report: positive, within the deposit when its
 * size is known, sorted once. Lines are the file's, as every deposit message
 * names them: the header is line 1, so `depotLignes` data rows end at line
 * `depotLignes + 1`.
 */
export function checkLines(lines: readonly number[] | undefined, depotLignes: number | null): number[] {
  if (!lines || lines.length === 0) return [];
  if (lines.length > MAX_LIGNES)
    throw invalide("anomalie_trop_de_lignes", `Au plus ${MAX_LIGNES} numéros de ligne par message.`);
  const bad = lines.filter(
    (n) => !Number.isInteger(n) || n < 1 || (depotLignes !== null && n > depotLignes + 1),
  );
  if (bad.length > 0)
    throw invalide(
      "anomalie_ligne_hors_fichier",
      depotLignes === null
        ? `Numéro de ligne invalide : ${bad.slice(0, 5).join(", ")}.`
        : `Ligne(s) hors du fichier (${depotLignes} lignes de données, lignes 2 à ${depotLignes + 1}) : ${bad.slice(0, 5).join(", ")}.`,
    );
  return [...new Set(lines)].sort((a, b) => a - b);
}

export type Side = "signalant" | "fournisseur";

/** The side the user speaks for in a thread; an outsider to the thread may read but not write. */
export function sideOf(a: AnomalieFacts, myParties: readonly string[]): Side | null {
  if (myParties.includes(a.fournisseur)) return "fournisseur";
  if (myParties.includes(a.signalePar)) return "signalant";
  return null;
}

/**
 * The status after a message: the provider's answer makes it « répondue »,
 * a follow-up of the reporter opens it again. A closed thread takes no message.
 */
export function afterMessage(a: AnomalieFacts, myParties: readonly string[]): AnomalieStatut {
  if (a.statut === "close")
    throw conflit("anomalie_close", "Cette anomalie est close : elle ne reçoit plus de message.");
  const side = sideOf(a, myParties);
  if (!side)
    throw interdit(
      "anomalie_hors_echange",
      "Seuls la partie qui a signalé l'anomalie et le fournisseur des données y écrivent.",
    );
  return side === "fournisseur" ? "repondue" : "ouverte";
}

/** Closing: either side of the thread, once. */
export function close(a: AnomalieFacts, myParties: readonly string[]): AnomalieStatut {
  if (a.statut === "close") throw conflit("anomalie_deja_close", "Cette anomalie est déjà close.");
  if (!sideOf(a, myParties))
    throw interdit(
      "anomalie_hors_echange",
      "Seuls la partie qui a signalé l'anomalie et le fournisseur des données y écrivent.",
    );
  return "close";
}
