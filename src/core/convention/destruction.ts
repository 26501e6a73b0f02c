/**
 * Proof of destruction. Before a dataset is destroyed, each object is listed
 * in a manifest by kind, key and content hash (never its content: the
 * manifest holds no pseudonym); the attestation gives what, when, by whom,
 * the counts and the manifest's hash, and has its own hash, recorded in the
 * audit chain. Pure.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/chain.js";

export type DestroyedKind = "microdonnee" | "tableau" | "depot" | "fichier" | "geocodage";

export const DESTROYED_KIND_FR: Readonly<Record<DestroyedKind, string>> = {
  microdonnee: "lignes de microdonnées",
  tableau: "tableaux dérivés",
  depot: "dépôts",
  fichier: "fichiers stockés",
  geocodage: "géocodages du protocole 1",
};

export interface ManifestEntry {
  kind: DestroyedKind;
  /** A key that names the object without revealing it (row number, file name, id). */
  cle: string;
  /** SHA-256 of the object's content. */
  empreinte: string;
  octets?: number;
}

export const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** The manifest as text, one object per line, in a fixed order: its hash does not depend on reading order. */
export function manifestText(entries: readonly ManifestEntry[]): string {
  return [...entries]
    .map((e) => `${e.kind}\t${e.cle}\t${e.empreinte}\t${e.octets ?? ""}`)
    .sort()
    .join("\n");
}

export interface Attestation {
  jeu: { id: string; titre: string; annexe: string };
  convention: { id: string; titre: string };
  detruitLe: string;
  par: { id: string; nom: string; organisation: string };
  comptes: Record<DestroyedKind, number>;
  octets: number;
  manifeste: { lignes: number; empreinte: string };
}

export function buildAttestation(
  base: Omit<Attestation, "comptes" | "octets" | "manifeste">,
  entries: readonly ManifestEntry[],
): Attestation {
  const comptes: Record<DestroyedKind, number> = {
    microdonnee: 0,
    tableau: 0,
    depot: 0,
    fichier: 0,
    geocodage: 0,
  };
  let octets = 0;
  for (const e of entries) {
    comptes[e.kind]++;
    octets += e.octets ?? 0;
  }
  return {
    ...base,
    comptes,
    octets,
    manifeste: { lignes: entries.length, empreinte: sha256(manifestText(entries)) },
  };
}

/** The attestation's own hash, as recorded in the audit log. */
export const attestationHash = (a: Attestation): string => sha256(canonicalJson(a));

/** The attestation in French, for the provider. */
export function attestationText(a: Attestation): string {
  const counts = (Object.keys(a.comptes) as DestroyedKind[])
    .map((k) => `${a.comptes[k]} ${DESTROYED_KIND_FR[k]}`)
    .join(", ");
  return [
    "ATTESTATION DE DESTRUCTION DE DONNÉES",
    `Convention : ${a.convention.titre}`,
    `Jeu de données : ${a.jeu.titre}`,
    `Détruit le : ${a.detruitLe}`,
    `Par : ${a.par.nom} (${a.par.organisation})`,
    `Objets détruits : ${counts} (${a.octets} octets de fichiers)`,
    `Empreinte SHA-256 du manifeste (${a.manifeste.lignes} lignes) : ${a.manifeste.empreinte}`,
    `Empreinte SHA-256 de l'attestation : ${attestationHash(a)}`,
  ].join("\n");
}
