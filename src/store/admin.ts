/**
 * What the administration pages read: every user with its memberships, and
 * the audit log filtered by user, action and date (newest first).
 */
import type { Role } from "../core/account/model.js";
import type { Queryable } from "./db.js";

export interface UserRow {
  id: string;
  email: string;
  nom: string;
  administrateurPlateforme: boolean;
  demo: boolean;
  organisations: { id: string; nom: string; role: Role; service: string | null }[];
}

/** Users of the given organisations (all users for "all"), with their memberships in them. */
export async function listUsers(q: Queryable, orgs: readonly string[] | "all"): Promise<UserRow[]> {
  const rows = await q.query<{
    id: string;
    email: string;
    nom: string;
    platform_admin: boolean;
    demo: boolean;
    org_id: string | null;
    org_nom: string | null;
    role: Role | null;
    service: string | null;
  }>(
    `SELECT u.id, u.email, u.nom, u.platform_admin, u.demo, o.id AS org_id, o.nom AS org_nom, m.role, m.service
     FROM app_user u
     LEFT JOIN membership m ON m.user_id = u.id
     LEFT JOIN organisation o ON o.id = m.organisation_id
     WHERE $1::boolean OR m.organisation_id = ANY($2::uuid[])
     ORDER BY u.nom, u.email, o.nom`,
    [orgs === "all", orgs === "all" ? [] : orgs],
  );
  const byId = new Map<string, UserRow>();
  for (const r of rows) {
    const u =
      byId.get(r.id) ??
      byId
        .set(r.id, {
          id: r.id,
          email: r.email,
          nom: r.nom,
          administrateurPlateforme: r.platform_admin,
          demo: r.demo,
          organisations: [],
        })
        .get(r.id)!;
    if (r.org_id && r.org_nom && r.role && (orgs === "all" || orgs.includes(r.org_id)))
      u.organisations.push({ id: r.org_id, nom: r.org_nom, role: r.role, service: r.service });
  }
  return [...byId.values()];
}

export interface AuditFilter {
  utilisateur?: string;
  action?: string;
  du?: string;
  au?: string;
  limite: number;
}

export interface AuditRow {
  seq: number;
  at: string;
  utilisateur: { id: string; nom: string; email: string } | null;
  action: string;
  cible: string | null;
  detail: Record<string, unknown>;
}

/** Audit entries, newest first; `du`/`au` are days (inclusive) in UTC. */
export async function listAudit(q: Queryable, f: AuditFilter): Promise<AuditRow[]> {
  const rows = await q.query<{
    seq: string | number;
    at: Date | string;
    actor_id: string | null;
    nom: string | null;
    email: string | null;
    action: string;
    target: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT a.seq, a.at, a.actor_id, u.nom, u.email, a.action, a.target, a.detail
     FROM audit_log a LEFT JOIN app_user u ON u.id = a.actor_id
     WHERE ($1::uuid IS NULL OR a.actor_id = $1::uuid)
       AND ($2::text IS NULL OR a.action = $2 OR a.target LIKE '%' || $2 || '%')
       AND ($3::date IS NULL OR a.at >= $3::date)
       AND ($4::date IS NULL OR a.at < $4::date + 1)
     ORDER BY a.seq DESC LIMIT $5`,
    [f.utilisateur ?? null, f.action ?? null, f.du ?? null, f.au ?? null, f.limite],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    utilisateur: r.actor_id ? { id: r.actor_id, nom: r.nom ?? "", email: r.email ?? "" } : null,
    action: r.action,
    cible: r.target,
    detail: r.detail,
  }));
}

/** The distinct actions of the log, for the filter's list. */
export async function auditActions(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ action: string }>("SELECT DISTINCT action FROM audit_log ORDER BY action");
  return rows.map((r) => r.action);
}
