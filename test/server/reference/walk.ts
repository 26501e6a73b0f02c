/**
 * What the end-to-end walks of the four reference conventions share: one
 * organisation per party and its own accounts (a référent, services where the
 * convention names some), a real server on a fixed date, and requests that
 * read text (exports, printable pages) as well as JSON.
 */
import type { Convention } from "../../../src/core/convention/model.js";
import { hashPassword } from "../../../src/server/passwords.js";
import { addMembership, createOrganisation, createUser } from "../../../src/store/accounts.js";
import { Client, startServer, type TestServer } from "../../helpers/server.js";

export const PASSWORD = "Parcours-Convention-2026";

export interface Walk {
  s: TestServer;
  /** party id → organisation id */
  orgs: Record<string, string>;
  /** `${party}` (the référent) or `${party}/${service}` or `${party}:analyste` → its signed-in client */
  as: Record<string, Client>;
}

/** Accounts to create besides each party's référent. */
export interface ExtraAccount {
  party: string;
  key: string;
  role: "admin" | "referent" | "analyste" | "lecteur";
  service?: string;
}

export async function startWalk(c: Convention, today: string, extra: ExtraAccount[] = []): Promise<Walk> {
  const s = await startServer("pglite", undefined, false, () => new Date(`${today}T09:00:00Z`));
  const hash = await hashPassword(PASSWORD);
  const orgs: Record<string, string> = {};
  const as: Record<string, Client> = {};
  const account = async (key: string, org: string, role: ExtraAccount["role"], service?: string) => {
    const email = `${key.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}@${c.id}.test`;
    const u = await createUser(s.db, { email, nom: key, passwordHash: hash });
    await addMembership(s.db, u, org, role, service);
    as[key] = new Client(s.url);
    const r = await as[key].login(email, PASSWORD);
    if (r.status !== 200) throw new Error(`connexion ${email} : ${r.status}`);
  };
  for (const p of c.parties) {
    // Demo mode seeds the reference conventions' organisations: these are the walk's own.
    orgs[p.id] = await createOrganisation(s.db, { nom: `${p.nom} (parcours)`, kind: "AUTRE" });
    // The référent works in the service the convention names first for its party, if any.
    await account(p.id, orgs[p.id]!, "referent", p.servicesAutorises?.[0]);
  }
  for (const e of extra) await account(e.key, orgs[e.party]!, e.role, e.service);
  return { s, orgs, as };
}

/** The reference convention under an id of its own (demo mode seeds the original). */
export const walked = (c: Convention): Convention => ({ ...c, id: `${c.id}-parcours` });

/** A request whose answer is text or bytes (exports, printable pages). */
export async function fetchAs(
  client: Client,
  path: string,
  init: { method?: string; body?: string | Uint8Array; type?: string } = {},
): Promise<{ status: number; text: string; bytes: Uint8Array; type: string | null }> {
  const res = await fetch(client.base + path, {
    method: init.method ?? "GET",
    headers: {
      cookie: client.cookie ?? "",
      ...(init.body !== undefined ? { "content-type": init.type ?? "application/octet-stream" } : {}),
    },
    ...(init.body !== undefined
      ? { body: typeof init.body === "string" ? init.body : Buffer.from(init.body) }
      : {}),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    text: new TextDecoder().decode(bytes),
    bytes,
    type: res.headers.get("content-type"),
  };
}

/** Deposits a CSV (« ; » separated) for a dataset and vintage; the JSON answer. */
export async function depositCsv(
  client: Client,
  jeuId: string,
  annee: number,
  rows: (string | number)[][],
  query = "",
): Promise<{ status: number; json: any }> {
  const r = await fetchAs(
    client,
    `/api/jeux/${jeuId}/depots?nomFichier=depot-${annee}.csv&annee=${annee}${query}`,
    {
      method: "POST",
      body: rows.map((row) => row.join(";")).join("\n"),
      type: "text/csv",
    },
  );
  return { status: r.status, json: r.text ? JSON.parse(r.text) : null };
}

/** The convention as the API takes it: what the organisation registering it signed. */
export function registration(c: Convention, orgs: Record<string, string>) {
  return { convention: c, organisations: orgs };
}
