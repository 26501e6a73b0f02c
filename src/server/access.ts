/**
 * Rights on data under a convention, for a signed-in user: which parties its
 * organisations play, with which role and service, and the decision of
 * core/convention/rights on today's date. The only way a convention-scoped
 * route reaches its handler.
 */
import type { Principal, Role } from "../core/account/model.js";
import type { IsoDate } from "../core/convention/dates.js";
import { type Convention, versionOn } from "../core/convention/model.js";
import { type Action, decide } from "../core/convention/rights.js";
import { interdit, introuvable, isSocleError } from "../core/errors.js";
import { getConvention, type StoredConvention } from "../store/conventions.js";
import type { Queryable } from "../store/db.js";

export interface ConventionAccess {
  stored: StoredConvention;
  /** Party ids the user's organisations hold in the convention. */
  parties: string[];
  role: Role | undefined;
  service: string | undefined;
  on: IsoDate;
  /** The convention as amended by the avenants in effect on `on`: what deposits, FED answers and releases read. */
  enVigueur: Convention;
}

const RANK: Record<Role, number> = { admin: 4, referent: 3, analyste: 2, lecteur: 1 };

/** The parties, best role and service of a user in a convention. */
export function partiesOf(
  principal: Principal,
  stored: StoredConvention,
): { parties: string[]; role: Role | undefined; service: string | undefined } {
  const parties: string[] = [];
  let role: Role | undefined;
  let service: string | undefined;
  for (const [partie, org] of Object.entries(stored.organisations)) {
    const m = principal.memberships.find((x) => x.organisationId === org);
    if (!m) continue;
    parties.push(partie);
    if (!role || RANK[m.role] > RANK[role]) role = m.role;
    service ??= m.service;
  }
  return { parties: parties.sort(), role, service };
}

/**
 * The one answer for an object of a convention that does not exist and for
 * one of a convention the user is no party to: nothing tells them apart.
 */
export const hidden = () =>
  introuvable(
    "introuvable",
    "Introuvable : cet élément n'existe pas, ou votre organisation n'est pas partie à sa convention.",
  );

/** Runs a lookup, turning its « not found » into the same answer as a refusal to an outsider. */
export async function orHidden<T>(lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (e) {
    if (isSocleError(e) && e.kind === "introuvable") throw hidden();
    throw e;
  }
}

export async function checkAccess(
  q: Queryable,
  principal: Principal,
  conventionId: string,
  action: Action,
  on: IsoDate,
  /** How to read the convention (the server's read cache on a GET). */
  load: (id: string) => Promise<StoredConvention> = (id) => getConvention(q, id),
): Promise<ConventionAccess> {
  const stored = await orHidden(load(conventionId));
  const { parties, role, service } = partiesOf(principal, stored);
  // The platform administrator sees what conventions exist, never their data;
  // to anyone else a convention they are no party to does not exist.
  if (parties.length === 0 && principal.platformAdmin && action === "voir_convention")
    return {
      stored,
      parties,
      role: undefined,
      service: undefined,
      on,
      enVigueur: versionOn(stored.convention, on),
    };
  if (parties.length === 0 && !principal.platformAdmin) throw hidden();
  const d = decide(stored.convention, action, {
    parties,
    on,
    ...(role ? { role } : {}),
    ...(service ? { service } : {}),
  });
  if (!d.ok) throw interdit("droit_convention", d.raison);
  return { stored, parties, role, service, on, enVigueur: versionOn(stored.convention, on) };
}

/** A second decision inside a route, once what is asked is known (the kind of output, the approval of a release). */
export function checkAgain(
  acces: ConventionAccess,
  action: Action,
  extra: { sortie?: "carte" | "tableau"; accordDiffusion?: boolean },
): void {
  const d = decide(acces.stored.convention, action, {
    parties: acces.parties,
    on: acces.on,
    ...(acces.role ? { role: acces.role } : {}),
    ...(acces.service ? { service: acces.service } : {}),
    ...extra,
  });
  if (!d.ok) throw interdit("droit_convention", d.raison);
}
