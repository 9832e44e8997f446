-- Rotation: per-secret policies and the persisted state machine of each secret's rotation.
-- Portable across H2 2.x and PostgreSQL; times are epoch milliseconds (0 = never / none).

-- Per-secret rotation policy overrides set through SetRotationPolicy. A NULL column means "use the default for
-- the secret's prefix" (config), field by field.
CREATE TABLE sb_rotation_policies (
  name              VARCHAR(512) NOT NULL PRIMARY KEY,
  interval_ms       BIGINT,
  grace_ms          BIGINT,
  generator_kind    VARCHAR(16),
  generator_length  INT,
  generator_classes VARCHAR(64),
  generator_base64  BOOLEAN,
  principal         VARCHAR(512) NOT NULL,
  updated_ms        BIGINT       NOT NULL
);

-- One row per secret that was ever rotated. rotation_state is idle, pending_created, verified or promoted;
-- owner_id names the engine driving a rotation that is not idle, and every transition is a conditional update on
-- (name, owner_id, rotation_state), so two engines never drive one secret's rotation at once. The new value is
-- never stored: only a salted SHA-256 of it, to recognise the pending version after a crash and to verify it.
CREATE TABLE sb_rotations (
  name             VARCHAR(512)  NOT NULL PRIMARY KEY,
  rotation_state   VARCHAR(32)   NOT NULL,
  owner_id         VARCHAR(64)   NOT NULL,
  base_version     VARCHAR(256)  NOT NULL,
  pending_version  VARCHAR(256)  NOT NULL,
  previous_version VARCHAR(256)  NOT NULL,
  value_salt       VARCHAR(64)   NOT NULL,
  value_sha256     VARCHAR(64)   NOT NULL,
  value_supplied   BOOLEAN       NOT NULL,
  attempt          INT           NOT NULL,
  last_error       VARCHAR(1024) NOT NULL,
  started_ms       BIGINT        NOT NULL,
  updated_ms       BIGINT        NOT NULL,
  last_rotated_ms  BIGINT        NOT NULL,
  retire_after_ms  BIGINT        NOT NULL,
  next_attempt_ms  BIGINT        NOT NULL
);
CREATE INDEX sb_rotations_state ON sb_rotations (rotation_state);
