/**
 * The one place where errors become HTTP responses: a stable JSON shape with
 * a French message. Unknown errors become a generic 500 that reveals nothing.
 */
import type { FastifyError, FastifyInstance } from "fastify";
import { type ErrorKind, isSocleError } from "../core/errors.js";

const STATUS: Record<ErrorKind, number> = {
  invalide: 400,
  non_authentifie: 401,
  interdit: 403,
  introuvable: 404,
  conflit: 409,
  trop_de_requetes: 429,
};

export interface ErrorBody {
  erreur: { code: string; message: string; details?: readonly string[] };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    // An upload refused before (or while) its body was read: the client is
    // told to stop sending by closing the connection after the answer.
    if (request.routeOptions.config?.upload) reply.header("connection", "close");
    if (isSocleError(err)) {
      const body: ErrorBody = { erreur: { code: err.code, message: err.message } };
      if (err.details.length > 0) body.erreur.details = err.details;
      return reply.status(err.code === "trop_volumineux" ? 413 : STATUS[err.kind]).send(body);
    }
    const fe = err as FastifyError;
    // A unique constraint of the store: the same thing exists already.
    if ((err as { code?: unknown }).code === "23505")
      return reply
        .status(409)
        .send({ erreur: { code: "existe_deja", message: "Un élément portant ce nom existe déjà." } });
    if (fe.statusCode === 415)
      return reply.status(415).send({
        erreur: {
          code: "type_contenu",
          message: "Type de contenu non pris en charge ; attendu : application/json.",
        },
      });
    if (fe.statusCode === 400 && fe.code === "FST_ERR_CTP_INVALID_JSON_BODY")
      return reply
        .status(400)
        .send({ erreur: { code: "json_invalide", message: "Corps de requête JSON invalide." } });
    // A value the database refuses (bad encoding, out of range, malformed
    // literal): the client's input, never a server fault.
    const pgCode = (err as { code?: unknown }).code;
    if (typeof pgCode === "string" && /^22[0-9A-Z]{3}$/.test(pgCode))
      return reply.status(400).send({
        erreur: { code: "valeur_invalide", message: "Requête invalide : une valeur est mal formée." },
      });
    if (fe.statusCode === 413)
      return reply
        .status(413)
        .send({ erreur: { code: "trop_volumineux", message: "Requête trop volumineuse." } });
    // Any other refusal of the HTTP layer (bad header, bad URL, unsupported
    // method…) is the client's: a 4xx without the framework's English message.
    if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500)
      return reply
        .status(fe.statusCode)
        .send({ erreur: { code: "requete_invalide", message: "Requête invalide." } });
    request.log.error({ err }, "erreur interne");
    return reply
      .status(500)
      .send({ erreur: { code: "erreur_interne", message: "Erreur interne du serveur." } });
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/api/") || request.method !== "GET")
      return reply
        .status(404)
        .send({ erreur: { code: "route_introuvable", message: "Ressource introuvable." } });
    return reply.status(404).type("text/plain; charset=utf-8").send("Page introuvable.");
  });
}
