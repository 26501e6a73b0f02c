/**
 * FED (fiche d'expression des besoins): the data request a party sends to a
 * provider under a convention. Sheet 1 is the request; sheet 2 the
 * provider's answer, favorable or défavorable (a reason is then mandatory).
 * A favorable answer names the annexes (datasets) to collect. Pure: checks
 * return French problems, the printable form is plain HTML.
 */
import { formatDateFr, type IsoDate, isIsoDate } from "./dates.js";
import type { Convention, Dataset } from "./model.js";

export interface FedSheet1 {
  /** Party of the convention that asks (its organisation). */
  demandeur: string;
  /** Party asked for the data. */
  fournisseur: string;
  referent: { nom: string; fonction?: string; email?: string; telephone?: string };
  service: string;
  chefService: string;
  /** The study planned. */
  etude: string;
  indicateurs: string[];
  delaiSouhaite: IsoDate;
}

export interface FedSheet2 {
  avis: "favorable" | "defavorable";
  /** Mandatory when défavorable. */
  motif?: string;
  indicateursDisponibles: string[];
  delaiLivraison?: IsoDate;
  /** Annex ids of the convention the provider will deliver (favorable). */
  annexes: string[];
}

export type FedStatus = "en_attente" | "favorable" | "defavorable";

export const FED_STATUS_FR: Readonly<Record<FedStatus, string>> = {
  en_attente: "en attente de réponse",
  favorable: "avis favorable",
  defavorable: "avis défavorable",
};

export interface FedRequest {
  id: string;
  conventionId: string;
  statut: FedStatus;
  feuille1: FedSheet1;
  feuille2?: FedSheet2;
  demandeLe: string;
  reponduLe?: string;
}

const blank = (s: string | undefined) => s === undefined || s.trim() === "";

/** French problems of a request; empty when it can be sent. */
export function checkSheet1(c: Convention, s: FedSheet1): string[] {
  const p: string[] = [];
  const party = (id: string) => c.parties.find((x) => x.id === id);
  const demandeur = party(s.demandeur);
  const fournisseur = party(s.fournisseur);
  if (!demandeur) p.push("Organisation demandeuse : elle n'est pas partie à la convention.");
  if (!fournisseur) p.push("Fournisseur sollicité : il n'est pas partie à la convention.");
  else if (!fournisseur.parts.includes("fournisseur"))
    p.push(`« ${fournisseur.nom} » n'est pas fournisseur de données dans cette convention.`);
  if (blank(s.referent.nom)) p.push("Référent de la demande : nom requis.");
  if (blank(s.service)) p.push("Service demandeur requis.");
  if (blank(s.chefService)) p.push("Chef du service demandeur requis.");
  if (blank(s.etude)) p.push("Étude envisagée : description requise.");
  if (s.indicateurs.filter((i) => !blank(i)).length === 0) p.push("Au moins un indicateur demandé.");
  if (!isIsoDate(s.delaiSouhaite)) p.push("Délai souhaité : date attendue (AAAA-MM-JJ).");
  return p;
}

/** French problems of an answer; a défavorable answer without a reason is refused. */
export function checkSheet2(c: Convention, request: FedRequest, s: FedSheet2): string[] {
  const p: string[] = [];
  if (request.statut !== "en_attente")
    p.push(`Cette demande a déjà reçu une réponse (${FED_STATUS_FR[request.statut]}).`);
  if (s.avis === "defavorable") {
    if (blank(s.motif)) p.push("Un avis défavorable doit être motivé : motif requis.");
    return p;
  }
  if (s.indicateursDisponibles.filter((i) => !blank(i)).length === 0)
    p.push("Avis favorable : indiquer au moins un indicateur disponible.");
  if (s.delaiLivraison === undefined || !isIsoDate(s.delaiLivraison))
    p.push("Avis favorable : délai de livraison attendu (AAAA-MM-JJ).");
  const own = annexesOf(c, request.feuille1.fournisseur);
  if (s.annexes.length === 0)
    p.push("Avis favorable : choisir au moins une annexe (jeu de données) à livrer.");
  for (const a of s.annexes)
    if (!own.some((d) => d.id === a))
      p.push(`Annexe « ${a} » : ce n'est pas un jeu de données de ce fournisseur dans la convention.`);
  return p;
}

/** The annexes (datasets) a provider delivers under the convention. */
export function annexesOf(c: Convention, fournisseur: string): Dataset[] {
  return c.jeux.filter((j) => j.fournisseur === fournisseur);
}

/** The datasets a favorable answer creates, to be collected. */
export function datasetsToCollect(c: Convention, s: FedSheet2): Dataset[] {
  if (s.avis !== "favorable") return [];
  return c.jeux.filter((j) => s.annexes.includes(j.id));
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

const row = (label: string, value: string) => `<tr><th>${esc(label)}</th><td>${esc(value)}</td></tr>`;

/** Both sheets as the printable French form (a standalone HTML page). */
export function renderFedForm(c: Convention, r: FedRequest): string {
  const nom = (id: string) => c.parties.find((p) => p.id === id)?.nom ?? id;
  const s1 = r.feuille1;
  const ref = [s1.referent.nom, s1.referent.fonction, s1.referent.email, s1.referent.telephone]
    .filter((x) => !blank(x))
    .join(" — ");
  const s2 = r.feuille2;
  const sheet2 = s2
    ? `<table>
${row("Avis", s2.avis === "favorable" ? "Favorable" : "Défavorable")}
${s2.motif ? row("Motif", s2.motif) : ""}
${row("Indicateurs disponibles", s2.indicateursDisponibles.join(" ; ") || "—")}
${row("Délai de livraison", s2.delaiLivraison ? formatDateFr(s2.delaiLivraison) : "—")}
${row(
  "Jeux de données à livrer",
  datasetsToCollect(c, s2)
    .map((d) => d.titre)
    .join(" ; ") || "—",
)}
${row("Réponse du", r.reponduLe ? formatDateFr(r.reponduLe.slice(0, 10)) : "—")}
</table>`
    : `<p class="attente">En attente de la réponse de ${esc(nom(s1.fournisseur))}.</p>`;
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Fiche d'expression des besoins — ${esc(c.titre)}</title>
<style>body{font-family:Marianne,Arial,sans-serif;max-width:48rem;margin:2rem auto;color:#161616}
h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:2px solid #000091;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
th{width:35%;background:#f6f6f6}.signature{margin-top:3rem;display:flex;justify-content:space-between}
@media print{body{margin:0}}</style></head>
<body>
<h1>Fiche d'expression des besoins (FED)</h1>
<p>Convention : <strong>${esc(c.titre)}</strong></p>
<h2>Feuille 1 — Demande</h2>
<table>
${row("Organisme demandeur", nom(s1.demandeur))}
${row("Référent de la demande", ref)}
${row("Service demandeur", s1.service)}
${row("Chef de service", s1.chefService)}
${row("Étude envisagée", s1.etude)}
${row("Indicateurs demandés", s1.indicateurs.join(" ; "))}
${row("Délai souhaité", isIsoDate(s1.delaiSouhaite) ? formatDateFr(s1.delaiSouhaite) : s1.delaiSouhaite)}
${row("Organisme sollicité", nom(s1.fournisseur))}
${row("Demande du", formatDateFr(r.demandeLe.slice(0, 10)))}
</table>
<h2>Feuille 2 — Réponse du fournisseur</h2>
${sheet2}
<div class="signature"><span>Signature du demandeur :</span><span>Signature du fournisseur :</span></div>
</body></html>
`;
}
