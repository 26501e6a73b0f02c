#!/usr/bin/env node
/**
 * The `socle` command. Wires configuration, store and services together;
 * holds no domain rule.
 */
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config.js";
import {
  EmailSchema,
  ORGANISATION_KINDS,
  type OrganisationKind,
  passwordProblem,
  ROLES,
  type Role,
} from "../core/account/model.js";
import { CHAIN_PROBLEM_FR } from "../core/audit/chain.js";
import { isSocleError } from "../core/errors.js";
import { importIrisFile } from "../geo/iris-import.js";
import { importPopulationFile } from "../ingest/population.js";
import { hashPassword } from "../server/passwords.js";
import { addMembership, createOrganisation, createUser, findOrganisationByNom } from "../store/accounts.js";
import { appendAudit, verifyAudit } from "../store/audit.js";
import { ensureCog } from "../store/cog-etalab.js";
import type { Db } from "../store/db.js";
import { DEMO_ACCOUNTS, DEMO_PARTY_ACCOUNTS, DEMO_PASSWORD, seedDemo } from "../store/demo.js";
import { settleStagedExports } from "../store/file-recovery.js";
import { openStore } from "../store/open.js";
import { auditHistoryCommand } from "./audit-history.js";
import { deposit, release } from "./deposit.js";
import { geo, geocode } from "./geo.js";
import { secret } from "./secret.js";

// Every file Socle writes (database, stored files, exports, reports) is
// readable by its own user only.
process.umask(0o077);

const USAGE = `Usage : socle <commande> [options]

Commandes :
  serve [--demo] [--port N] [--data DOSSIER]     démarre Socle (http://localhost:3000)
  territories load-cog                          charge le Code officiel géographique
  territories import-iris FICHIER…              importe des contours IRIS (Shapefile, GeoPackage, GeoJSON)
  territories import-population FICHIER         importe les populations INSEE par IRIS (base-ic)
  organisations create --nom NOM --type TYPE    crée une organisation (${ORGANISATION_KINDS.join(", ")})
  users create --email E --nom NOM [--organisation NOM --role ROLE [--service SERVICE]] [--admin]
                                                crée un compte ; mot de passe lu sur l'entrée standard
  audit verify                                  vérifie la chaîne d'empreintes du journal d'audit
  geo import-ban FICHIER…                       importe la BAN (adresses-XX.csv[.gz]) et place chaque adresse dans son IRIS
  geo list                                      liste les référentiels d'adresses chargés
  geo synthetic --out DOSSIER [--adresses N] [--lignes N]
                                                génère un département fictif (BAN, IRIS) et un fichier partenaire bruité
  geocode FICHIER --id-col COL --address-cols C1,C2… --out SORTIE.csv [--rejects R.csv] [--departements 76,69]
                                                géocode un fichier (CSV ou XLSX) : identifiant + IRIS, jamais l'adresse
  deposit --convention ID --dataset ANNEXE [--annee AAAA] [--mode correction|complement] [--colonnes champ=colonne,…]
          [--absents champ,…] [--rapport FICHIER] FICHIER
                                                dépose un fichier individuel : pseudonymisé, géocodé, l'adresse oubliée
  release --convention ID --dataset ANNEXE --annee AAAA --par EMAIL [--out DOSSIER]
                                                produit une diffusion protégée (secret, audit) et ses exports
  secret protect --cells F --hierarchy H… --threshold K [--protect-zeros] [--method auto|fast|optimal]
                 [--standard full|exact] [--value COL] [--primary-col COL] --out MOTIF.csv
                                                pose le secret primaire et secondaire, puis l'audit
  secret audit --cells F --hierarchy H… --pattern MOTIF.csv [--threshold K] [--standard full|exact]
                                                attaque un motif de secret et dit s'il protège
  secret audit-history --convention ID --dataset ANNEXE [--annee AAAA]
                                                attaque tout ce qui a été publié d'un jeu (toutes diffusions, versions)

Variables : SOCLE_PORT, SOCLE_HOST, SOCLE_DATA_DIR, SOCLE_DATABASE_URL, SOCLE_DEMO, SOCLE_SESSION_HOURS,
            SOCLE_TRUST_PROXY, SOCLE_LOG_LEVEL`;

class UsageError extends Error {}

async function withStore<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openStore(config);
  try {
    await ensureCog(db);
    // Exports a killed `socle release --out` left staged (store/file-recovery.ts).
    await settleStagedExports(db, { root: path.join(config.dataDir, "fichiers") });
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** First line of standard input (a pipe or a terminal), so scripts can pass the password without argv. */
async function readSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return "";
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      demo: { type: "boolean" },
      port: { type: "string" },
      data: { type: "string" },
      host: { type: "string" },
    },
  });
  const base = loadConfig();
  const config: Config = {
    ...base,
    demo: values.demo ?? base.demo,
    port: values.port !== undefined ? Number(values.port) : base.port,
    host: values.host ?? base.host,
    dataDir: values.data ? loadConfig({ ...process.env, SOCLE_DATA_DIR: values.data }).dataDir : base.dataDir,
  };
  const started = Date.now();
  say(`Socle : ouverture de la base ${config.databaseUrl ? "PostgreSQL" : `embarquée (${config.dataDir})`}…`);
  const db = await openStore(config);
  const cog = await ensureCog(db);
  say(`Référentiel géographique : ${cog}`);
  if (config.demo) {
    const { created } = await seedDemo(db, hashPassword);
    if (created) {
      const { seedDemoAddresses, seedDemoRelease } = await import("../release/demo.js");
      await seedDemoAddresses(db);
      await seedDemoRelease(db);
    }
    say(
      created
        ? "Mode démonstration : territoire fictif, comptes, conventions et une diffusion de démonstration créés."
        : "Mode démonstration.",
    );
    say(`  Comptes : ${DEMO_ACCOUNTS.map((a) => a.email).join(", ")} — mot de passe « ${DEMO_PASSWORD} »`);
    say(`  Parties des conventions de référence : ${DEMO_PARTY_ACCOUNTS.map((a) => a.email).join(", ")}`);
  }
  const { buildServer } = await import("../server/app.js");
  const app = await buildServer({ db, config, filesDir: path.join(config.dataDir, "fichiers") });
  const address = await app.listen({ port: config.port, host: config.host });
  say(
    `Socle est prêt sur ${address.replace("127.0.0.1", "localhost").replace("[::1]", "localhost")} (${Date.now() - started} ms)`,
  );
  const stop = async () => {
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function territories(sub: string | undefined, args: string[]): Promise<void> {
  const config = loadConfig();
  if (sub === "load-cog") {
    await withStore(config, async () => say("Code officiel géographique chargé."));
    return;
  }
  if (sub === "import-iris") {
    if (args.length === 0) throw new UsageError("Indiquez au moins un fichier de contours IRIS.");
    await withStore(config, async (db) => {
      for (const file of args) {
        say(`Import des contours IRIS : ${file}…`);
        const r = await importIrisFile(db, file);
        await appendAudit(db, {
          actorId: null,
          action: "territoires.import_iris",
          target: file,
          detail: { ...r },
        });
        say(`  ${r.iris} IRIS dans ${r.communes} commune(s) (${r.crs}) ; ${r.replaced} IRIS remplacés.`);
      }
    });
    return;
  }
  if (sub === "import-population") {
    if (args.length !== 1) throw new UsageError("Indiquez un fichier de population (base-ic INSEE).");
    await withStore(config, async (db) => {
      const r = await importPopulationFile(db, args[0]!);
      await appendAudit(db, {
        actorId: null,
        action: "territoires.import_population",
        target: args[0]!,
        detail: { ...r },
      });
      say(
        `Populations ${r.annee} importées pour ${r.iris} IRIS${r.denominateurs ? ` (avec ${r.denominateurs.join(", ")})` : ""}.`,
      );
    });
    return;
  }
  throw new UsageError(`Sous-commande inconnue : territories ${sub ?? ""}`);
}

async function organisations(sub: string | undefined, args: string[]): Promise<void> {
  if (sub !== "create") throw new UsageError(`Sous-commande inconnue : organisations ${sub ?? ""}`);
  const { values } = parseArgs({ args, options: { nom: { type: "string" }, type: { type: "string" } } });
  if (!values.nom) throw new UsageError("--nom est requis.");
  const kind = (values.type ?? "AUTRE").toUpperCase();
  if (!ORGANISATION_KINDS.includes(kind as OrganisationKind))
    throw new UsageError(
      `Type d'organisation inconnu : ${kind} ; attendu : ${ORGANISATION_KINDS.join(", ")}.`,
    );
  await withStore(loadConfig(), async (db) => {
    const id = await createOrganisation(db, { nom: values.nom!, kind: kind as OrganisationKind });
    await appendAudit(db, { actorId: null, action: "organisations.creation", target: id });
    say(`Organisation créée : ${values.nom} (${id})`);
  });
}

async function users(sub: string | undefined, args: string[]): Promise<void> {
  if (sub !== "create") throw new UsageError(`Sous-commande inconnue : users ${sub ?? ""}`);
  const { values } = parseArgs({
    args,
    options: {
      email: { type: "string" },
      nom: { type: "string" },
      organisation: { type: "string" },
      role: { type: "string" },
      service: { type: "string" },
      admin: { type: "boolean" },
    },
  });
  const email = EmailSchema.safeParse(values.email ?? "");
  if (!email.success) throw new UsageError("--email : adresse électronique invalide.");
  if (!values.nom) throw new UsageError("--nom est requis.");
  const role = values.role ?? (values.organisation ? "lecteur" : undefined);
  if (role && !ROLES.includes(role as Role))
    throw new UsageError(`Rôle inconnu : ${role} ; attendu : ${ROLES.join(", ")}.`);
  const password = await readSecret("Mot de passe : ");
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);
  await withStore(loadConfig(), async (db) => {
    const org = values.organisation ? await findOrganisationByNom(db, values.organisation) : undefined;
    if (values.organisation && !org) throw new UsageError(`Organisation inconnue : ${values.organisation}`);
    const passwordHash = await hashPassword(password);
    const id = await db.transaction(async (tx) => {
      const uid = await createUser(tx, {
        email: email.data,
        nom: values.nom!,
        passwordHash,
        platformAdmin: values.admin ?? false,
      });
      if (org && role) await addMembership(tx, uid, org.id, role as Role, values.service?.trim() || null);
      return uid;
    });
    await appendAudit(db, {
      actorId: null,
      action: "comptes.creation",
      target: id,
      detail: { role: role ?? null },
    });
    say(`Compte créé : ${email.data}`);
  });
}

async function audit(sub: string | undefined): Promise<void> {
  if (sub !== "verify") throw new UsageError(`Sous-commande inconnue : audit ${sub ?? ""}`);
  const result = await withStore(loadConfig(), (db) =>
    verifyAudit(db, (n) => process.stderr.isTTY && process.stderr.write(`\rVérification… ${n} entrées`)),
  );
  if (process.stderr.isTTY) process.stderr.write("\n");
  if (result.ok) {
    say(`Journal d'audit intègre : ${result.entries} entrées vérifiées.`);
    return;
  }
  process.stderr.write(`Journal d'audit ALTÉRÉ (${result.entries} entrées lues) :\n`);
  for (const p of result.problems) process.stderr.write(`  - ${CHAIN_PROBLEM_FR(p)}\n`);
  process.exitCode = 1;
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, sub, ...rest] = argv;
  try {
    if (cmd === "serve") return await serve(argv.slice(1));
    if (cmd === "territories") return await territories(sub, rest);
    if (cmd === "organisations") return await organisations(sub, rest);
    if (cmd === "users") return await users(sub, rest);
    if (cmd === "audit") return await audit(sub);
    if (cmd === "secret" && sub === "audit-history")
      return await auditHistoryCommand(rest, (fn) => withStore(loadConfig(), fn));
    if (cmd === "secret") return await secret(sub, rest);
    if (cmd === "geo") return await geo(sub, rest, (fn) => withStore(loadConfig(), fn));
    if (cmd === "geocode") return await geocode(argv.slice(1), (fn) => withStore(loadConfig(), fn));
    if (cmd === "deposit") {
      const config = loadConfig();
      return await deposit(argv.slice(1), config, (fn) => withStore(config, fn));
    }
    if (cmd === "release") {
      const config = loadConfig();
      return await release(argv.slice(1), config, (fn) => withStore(config, fn));
    }
    if (cmd === undefined || cmd === "--help" || cmd === "help") {
      say(USAGE);
      return;
    }
    throw new UsageError(`Commande inconnue : ${cmd}`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`Erreur : ${e.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (isSocleError(e)) {
      process.stderr.write(`Erreur : ${e.message}\n`);
      for (const d of e.details.slice(1)) process.stderr.write(`  - ${d}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`Erreur inattendue : ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  }
}

await main(process.argv.slice(2));
