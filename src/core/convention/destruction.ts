/**
 * Proof of destruction. Before a dataset is destroyed, each object is listed
 * in a manifest by kind, key and content hash (never its content: the
 * manifest holds no pseudonym); the attestation gives what, when, by whom,
 * the counts and the manifest's hash, and has its own hash, recorded in the
 * audit chain. Pure.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/chain.js";
import { formatDateFr, isoDateInParis } from "./dates.js";

export type DestroyedKind =
  | "microdonnee"
  | "tableau"
  | "depot"
  | "fichier"
  | "geocodage"
  | "diffusion"
  | "message_anomalie";

export const DESTROYED_KIND_FR: Readonly<Record<DestroyedKind, string>> = {
  microdonnee: "lignes de microdonnées",
  tableau: "tableaux dérivés",
  depot: "dépôts",
  fichier: "fichiers stockés",
  geocodage: "géocodages du protocole 1",
  diffusion: "diffusions protégées",
  message_anomalie: "messages d'anomalie effacés",
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
  /** The protected releases of the dataset and what became of them, as the convention says. */
  diffusions?: { id: string; annee: number; diffuseLe: string; sort: "conservee" | "detruite" }[];
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
    diffusion: 0,
    message_anomalie: 0,
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
/** « 12/05/2023 à 14 h 05 », French time. */
export function instantFr(iso: string): string {
  const at = new Date(iso);
  const hm = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  })
    .format(at)
    .replace(":", " h ");
  return `${formatDateFr(isoDateInParis(at))} à ${hm}`;
}

const RELEASE_FATE_FR = { conservee: "conservée (sortie protégée)", detruite: "détruite avec les données" };

/** The lines of the attestation, in French: the body of the text, the page and the PDF. */
export function attestationLines(a: Attestation): string[] {
  const counts = (Object.keys(a.comptes) as DestroyedKind[])
    .map((k) => `${a.comptes[k]} ${DESTROYED_KIND_FR[k]}`)
    .join(", ");
  const releases = a.diffusions ?? [];
  return [
    `Convention : ${a.convention.titre}`,
    `Jeu de données : ${a.jeu.titre}`,
    `Détruit le : ${instantFr(a.detruitLe)}`,
    `Par : ${a.par.nom} (${a.par.organisation})`,
    `Objets détruits : ${counts} (${a.octets} octets de fichiers)`,
    releases.length === 0 ? "Diffusions protégées : aucune" : `Diffusions protégées (${releases.length}) :`,
    ...releases.map(
      (d) => `  – millésime ${d.annee}, diffusée le ${instantFr(d.diffuseLe)} : ${RELEASE_FATE_FR[d.sort]}`,
    ),
    `Empreinte SHA-256 du manifeste (${a.manifeste.lignes} lignes) : ${a.manifeste.empreinte}`,
    `Empreinte SHA-256 de l'attestation : ${attestationHash(a)}`,
  ];
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

/** The attestation as a printable page (A4, French dates, a signature block per party). */
export function attestationHtml(a: Attestation, signataires: readonly string[]): string {
  const lines = attestationLines(a)
    .map((l) => `<li>${escapeHtml(l.trim())}</li>`)
    .join("\n");
  const blocks = signataires
    .map(
      (o) =>
        `<div class="signature"><p><strong>Pour ${escapeHtml(o)}</strong></p><p>Nom, fonction :</p><p>Date :</p><p>Signature :</p></div>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Attestation de destruction – ${escapeHtml(a.jeu.titre)}</title>
<style>
@page { size: A4; margin: 2cm; }
body { font-family: system-ui, sans-serif; color: #1b1b1b; max-width: 48rem; margin: 2rem auto; line-height: 1.5; }
h1 { font-size: 1.4rem; } ul { list-style: none; padding: 0; } li { margin: .3rem 0; overflow-wrap: anywhere; }
.signatures { display: flex; gap: 2rem; margin-top: 3rem; flex-wrap: wrap; }
.signature { flex: 1; min-width: 14rem; border: 1px solid #666; padding: 1rem; min-height: 9rem; }
</style></head>
<body><h1>Attestation de destruction de données</h1>
<ul>
${lines}
</ul>
<section class="signatures" aria-label="Signatures">
${blocks}
</section>
</body></html>
`;
}

export function attestationText(a: Attestation): string {
  return ["ATTESTATION DE DESTRUCTION DE DONNÉES", ...attestationLines(a)].join("\n");
}
