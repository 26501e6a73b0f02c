/**
 * The few error kinds of the domain. Each carries a stable `code` and a French
 * `message` fit for an end user; the HTTP layer maps kinds to status codes in
 * one place (server/errors.ts). Messages never contain raw identifiers or
 * addresses.
 */
export type ErrorKind =
  | "invalide"
  | "introuvable"
  | "interdit"
  | "non_authentifie"
  | "conflit"
  | "trop_de_requetes";

export class SocleError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: readonly string[];

  constructor(kind: ErrorKind, code: string, message: string, details: readonly string[] = []) {
    super(message);
    this.name = "SocleError";
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const invalide = (code: string, message: string, details: readonly string[] = []) =>
  new SocleError("invalide", code, message, details);
export const introuvable = (code: string, message: string) => new SocleError("introuvable", code, message);
export const interdit = (code: string, message: string) => new SocleError("interdit", code, message);
export const conflit = (code: string, message: string) => new SocleError("conflit", code, message);

export function isSocleError(e: unknown): e is SocleError {
  return e instanceof SocleError;
}
