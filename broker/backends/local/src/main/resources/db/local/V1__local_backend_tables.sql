-- Tables of the local secret backend (io.secretsbroker.backend.local), kept apart from the broker's own
-- tables by the sb_local_ prefix and their own history table (sb_local_schema_history).
-- Runs unchanged on H2 2.x (default mode) and PostgreSQL; ${name_collation} is COLLATE "C" on PostgreSQL so
-- that names sort by their bytes, as on H2.

-- One row per secret: its version counter and times. Writers lock this row (SELECT ... FOR UPDATE).
CREATE TABLE sb_local_secret (
  mount        VARCHAR(512) ${name_collation} NOT NULL,
  name         VARCHAR(512) ${name_collation} NOT NULL,
  next_version BIGINT NOT NULL,
  created_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  updated_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  CONSTRAINT sb_local_secret_pk PRIMARY KEY (mount, name),
  CONSTRAINT sb_local_secret_next_version_ck CHECK (next_version >= 1)
);

-- One row per kept version: the value sealed by envelope encryption (AES-256-GCM).
CREATE TABLE sb_local_version (
  mount       VARCHAR(512) ${name_collation} NOT NULL,
  name        VARCHAR(512) ${name_collation} NOT NULL,
  version     BIGINT NOT NULL,
  created_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  key_id      VARCHAR(16) NOT NULL,
  key_nonce   BYTEA NOT NULL,
  wrapped_key BYTEA NOT NULL,
  value_nonce BYTEA NOT NULL,
  ciphertext  BYTEA NOT NULL,
  CONSTRAINT sb_local_version_pk PRIMARY KEY (mount, name, version),
  CONSTRAINT sb_local_version_secret_fk FOREIGN KEY (mount, name) REFERENCES sb_local_secret (mount, name),
  CONSTRAINT sb_local_version_number_ck CHECK (version >= 1)
);

-- The stage words. A foreign key to this table rather than CHECK (stage IN (...)): H2 2.4.240 evaluates such a
-- check with the session that created it and fails once that session is closed (h2database issue 4291).
CREATE TABLE sb_local_stage_word (
  stage VARCHAR(16) NOT NULL,
  CONSTRAINT sb_local_stage_word_pk PRIMARY KEY (stage)
);
INSERT INTO sb_local_stage_word (stage) VALUES ('current');
INSERT INTO sb_local_stage_word (stage) VALUES ('previous');
INSERT INTO sb_local_stage_word (stage) VALUES ('pending');

-- One row per held stage; the primary key lets at most one version of a secret hold each stage.
CREATE TABLE sb_local_stage (
  mount   VARCHAR(512) ${name_collation} NOT NULL,
  name    VARCHAR(512) ${name_collation} NOT NULL,
  stage   VARCHAR(16) NOT NULL,
  version BIGINT NOT NULL,
  CONSTRAINT sb_local_stage_pk PRIMARY KEY (mount, name, stage),
  CONSTRAINT sb_local_stage_version_fk FOREIGN KEY (mount, name, version)
    REFERENCES sb_local_version (mount, name, version),
  CONSTRAINT sb_local_stage_word_fk FOREIGN KEY (stage) REFERENCES sb_local_stage_word (stage)
);
