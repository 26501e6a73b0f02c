/**
 * A value in a table: the figure when it is published, « s » for a secret
 * one (as in every export), « — » when there is none. A secret value is
 * never a figure, and its abbreviation is spelt out for screen readers.
 */
export function ValeurCellule({
  valeur,
  statut,
  texte,
}: {
  valeur: number | null;
  statut: string;
  texte: (n: number) => string;
}) {
  if (statut === "secret") return <abbr title="secret statistique">s</abbr>;
  return <>{valeur !== null ? texte(valeur) : "—"}</>;
}
