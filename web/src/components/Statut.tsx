/** Status badges of conventions and FED requests. */
export function BadgeStatut({ statut, libelle }: { statut: string; libelle: string }) {
  return <span className={`badge badge-${statut}`}>{libelle}</span>;
}
