-- The audit log: one row per request, chained by SHA-256 so any edit, insertion or deletion is detected.
CREATE TABLE sb_audit (
  seq         BIGINT        NOT NULL PRIMARY KEY,
  time_ms     BIGINT        NOT NULL,
  request_id  VARCHAR(64)   NOT NULL,
  principal   VARCHAR(512)  NOT NULL,
  peer        VARCHAR(256)  NOT NULL,
  method      VARCHAR(256)  NOT NULL,
  name        VARCHAR(512)  NOT NULL,
  version     VARCHAR(256)  NOT NULL,
  outcome     VARCHAR(32)   NOT NULL,
  cache_hit   BOOLEAN       NOT NULL,
  latency_us  BIGINT        NOT NULL,
  detail      VARCHAR(1024) NOT NULL,
  prev_hash   VARCHAR(64)   NOT NULL,
  hash        VARCHAR(64)   NOT NULL
);
CREATE INDEX sb_audit_name ON sb_audit (name);
CREATE INDEX sb_audit_principal ON sb_audit (principal);

-- The chain's head, one row; appends lock it, so replicas sharing a database never fork the chain.
CREATE TABLE sb_audit_head (
  id        INT         NOT NULL PRIMARY KEY,
  last_seq  BIGINT      NOT NULL,
  last_hash VARCHAR(64) NOT NULL
);
INSERT INTO sb_audit_head (id, last_seq, last_hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
