/**
 * Territories a provider names instead of coding them (« Béthune », « CA
 * Béthune-Bruay Artois Lys Romane », « RPE Les Petits Pas », « Bouches-du-
 * Rhône »): names of communes (and former communes), EPCI, départements and
 * custom zones, folded (accents, case, hyphens, apostrophes, word order
 * kept), resolved only when unambiguous.
 */
import type { TerritoryRow } from "../core/release/aggregated.js";
import type { Queryable } from "./db.js";

export const foldName = (s: string) =>
  s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/\bSAINTE?\b/g, (m) => (m === "SAINTE" ? "STE" : "ST"))
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();

export type TerritoryResolver = (raw: string) => TerritoryRow | "ambigu" | null;

/** Loads the names once per deposit; zones are those of the given organisations. */
export async function territoryResolver(
  q: Queryable,
  organisations: readonly string[],
): Promise<TerritoryResolver> {
  const rows = await q.query<{ kind: TerritoryRow["kind"]; code: string; nom: string }>(
    `SELECT 'commune' AS kind, code, nom FROM commune WHERE kind = 'commune'
     UNION ALL SELECT 'commune', commune_code, nom FROM commune_deleguee
     UNION ALL SELECT 'epci', code, nom FROM epci
     UNION ALL SELECT 'departement', code, nom FROM departement
     UNION ALL SELECT 'zone', id::text, nom FROM zone WHERE organisation_id::text = ANY($1::text[])`,
    [organisations],
  );
  const byName = new Map<string, TerritoryRow[]>();
  for (const r of rows) {
    const k = foldName(r.nom);
    const list = byName.get(k) ?? [];
    if (!list.some((x) => x.kind === r.kind && "code" in x && x.code === r.code))
      list.push({ kind: r.kind, code: r.code } as TerritoryRow);
    byName.set(k, list);
  }
  return (raw) => {
    const list = byName.get(foldName(raw));
    if (!list || list.length === 0) return null;
    // A zone or an EPCI named like a commune: the provider's upper rows are named, communes coded.
    const uppers = list.filter((x) => x.kind !== "commune");
    if (list.length === 1) return list[0] as TerritoryRow;
    if (uppers.length === 1) return uppers[0] as TerritoryRow;
    return "ambigu";
  };
}
