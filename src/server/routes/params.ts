/** Route parameters shared by the route files: identifiers, file names, a deposit's column options. */
import { z } from "zod";
import { readStatedDate } from "../../core/release/observation.js";

export const Uuid = z.uuid({ message: "Identifiant invalide." });
export const FileName = z.string().trim().min(1, { message: "Nom du fichier requis." }).max(255);

/** JSON: field (or `adresse.<part>`) → column name, as the user composed it. */
export const Correspondance = z
  .string()
  .max(20_000)
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      const o = JSON.parse(v) as unknown;
      if (o && typeof o === "object" && Object.values(o).every((x) => typeof x === "string"))
        return o as Record<string, string>;
    } catch {}
    ctx.addIssue({ code: "custom", message: "Correspondance attendue : objet JSON champ → nom de colonne." });
    return z.NEVER;
  });
/** Comma-separated annex fields declared absent from this deposit. */
export const Absents = z
  .string()
  .max(5_000)
  .regex(/^[a-z0-9_,]*$/, { message: "Champs absents attendus : noms de champs séparés par des virgules." })
  .optional()
  .transform((v) => (v === undefined ? undefined : v.split(",").filter((x) => x !== "")));
/** A date the provider states (« 30/06/2025 » or « 2025-06-30 »), read as ISO. */
export const DateDeclaree = (what: string) =>
  z
    .string()
    .max(20)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      const d = readStatedDate(v);
      if (d) return d;
      ctx.addIssue({ code: "custom", message: `${what} : date JJ/MM/AAAA attendue.` });
      return z.NEVER;
    });
