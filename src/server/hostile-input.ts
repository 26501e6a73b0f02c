/**
 * What a client sends that the store or the handlers must never see: NUL
 * bytes (PostgreSQL refuses them in text, which used to surface as a 500),
 * malformed percent-encoding or invalid UTF-8 in the address, and JSON
 * bodies carrying them. Each becomes a 400 with a French message before
 * any route runs. Zod speaks French for every message it writes itself.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalide } from "../core/errors.js";

z.config(z.locales.fr());

const NUL_IN_URL = /%00/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodable(s: string): boolean {
  try {
    decodeURIComponent(s.replace(/\+/g, " "));
    return true;
  } catch {
    return false;
  }
}

export function installInputGuards(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const url = request.raw.url ?? "";
    if (NUL_IN_URL.test(url) || url.includes("\0"))
      throw invalide("octet_nul", "Requête invalide : l'adresse contient un octet nul.");
    // A lone « % », a truncated escape or bytes that are not UTF-8 once decoded.
    if (!decodable(url))
      throw invalide("adresse_invalide", "Requête invalide : adresse mal encodée (UTF-8 attendu).");
  });
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(invalide("utf8_invalide", "Corps de requête invalide : UTF-8 attendu."), undefined);
      return;
    }
    if (text.includes("\\u0000") || text.includes("\0")) {
      done(invalide("octet_nul", "Corps de requête invalide : une valeur contient un octet nul."), undefined);
      return;
    }
    json(request, text, done);
  });
}
