/**
 * The address reference in the store: one compact index per département
 * (see geo/address-index), replaced atomically on re-import.
 */
import {
  type AddressIndex,
  deserialiseIndex,
  indexStats,
  mergeIndexes,
  serialiseIndex,
} from "../geo/address-index.js";
import type { Db, Queryable } from "./db.js";

export interface AddressReferenceInfo {
  departement: string;
  source: string;
  importedAt: string;
  adresses: number;
  voies: number;
  communes: number;
  sansIris: number;
}

/** Replaces the reference of every département given, in one transaction. */
export async function replaceAddressReference(
  db: Db,
  parts: readonly { departement: string; index: AddressIndex }[],
  source: string,
): Promise<void> {
  const blobs = parts.map((p) => ({ ...p, blob: serialiseIndex(p.index), stats: indexStats(p.index) }));
  await db.transaction(async (tx) => {
    for (const p of blobs) {
      await tx.query("DELETE FROM adresse_reference WHERE departement = $1", [p.departement]);
      await tx.query(
        `INSERT INTO adresse_reference (departement, source, adresses, voies, communes, sans_iris, index_data)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [p.departement, source, p.stats.adresses, p.stats.voies, p.stats.communes, p.stats.sansIris, p.blob],
      );
    }
  });
}

export async function listAddressReferences(q: Queryable): Promise<AddressReferenceInfo[]> {
  const rows = await q.query<{
    departement: string;
    source: string;
    imported_at: Date | string;
    adresses: number;
    voies: number;
    communes: number;
    sans_iris: number;
  }>(
    `SELECT departement, source, imported_at, adresses, voies, communes, sans_iris
     FROM adresse_reference ORDER BY departement`,
  );
  return rows.map((r) => ({
    departement: r.departement,
    source: r.source,
    importedAt: new Date(r.imported_at).toISOString(),
    adresses: r.adresses,
    voies: r.voies,
    communes: r.communes,
    sansIris: r.sans_iris,
  }));
}

/** The merged index of the départements asked (all when none), or null when none is loaded. */
export async function loadAddressIndex(
  q: Queryable,
  departements?: readonly string[],
): Promise<AddressIndex | null> {
  const rows = await q.query<{ index_data: Uint8Array }>(
    departements && departements.length > 0
      ? "SELECT index_data FROM adresse_reference WHERE departement = ANY($1::text[]) ORDER BY departement"
      : "SELECT index_data FROM adresse_reference ORDER BY departement",
    departements && departements.length > 0 ? [departements] : [],
  );
  if (rows.length === 0) return null;
  return mergeIndexes(rows.map((r) => deserialiseIndex(r.index_data)));
}

/** The serialised indexes as stored (for a geocoder in a worker thread). */
export async function loadAddressIndexBlobs(
  q: Queryable,
  departements?: readonly string[],
): Promise<Uint8Array[]> {
  const rows = await q.query<{ index_data: Uint8Array }>(
    departements && departements.length > 0
      ? "SELECT index_data FROM adresse_reference WHERE departement = ANY($1::text[]) ORDER BY departement"
      : "SELECT index_data FROM adresse_reference ORDER BY departement",
    departements && departements.length > 0 ? [departements] : [],
  );
  return rows.map((r) => new Uint8Array(r.index_data));
}
