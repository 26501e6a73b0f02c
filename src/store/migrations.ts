/**
 * Schema migrations, in PostgreSQL 15 syntax (run as is on PGlite and on a
 * PostgreSQL server). Append only: a released migration is never edited.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "territoires",
    sql: `
CREATE TABLE region (
  code text PRIMARY KEY,
  nom text NOT NULL,
  fictif boolean NOT NULL DEFAULT false
);
CREATE TABLE departement (
  code text PRIMARY KEY,
  nom text NOT NULL,
  region_code text REFERENCES region(code),
  fictif boolean NOT NULL DEFAULT false
);
CREATE TABLE epci (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{9}$'),
  nom text NOT NULL,
  nature text,
  population integer,
  fictif boolean NOT NULL DEFAULT false
);
-- Communes and arrondissements municipaux (Paris, Lyon, Marseille): the
-- units IRIS belong to. An arrondissement points to its commune.
CREATE TABLE commune (
  code text PRIMARY KEY CHECK (code ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
  nom text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('commune', 'arrondissement')),
  commune_parent text REFERENCES commune(code),
  departement_code text REFERENCES departement(code),
  region_code text REFERENCES region(code),
  epci_code text REFERENCES epci(code),
  population integer,
  codes_postaux text[] NOT NULL DEFAULT '{}',
  fictif boolean NOT NULL DEFAULT false
);
CREATE INDEX commune_epci ON commune(epci_code);
CREATE INDEX commune_parent_idx ON commune(commune_parent);
CREATE INDEX commune_departement ON commune(departement_code);
-- Communes déléguées and associées keep their old code (it may equal the
-- code of their commune nouvelle), so they live apart, with the former codes
-- of merged communes: older IRIS files still carry them.
CREATE TABLE commune_deleguee (
  code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('deleguee', 'associee', 'ancienne')),
  nom text NOT NULL,
  commune_code text NOT NULL REFERENCES commune(code),
  PRIMARY KEY (code, kind)
);
CREATE TABLE cog_meta (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  source text NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE iris (
  code text PRIMARY KEY CHECK (code ~ '^([0-9]{2}|2A|2B)[0-9]{7}$'),
  commune_code text NOT NULL REFERENCES commune(code),
  nom text,
  type_iris text,
  geom_wgs84 jsonb NOT NULL,
  geom_l93 jsonb NOT NULL,
  bbox_wgs84 double precision[] NOT NULL,
  source text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  fictif boolean NOT NULL DEFAULT false
);
CREATE INDEX iris_commune ON iris(commune_code);
CREATE TABLE iris_population (
  iris_code text NOT NULL CHECK (iris_code ~ '^([0-9]{2}|2A|2B)[0-9]{7}$'),
  annee integer NOT NULL,
  population double precision NOT NULL CHECK (population >= 0),
  source text NOT NULL,
  PRIMARY KEY (iris_code, annee)
);
`,
  },
  {
    version: 2,
    name: "organisations_comptes_journal",
    sql: `
CREATE TABLE organisation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  nom text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('CCAS', 'CAF', 'CD', 'EPCI', 'BUREAU_ETUDES', 'AUTRE')),
  demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE app_user (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  nom text NOT NULL,
  password_hash text NOT NULL,
  platform_admin boolean NOT NULL DEFAULT false,
  demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_user_email ON app_user (lower(email));
CREATE TABLE membership (
  user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisation(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'referent', 'analyste', 'lecteur')),
  PRIMARY KEY (user_id, organisation_id)
);
-- Only a hash of the session token is stored: a database dump opens no session.
CREATE TABLE user_session (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX user_session_user ON user_session(user_id);
CREATE TABLE login_attempt (
  id bigserial PRIMARY KEY,
  email_key text NOT NULL,
  ip text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  success boolean NOT NULL
);
CREATE INDEX login_attempt_email ON login_attempt(email_key, at);
CREATE INDEX login_attempt_ip ON login_attempt(ip, at);
-- Custom zones: a named set of communes or IRIS owned by one organisation.
CREATE TABLE zone (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisation(id) ON DELETE CASCADE,
  nom text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('communes', 'iris')),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, nom)
);
CREATE TABLE zone_member (
  zone_id uuid NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
  code text NOT NULL,
  PRIMARY KEY (zone_id, code)
);
-- Append-only audit log chained by hashes (see core/audit).
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id uuid,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_action ON audit_log(action, at);
CREATE TABLE audit_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_seq bigint NOT NULL,
  last_hash text NOT NULL
);
`,
  },
  {
    version: 3,
    name: "referentiel_adresses",
    sql: `
CREATE TABLE adresse_reference (
  departement text PRIMARY KEY,
  source text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  adresses integer NOT NULL,
  voies integer NOT NULL,
  communes integer NOT NULL,
  sans_iris integer NOT NULL,
  index_data bytea NOT NULL
);
`,
  },
  {
    version: 4,
    name: "conventions",
    sql: `
CREATE TABLE convention (
  id text PRIMARY KEY,
  titre text NOT NULL,
  document jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE convention_partie (
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  partie text NOT NULL,
  organisation_id uuid NOT NULL REFERENCES organisation(id),
  PRIMARY KEY (convention_id, partie)
);
CREATE INDEX convention_partie_org ON convention_partie(organisation_id);
CREATE TABLE convention_evenement (
  id bigserial PRIMARY KEY,
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid,
  kind text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX convention_evenement_conv ON convention_evenement(convention_id, id);
`,
  },
  {
    version: 5,
    name: "fed_jeux_destruction_restitution",
    sql: `
-- The service a member works in: conventions may restrict outputs to services (Dijon).
ALTER TABLE membership ADD COLUMN service text;
CREATE TABLE fed_demande (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  demandeur text NOT NULL,
  fournisseur text NOT NULL,
  statut text NOT NULL CHECK (statut IN ('en_attente', 'favorable', 'defavorable')),
  feuille1 jsonb NOT NULL,
  feuille2 jsonb,
  demande_par uuid,
  demande_le timestamptz NOT NULL DEFAULT now(),
  repondu_par uuid,
  repondu_le timestamptz
);
CREATE INDEX fed_demande_conv ON fed_demande(convention_id);
-- A dataset to collect or collected under a convention (an annex, possibly one vintage).
-- After destruction the row stays as a tombstone with its attestation.
CREATE TABLE jeu_donnees (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  annexe text NOT NULL,
  titre text NOT NULL,
  fed_id uuid REFERENCES fed_demande(id),
  statut text NOT NULL CHECK (statut IN ('a_collecter', 'collecte', 'detruit')),
  created_at timestamptz NOT NULL DEFAULT now(),
  detruit_le timestamptz
);
CREATE INDEX jeu_donnees_conv ON jeu_donnees(convention_id);
CREATE TABLE depot (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  jeu_id uuid NOT NULL REFERENCES jeu_donnees(id),
  nom_fichier text NOT NULL,
  octets bigint NOT NULL,
  sha256 text NOT NULL,
  chemin text NOT NULL,
  depose_par uuid,
  depose_le timestamptz NOT NULL DEFAULT now(),
  UNIQUE (jeu_id, sha256)
);
-- Pseudonymised rows: no identifier, no address.
CREATE TABLE microdonnee (
  jeu_id uuid NOT NULL REFERENCES jeu_donnees(id),
  depot_id uuid REFERENCES depot(id),
  ligne integer NOT NULL,
  pseudonyme text NOT NULL,
  code_iris text,
  annee integer,
  valeurs jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX microdonnee_jeu ON microdonnee(jeu_id);
CREATE TABLE tableau_derive (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  jeu_id uuid NOT NULL REFERENCES jeu_donnees(id),
  nom text NOT NULL,
  cellules jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tableau_derive_jeu ON tableau_derive(jeu_id);
CREATE TABLE attestation_destruction (
  jeu_id uuid PRIMARY KEY REFERENCES jeu_donnees(id),
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  attestation jsonb NOT NULL,
  empreinte text NOT NULL,
  audit_seq bigint NOT NULL
);
CREATE TABLE restitution (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  titre text NOT NULL,
  nom_fichier text NOT NULL,
  octets bigint NOT NULL,
  sha256 text NOT NULL,
  chemin text NOT NULL,
  depose_par uuid,
  depose_le timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE restitution_envoi (
  restitution_id uuid NOT NULL REFERENCES restitution(id) ON DELETE CASCADE,
  partie text NOT NULL,
  envoye_le timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (restitution_id, partie)
);
`,
  },
  {
    version: 6,
    name: "depots_traites_diffusions",
    sql: `
-- Column mappings confirmed by users, remembered for next year's deposit.
CREATE TABLE correspondance_colonnes (
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  annexe text NOT NULL,
  mapping jsonb NOT NULL,
  colonnes jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (convention_id, annexe)
);
-- A processed deposit keeps no file: only its fingerprint and counts.
ALTER TABLE depot ADD COLUMN annee integer;
ALTER TABLE depot ADD COLUMN lignes integer;
ALTER TABLE depot ADD COLUMN bilan jsonb NOT NULL DEFAULT '{}';
-- The release register: frozen protected tables with their source mention.
CREATE TABLE diffusion (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  jeu_id uuid NOT NULL REFERENCES jeu_donnees(id),
  annee integer NOT NULL,
  zonage text NOT NULL,
  mention_source text NOT NULL,
  tableaux jsonb NOT NULL,
  audit jsonb NOT NULL,
  diffuse_par uuid,
  diffuse_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diffusion_jeu ON diffusion(jeu_id);
`,
  },
  {
    version: 7,
    name: "microdonnee_references_par_instruction",
    sql: `
-- A deposit writes millions of microdata rows; row-by-row foreign-key checks
-- were half of the write time. The same integrity is kept set-wise: one check
-- per INSERT statement over its new rows, and a dataset or deposit that still
-- has rows can be neither deleted nor renumbered.
ALTER TABLE microdonnee DROP CONSTRAINT microdonnee_jeu_id_fkey;
ALTER TABLE microdonnee DROP CONSTRAINT microdonnee_depot_id_fkey;
CREATE FUNCTION microdonnee_verifie_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT jeu_id, depot_id FROM nouvelles) n
    WHERE NOT EXISTS (SELECT 1 FROM jeu_donnees j WHERE j.id = n.jeu_id)
       OR (n.depot_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM depot d WHERE d.id = n.depot_id AND d.jeu_id = n.jeu_id))
  ) THEN
    RAISE EXCEPTION 'microdonnee: jeu de données ou dépôt inconnu' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER microdonnee_references AFTER INSERT ON microdonnee
  REFERENCING NEW TABLE AS nouvelles FOR EACH STATEMENT EXECUTE FUNCTION microdonnee_verifie_references();
CREATE FUNCTION microdonnee_rattachement_fixe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'microdonnee: une ligne ne change pas de jeu ni de dépôt' USING ERRCODE = 'foreign_key_violation';
END
$$;
CREATE TRIGGER microdonnee_rattachement BEFORE UPDATE OF jeu_id, depot_id ON microdonnee
  FOR EACH ROW WHEN (OLD.jeu_id IS DISTINCT FROM NEW.jeu_id OR OLD.depot_id IS DISTINCT FROM NEW.depot_id)
  EXECUTE FUNCTION microdonnee_rattachement_fixe();
CREATE FUNCTION microdonnee_parent_supprime() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'jeu_donnees' THEN
    IF EXISTS (SELECT 1 FROM anciens a JOIN microdonnee m ON m.jeu_id = a.id) THEN
      RAISE EXCEPTION 'jeu_donnees: des microdonnées s''y rattachent encore' USING ERRCODE = 'foreign_key_violation';
    END IF;
  ELSIF EXISTS (SELECT 1 FROM anciens a JOIN microdonnee m ON m.depot_id = a.id) THEN
    RAISE EXCEPTION 'depot: des microdonnées s''y rattachent encore' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER jeu_donnees_microdonnees AFTER DELETE ON jeu_donnees
  REFERENCING OLD TABLE AS anciens FOR EACH STATEMENT EXECUTE FUNCTION microdonnee_parent_supprime();
CREATE TRIGGER depot_microdonnees AFTER DELETE ON depot
  REFERENCING OLD TABLE AS anciens FOR EACH STATEMENT EXECUTE FUNCTION microdonnee_parent_supprime();
CREATE FUNCTION identifiant_fixe() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%: un identifiant ne change pas', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END
$$;
CREATE TRIGGER jeu_donnees_id_fixe BEFORE UPDATE OF id ON jeu_donnees
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION identifiant_fixe();
CREATE TRIGGER depot_id_fixe BEFORE UPDATE OF id ON depot
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION identifiant_fixe();
`,
  },
  {
    version: 8,
    name: "millesimes_versions_diffusions",
    sql: `
-- A vintage is one population: a later deposit of the same year is a
-- complement (its rows add up) or a correction (it replaces the deposits
-- before it). Replaced rows stay until destruction: releases made on them
-- are part of the attacker's knowledge and must be recomputed.
ALTER TABLE depot ADD COLUMN mode text NOT NULL DEFAULT 'initial'
  CHECK (mode IN ('initial', 'complement', 'correction'));
ALTER TABLE depot ADD COLUMN remplace_par uuid;
CREATE INDEX depot_jeu_annee ON depot(jeu_id, annee);
CREATE INDEX microdonnee_depot ON microdonnee(depot_id);
-- Rows written without a deposit (older demo data) get one per vintage.
INSERT INTO depot (id, jeu_id, nom_fichier, octets, sha256, chemin, annee, lignes)
  SELECT gen_random_uuid(), jeu_id, 'données sans dépôt', 0, 'sans-depot-' || jeu_id || '-' || coalesce(annee, 0), '', annee, count(*)
  FROM microdonnee WHERE depot_id IS NULL GROUP BY jeu_id, annee;
ALTER TABLE microdonnee DISABLE TRIGGER microdonnee_rattachement;
UPDATE microdonnee m SET depot_id = d.id FROM depot d
  WHERE m.depot_id IS NULL AND d.jeu_id = m.jeu_id AND d.sha256 = 'sans-depot-' || m.jeu_id || '-' || coalesce(m.annee, 0);
ALTER TABLE microdonnee ENABLE TRIGGER microdonnee_rattachement;
-- The deposits each release counted (its version of the data).
ALTER TABLE diffusion ADD COLUMN depots uuid[] NOT NULL DEFAULT '{}';
UPDATE diffusion SET depots = coalesce((SELECT array_agg(d.id) FROM depot d
  WHERE d.jeu_id = diffusion.jeu_id AND d.depose_le <= diffusion.diffuse_le
    AND (d.annee IS NULL OR d.annee = diffusion.annee)), '{}');
-- An aggregated dataset's release counted the table deposited last before it.
UPDATE diffusion SET depots = ARRAY[(SELECT t.id FROM tableau_derive t WHERE t.jeu_id = diffusion.jeu_id
    AND t.nom = 'depot ' || diffusion.annee AND t.created_at <= diffusion.diffuse_le ORDER BY t.created_at DESC LIMIT 1)]
  WHERE EXISTS (SELECT 1 FROM tableau_derive t WHERE t.jeu_id = diffusion.jeu_id
    AND t.nom = 'depot ' || diffusion.annee AND t.created_at <= diffusion.diffuse_le);
CREATE INDEX diffusion_jeu_annee ON diffusion(jeu_id, annee);
`,
  },
  {
    version: 20,
    name: "login_attempt_par_compte_et_adresse",
    sql: `
-- Login throttling counts failures per (account, address) as well.
CREATE INDEX login_attempt_pair ON login_attempt(email_key, ip, at);
`,
  },
  {
    version: 30,
    name: "iris_srid_metrique",
    sql: `
-- geom_l93 holds the metric form of an IRIS for point-in-polygon: Lambert-93
-- in metropolitan France, the local UTM overseas (EPSG 5490, 2972, 2975, 4471).
ALTER TABLE iris ADD COLUMN srid_metrique integer NOT NULL DEFAULT 2154
  CHECK (srid_metrique IN (2154, 5490, 2972, 2975, 4471));
`,
  },
  {
    version: 40,
    name: "depot_sans_iris_et_champs_absents",
    sql: `
-- The rows of a deposit that got no IRIS: line, result type and reason, never the address.
CREATE TABLE depot_sans_iris (
  depot_id uuid NOT NULL REFERENCES depot(id) ON DELETE CASCADE,
  ligne integer NOT NULL,
  type text NOT NULL,
  raison text NOT NULL,
  PRIMARY KEY (depot_id, ligne)
);
-- Annex fields the user declared absent from the file, remembered with the mapping.
ALTER TABLE correspondance_colonnes ADD COLUMN absents jsonb NOT NULL DEFAULT '[]';
`,
  },
  {
    version: 41,
    name: "geocodage_fournisseur",
    sql: `
-- Protocol 1 inside Socle: the provider's (identifier, address) file geocoded for it.
-- The address is never stored; the result (identifier, IRIS, type, score) waits
-- for the provider's download and is then erased.
CREATE TABLE geocodage_fournisseur (
  id uuid PRIMARY KEY,
  jeu_id uuid NOT NULL REFERENCES jeu_donnees(id) ON DELETE CASCADE,
  cree_par uuid,
  cree_le timestamptz NOT NULL,
  lignes integer NOT NULL,
  avec_iris integer NOT NULL,
  resultat text,
  sans_iris jsonb NOT NULL,
  telecharge_le timestamptz
);
CREATE INDEX geocodage_fournisseur_jeu ON geocodage_fournisseur(jeu_id);
`,
  },
  {
    version: 42,
    name: "dates_observation_depot",
    sql: `
-- The actual date of the provider's data when it is not the convention's
-- default (« 31/12/N-1 ou à défaut la dernière date disponible »), and the
-- date of its last update when the provider gives one; null: the default,
-- and the deposit's own date.
ALTER TABLE depot ADD COLUMN date_observation date;
ALTER TABLE depot ADD COLUMN date_mise_a_jour date;
-- What a release states of its data: observation and update dates, and the
-- annex fields declared absent from the deposits it counted (not released).
ALTER TABLE diffusion ADD COLUMN date_observation date;
ALTER TABLE diffusion ADD COLUMN date_mise_a_jour date;
ALTER TABLE diffusion ADD COLUMN champs_absents jsonb NOT NULL DEFAULT '[]';
`,
  },
  {
    version: 50,
    name: "accord_diffusion_par_diffusion",
    sql: `
-- The provider's approval of an external diffusion, per release: scope, recipient, date, who.
CREATE TABLE diffusion_accord (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  diffusion_id uuid NOT NULL REFERENCES diffusion(id) ON DELETE CASCADE,
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  partie text NOT NULL,
  portee text NOT NULL,
  destinataire text NOT NULL,
  accorde_le date NOT NULL,
  accorde_par uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diffusion_accord_diffusion ON diffusion_accord(diffusion_id);
`,
  },
  {
    version: 55,
    name: "anomalies",
    sql: `
-- Anomalies reported on a deposit or a release to the data's provider, and
-- their thread. The target is kept as (type, id) without a foreign key: a
-- destroyed dataset loses its deposits, the correspondence stays.
CREATE TABLE anomalie (
  id uuid PRIMARY KEY,
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  jeu_id uuid NOT NULL REFERENCES jeu_donnees(id),
  cible_type text NOT NULL CHECK (cible_type IN ('depot', 'diffusion')),
  cible_id uuid NOT NULL,
  signale_par text NOT NULL,
  fournisseur text NOT NULL,
  statut text NOT NULL CHECK (statut IN ('ouverte', 'repondue', 'close')),
  cree_le timestamptz NOT NULL,
  maj_le timestamptz NOT NULL
);
CREATE INDEX anomalie_convention ON anomalie(convention_id, cree_le);
CREATE TABLE anomalie_message (
  id bigserial PRIMARY KEY,
  anomalie_id uuid NOT NULL REFERENCES anomalie(id) ON DELETE CASCADE,
  partie text NOT NULL,
  auteur_id uuid,
  texte text NOT NULL,
  lignes integer[] NOT NULL DEFAULT '{}',
  ecrit_le timestamptz NOT NULL
);
CREATE INDEX anomalie_message_fil ON anomalie_message(anomalie_id, id);
`,
  },
  {
    version: 56,
    name: "seances_restitution",
    sql: `
-- Restitution sessions: results presented to the providers (date, who attended, minutes).
CREATE TABLE seance_restitution (
  id uuid PRIMARY KEY,
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  tenue_le date NOT NULL,
  participants jsonb NOT NULL,
  compte_rendu text NOT NULL,
  enregistre_par uuid,
  enregistre_le timestamptz NOT NULL
);
CREATE INDEX seance_restitution_conv ON seance_restitution(convention_id, tenue_le);
`,
  },
  {
    version: 57,
    name: "demandes_accord_diffusion",
    sql: `
-- A party asks the provider to approve the external diffusion of one release
-- (scope, recipient); the provider approves (an approval of diffusion_accord)
-- or refuses with a reason. Pending requests are the provider's tasks.
CREATE TABLE diffusion_demande_accord (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  diffusion_id uuid NOT NULL REFERENCES diffusion(id) ON DELETE CASCADE,
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  demandeur text NOT NULL,
  fournisseur text NOT NULL,
  portee text NOT NULL,
  destinataire text NOT NULL,
  demande_le date NOT NULL,
  demande_par uuid,
  statut text NOT NULL DEFAULT 'en_attente' CHECK (statut IN ('en_attente', 'accordee', 'refusee')),
  accord_id uuid REFERENCES diffusion_accord(id) ON DELETE SET NULL,
  motif text,
  repondu_le date,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diffusion_demande_accord_conv ON diffusion_demande_accord(convention_id, statut);
`,
  },
  {
    version: 58,
    name: "diffusions_detruites_et_fils_effaces",
    sql: `
-- When the convention says releases go with the data, each destroyed release
-- leaves a tombstone: what it was (year, zoning, date, number of tables) and
-- the SHA-256 of its content, no value; the attestation lists the same ids.
CREATE TABLE diffusion_detruite (
  id uuid PRIMARY KEY,
  convention_id text NOT NULL REFERENCES convention(id) ON DELETE CASCADE,
  jeu_id uuid NOT NULL REFERENCES jeu_donnees(id),
  annee integer NOT NULL,
  zonage text NOT NULL,
  diffuse_le timestamptz NOT NULL,
  tableaux integer NOT NULL,
  empreinte text NOT NULL,
  detruite_le timestamptz NOT NULL
);
CREATE INDEX diffusion_detruite_jeu ON diffusion_detruite(jeu_id);
-- An anomaly thread about destroyed data keeps its record (who, when, status)
-- but not its messages' text and line numbers.
ALTER TABLE anomalie ADD COLUMN contenu_efface_le timestamptz;
`,
  },
  {
    version: 60,
    name: "iris_population_denominateurs",
    sql: `
-- The denominators of the indicator catalogue, per IRIS and census vintage
-- (base-ic): children under 3, young people under 18, people aged 75 and
-- over, households. Null when the imported file did not have the column.
ALTER TABLE iris_population ADD COLUMN pop_0002 double precision CHECK (pop_0002 >= 0);
ALTER TABLE iris_population ADD COLUMN pop_0017 double precision CHECK (pop_0017 >= 0);
ALTER TABLE iris_population ADD COLUMN pop_75p double precision CHECK (pop_75p >= 0);
ALTER TABLE iris_population ADD COLUMN menages double precision CHECK (menages >= 0);
CREATE INDEX iris_population_annee ON iris_population(annee);
`,
  },
  {
    version: 21,
    name: "referentiel_version",
    sql: `
-- A counter of the territorial referential (COG, IRIS, populations), bumped
-- by every statement that changes one of its tables: what is read from them
-- can be kept in memory while the counter stays the same, whichever process
-- (server, CLI import) made the change.
CREATE TABLE referentiel_version (
  seul boolean PRIMARY KEY DEFAULT true CHECK (seul),
  n bigint NOT NULL
);
INSERT INTO referentiel_version (n) VALUES (1);
CREATE FUNCTION referentiel_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE referentiel_version SET n = n + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER region_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON region
  FOR EACH STATEMENT EXECUTE FUNCTION referentiel_change();
CREATE TRIGGER departement_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON departement
  FOR EACH STATEMENT EXECUTE FUNCTION referentiel_change();
CREATE TRIGGER epci_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON epci
  FOR EACH STATEMENT EXECUTE FUNCTION referentiel_change();
CREATE TRIGGER commune_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON commune
  FOR EACH STATEMENT EXECUTE FUNCTION referentiel_change();
CREATE TRIGGER iris_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON iris
  FOR EACH STATEMENT EXECUTE FUNCTION referentiel_change();
CREATE TRIGGER iris_population_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON iris_population
  FOR EACH STATEMENT EXECUTE FUNCTION referentiel_change();
`,
  },
  {
    version: 22,
    name: "audit_head_toujours_present",
    sql: `
-- The head of the audit chain always has its row (seq 0 and the genesis hash
-- before the first entry), so that a writer can lock it (FOR UPDATE) and
-- append a batch in one statement (store/audit.ts, appendAuditBatchOnce).
INSERT INTO audit_head (last_seq, last_hash) VALUES (0, '${"0".repeat(64)}')
  ON CONFLICT (singleton) DO NOTHING;
`,
  },
  {
    version: 61,
    name: "commentaire_portrait",
    sql: `
-- The analyst's commentary of a territory portrait, one row per version
-- (never updated): the portrait's key (territory, reference, themes), the
-- text, its author and date, and the conventions whose releases the
-- portrait read (a reader must be able to read all of them).
CREATE TABLE commentaire_portrait (
  cle text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  niveau text NOT NULL,
  territoire text NOT NULL,
  reference text NOT NULL,
  themes text[] NOT NULL,
  texte text NOT NULL,
  auteur_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
  auteur_nom text NOT NULL,
  conventions text[] NOT NULL,
  cree_le timestamptz NOT NULL,
  PRIMARY KEY (cle, version)
);
`,
  },
  {
    version: 62,
    name: "zone_categorie",
    sql: `
-- What a custom zone is for its readers (a Relais Petite Enfance, a quartier,
-- a QPV…) beside what it groups (communes or IRIS), and when it last changed.
ALTER TABLE zone ADD COLUMN categorie text NOT NULL DEFAULT 'autre'
  CHECK (categorie IN ('rpe', 'quartier', 'qpv', 'secteur', 'autre'));
ALTER TABLE zone ADD COLUMN modifiee_le timestamptz;
`,
  },
];
