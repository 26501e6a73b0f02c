import {
  LOGIN_LIMITS,
  type LoginFailures,
  type Membership,
  type OrganisationKind,
  type Principal,
  type Role,
} from "../core/account/model.js";
import { type Db, one, type Queryable } from "./db.js";

export async function createOrganisation(
  q: Queryable,
  o: { nom: string; kind: OrganisationKind; demo?: boolean },
): Promise<string> {
  const r = await one<{ id: string }>(
    q,
    "INSERT INTO organisation (nom, kind, demo) VALUES ($1, $2, $3) RETURNING id",
    [o.nom, o.kind, o.demo ?? false],
  );
  return r!.id;
}

export async function findOrganisationByNom(q: Queryable, nom: string): Promise<{ id: string } | undefined> {
  return one(q, "SELECT id FROM organisation WHERE nom = $1", [nom]);
}

export async function createUser(
  q: Queryable,
  u: { email: string; nom: string; passwordHash: string; platformAdmin?: boolean; demo?: boolean },
): Promise<string> {
  const r = await one<{ id: string }>(
    q,
    `INSERT INTO app_user (email, nom, password_hash, platform_admin, demo) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [u.email, u.nom, u.passwordHash, u.platformAdmin ?? false, u.demo ?? false],
  );
  return r!.id;
}

export async function addMembership(
  q: Queryable,
  userId: string,
  organisationId: string,
  role: Role,
  service: string | null = null,
): Promise<void> {
  await q.query(
    `INSERT INTO membership (user_id, organisation_id, role, service) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = EXCLUDED.role, service = EXCLUDED.service`,
    [userId, organisationId, role, service],
  );
}

export async function findUserForLogin(
  q: Queryable,
  email: string,
): Promise<{ id: string; passwordHash: string } | undefined> {
  const r = await one<{ id: string; password_hash: string }>(
    q,
    "SELECT id, password_hash FROM app_user WHERE lower(email) = lower($1)",
    [email],
  );
  return r && { id: r.id, passwordHash: r.password_hash };
}

export async function loadPrincipal(q: Queryable, userId: string): Promise<Principal | undefined> {
  const u = await one<{ id: string; email: string; nom: string; platform_admin: boolean }>(
    q,
    "SELECT id, email, nom, platform_admin FROM app_user WHERE id = $1",
    [userId],
  );
  if (!u) return undefined;
  const ms = await q.query<{
    organisation_id: string;
    nom: string;
    kind: OrganisationKind;
    role: Role;
    service: string | null;
  }>(
    `SELECT m.organisation_id, o.nom, o.kind, m.role, m.service FROM membership m
     JOIN organisation o ON o.id = m.organisation_id WHERE m.user_id = $1 ORDER BY o.nom`,
    [userId],
  );
  const memberships: Membership[] = ms.map((m) => ({
    organisationId: m.organisation_id,
    organisationNom: m.nom,
    organisationKind: m.kind,
    role: m.role,
    ...(m.service ? { service: m.service } : {}),
  }));
  return { userId: u.id, email: u.email, nom: u.nom, platformAdmin: u.platform_admin, memberships };
}

/**
 * The principal of a live session in one query (user and memberships), as
 * every authenticated request needs it: a query costs a few milliseconds on
 * PGlite, whatever it does.
 */
export async function findSessionPrincipal(
  q: Queryable,
  tokenHash: string,
  now: Date,
): Promise<{ principal: Principal; expiresAt: Date } | undefined> {
  const r = await one<{
    expires_at: Date | string;
    id: string;
    email: string;
    nom: string;
    platform_admin: boolean;
    memberships: {
      organisation_id: string;
      nom: string;
      kind: OrganisationKind;
      role: Role;
      service: string | null;
    }[];
  }>(
    q,
    `SELECT s.expires_at, u.id, u.email, u.nom, u.platform_admin,
            COALESCE((SELECT json_agg(json_build_object('organisation_id', m.organisation_id, 'nom', o.nom,
                                       'kind', o.kind, 'role', m.role, 'service', m.service) ORDER BY o.nom)
                      FROM membership m JOIN organisation o ON o.id = m.organisation_id
                      WHERE m.user_id = u.id), '[]'::json) AS memberships
     FROM user_session s JOIN app_user u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > $2`,
    [tokenHash, now.toISOString()],
  );
  if (!r) return undefined;
  const principal: Principal = {
    userId: r.id,
    email: r.email,
    nom: r.nom,
    platformAdmin: r.platform_admin,
    memberships: r.memberships.map((m) => ({
      organisationId: m.organisation_id,
      organisationNom: m.nom,
      organisationKind: m.kind,
      role: m.role,
      ...(m.service ? { service: m.service } : {}),
    })),
  };
  return { principal, expiresAt: new Date(r.expires_at) };
}

export async function createSession(
  q: Queryable,
  tokenHash: string,
  userId: string,
  expiresAt: Date,
): Promise<void> {
  await q.query("INSERT INTO user_session (token_hash, user_id, expires_at) VALUES ($1, $2, $3)", [
    tokenHash,
    userId,
    expiresAt.toISOString(),
  ]);
}

export async function deleteSession(q: Queryable, tokenHash: string): Promise<void> {
  await q.query("DELETE FROM user_session WHERE token_hash = $1", [tokenHash]);
}

/**
 * Reserves a login attempt atomically: under advisory locks on the account
 * and on the address (always taken in that order), the recent failures are
 * counted and, unless `wait` refuses, the attempt is recorded as a failure at
 * once; `settleLoginAttempt` marks it a success afterwards. Concurrent
 * attempts therefore each see the ones before them.
 */
export async function reserveLoginAttempt(
  db: Db,
  emailKey: string,
  ip: string,
  now: Date,
  wait: (f: LoginFailures) => number | undefined,
): Promise<{ id: string } | { waitMinutes: number }> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(4244, hashtext($1))", [emailKey]);
    await tx.query("SELECT pg_advisory_xact_lock(4245, hashtext($1))", [ip]);
    const since = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
    const f = (await one<LoginFailures>(
      tx,
      `SELECT
         (SELECT count(*) FROM login_attempt WHERE email_key = $1 AND ip = $2 AND NOT success AND at > $3)::int AS pair,
         (SELECT count(*) FROM login_attempt WHERE ip = $2 AND NOT success AND at > $4)::int AS address,
         (SELECT count(*) FROM login_attempt WHERE email_key = $1 AND NOT success AND at > $5)::int AS account`,
      [
        emailKey,
        ip,
        since(LOGIN_LIMITS.pair.minutes),
        since(LOGIN_LIMITS.address.minutes),
        since(LOGIN_LIMITS.account.minutes),
      ],
    ))!;
    const w = wait(f);
    if (w !== undefined) return { waitMinutes: w };
    const r = await one<{ id: string }>(
      tx,
      "INSERT INTO login_attempt (email_key, ip, success, at) VALUES ($1, $2, false, $3) RETURNING id::text AS id",
      [emailKey, ip, now.toISOString()],
    );
    return { id: r!.id };
  });
}

export async function settleLoginAttempt(q: Queryable, id: string, success: boolean): Promise<void> {
  if (success) await q.query("UPDATE login_attempt SET success = true WHERE id = $1::bigint", [id]);
}

export async function listMembers(
  q: Queryable,
  organisationId: string,
): Promise<{ id: string; nom: string; email: string; role: Role }[]> {
  return q.query(
    `SELECT u.id, u.nom, u.email, m.role FROM membership m JOIN app_user u ON u.id = m.user_id
     WHERE m.organisation_id = $1 ORDER BY u.nom`,
    [organisationId],
  );
}

export async function listOrganisations(
  q: Queryable,
  ids: readonly string[] | "all",
): Promise<{ id: string; nom: string; kind: OrganisationKind; demo: boolean }[]> {
  if (ids === "all") return q.query("SELECT id, nom, kind, demo FROM organisation ORDER BY nom");
  return q.query("SELECT id, nom, kind, demo FROM organisation WHERE id = ANY($1::uuid[]) ORDER BY nom", [
    ids,
  ]);
}
