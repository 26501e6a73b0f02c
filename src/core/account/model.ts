/**
 * Organisations, users and their roles. Rights on data come from conventions
 * (a later capability); a role says what a member may do inside their own
 * organisation.
 */
import { z } from "zod";

export const ORGANISATION_KINDS = ["CCAS", "CAF", "CD", "EPCI", "BUREAU_ETUDES", "AUTRE"] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export const ORGANISATION_KIND_FR: Record<OrganisationKind, string> = {
  CCAS: "Centre communal d'action sociale",
  CAF: "Caisse d'allocations familiales",
  CD: "Conseil départemental",
  EPCI: "Intercommunalité (EPCI)",
  BUREAU_ETUDES: "Bureau d'études",
  AUTRE: "Autre organisme",
};

export const ROLES = ["admin", "referent", "analyste", "lecteur"] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_FR: Record<Role, string> = {
  admin: "Administrateur",
  referent: "Référent",
  analyste: "Analyste",
  lecteur: "Lecteur",
};

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Adresse électronique invalide." }));

export const PASSWORD_MIN = 12;

/** French reason a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN)
    return `Le mot de passe doit compter au moins ${PASSWORD_MIN} caractères.`;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 3)
    return "Le mot de passe doit mêler au moins trois types de caractères (minuscules, majuscules, chiffres, symboles).";
  return null;
}

export interface Membership {
  organisationId: string;
  organisationNom: string;
  organisationKind: OrganisationKind;
  role: Role;
  /** The member's service, where conventions restrict outputs to services. */
  service?: string;
}

export interface Principal {
  userId: string;
  email: string;
  nom: string;
  platformAdmin: boolean;
  memberships: Membership[];
}

/** True when the principal belongs to the organisation (any role) or administers the platform. */
export function canSeeOrganisation(p: Principal, organisationId: string): boolean {
  return p.platformAdmin || p.memberships.some((m) => m.organisationId === organisationId);
}

/** True when the principal may manage the organisation's shared objects (zones, members). */
export function canManageOrganisation(p: Principal, organisationId: string): boolean {
  return (
    p.platformAdmin ||
    p.memberships.some(
      (m) => m.organisationId === organisationId && (m.role === "admin" || m.role === "referent"),
    )
  );
}

/**
 * Login throttling. Failures count per (account, client address) so that an
 * attacker elsewhere cannot lock the owner out; per address, against one
 * address trying many accounts; and, more slowly, per account whatever the
 * address, against a spread-out guess of one password.
 */
export const LOGIN_LIMITS = {
  pair: { max: 5, minutes: 15 },
  address: { max: 20, minutes: 15 },
  account: { max: 50, minutes: 60 },
} as const;

export interface LoginFailures {
  /** This account from this address. */
  pair: number;
  /** Any account from this address. */
  address: number;
  /** This account from any address. */
  account: number;
}

/** Minutes to wait before the next attempt, or undefined when it may go ahead. */
export function loginWait(f: LoginFailures): number | undefined {
  if (f.account >= LOGIN_LIMITS.account.max) return LOGIN_LIMITS.account.minutes;
  if (f.pair >= LOGIN_LIMITS.pair.max) return LOGIN_LIMITS.pair.minutes;
  if (f.address >= LOGIN_LIMITS.address.max) return LOGIN_LIMITS.address.minutes;
  return undefined;
}
