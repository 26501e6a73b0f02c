/**
 * What the convention route files share: their dependencies, the resolvers
 * from a route's parameters to its convention, and the user's party.
 */

import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Principal } from "../../core/account/model.js";
import { isIsoDate } from "../../core/convention/dates.js";
import { releaseConventionId } from "../../release/publish.js";
import { listConventions, type StoredConvention } from "../../store/conventions.js";
import { getJeu } from "../../store/datasets.js";
import type { Db, Queryable } from "../../store/db.js";
import { getFedRequest } from "../../store/fed.js";
import type { FileArea } from "../../store/files.js";
import type { SecretStore } from "../../store/secrets.js";
import { readThrough } from "../read-cache.js";
import type { UploadLimits } from "../uploads.js";

export interface ConventionDeps {
  db: Db;
  files: FileArea;
  secrets: SecretStore;
  /** Private folder of uploads in transit (server/uploads.ts). */
  uploads: string;
  uploadLimits: UploadLimits;
  now: () => Date;
}

export const ConvId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: "Identifiant de convention invalide." });
export const DateIso = z.string().refine(isIsoDate, { message: "Date attendue (AAAA-MM-JJ)." });

/** Route parameters → the convention the route acts on. */
export const byConvention = async (p: { id: string }) => p.id;
export const byFed = async (p: { id: string }, q: Queryable) => (await getFedRequest(q, p.id)).conventionId;
export const byJeu = async (p: { id: string }, q: Queryable) => (await getJeu(q, p.id)).conventionId;
export const byRelease = (p: { id: string }, q: Queryable) => releaseConventionId(q, p.id);

export function userParty(
  acces: { parties: string[]; stored: StoredConvention },
  wanted: readonly string[],
): string {
  const c = acces.stored.convention;
  const p = acces.parties.find((id) =>
    c.parties.find((x) => x.id === id)?.parts.some((r) => wanted.includes(r)),
  );
  return p ?? acces.parties[0]!;
}

/**
 * The conventions in which one of the user's organisations is a party (every
 * convention for `everything`, the platform administrator's list), through
 * the read cache on a GET (read-cache.ts).
 */
export function conventionsOfUser(
  request: FastifyRequest,
  q: Queryable,
  principal: Principal,
  everything = false,
): Promise<StoredConvention[]> {
  const orgs = everything
    ? undefined
    : [...new Set(principal.memberships.map((m) => m.organisationId))].sort();
  return readThrough(request, `conventions:${orgs?.join(",") ?? "*"}`, () => listConventions(q, orgs));
}

/** Organisation names by id, through the read cache on a GET. */
export function orgNames(request: FastifyRequest, q: Queryable): Promise<Map<string, string>> {
  return readThrough(request, "organisations", () => orgNameMap(q));
}

export async function orgNameMap(q: Queryable): Promise<Map<string, string>> {
  const rows = await q.query<{ id: string; nom: string }>("SELECT id, nom FROM organisation");
  return new Map(rows.map((r) => [r.id, r.nom]));
}
