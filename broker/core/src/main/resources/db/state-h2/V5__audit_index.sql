-- The audit index: a queryable projection of every replica's audit journal (the journal files are the record of
-- truth; see docs/audit.md). Filled asynchronously in batches; rows are keyed by (replica, seq).
CREATE TABLE sb_audit_index (
  replica        VARCHAR(64)   NOT NULL,
  seq            BIGINT        NOT NULL,
  time_ms        BIGINT        NOT NULL,
  kind           SMALLINT      NOT NULL,
  request_id     VARCHAR(64)   NOT NULL,
  principal      VARCHAR(512)  NOT NULL,
  auth_method    VARCHAR(16)   NOT NULL,
  token_accessor VARCHAR(64)   NOT NULL,
  peer           VARCHAR(256)  NOT NULL,
  method         VARCHAR(256)  NOT NULL,
  name           VARCHAR(512)  NOT NULL,
  version        VARCHAR(256)  NOT NULL,
  outcome        VARCHAR(32)   NOT NULL,
  cache_hit      BOOLEAN       NOT NULL,
  latency_us     BIGINT        NOT NULL,
  detail         VARCHAR(1024) NOT NULL,
  mac            VARBINARY(32) NOT NULL,
  PRIMARY KEY (replica, seq)
);
CREATE INDEX sb_audit_index_name ON sb_audit_index (name);
CREATE INDEX sb_audit_index_time ON sb_audit_index (time_ms);

-- How far each replica's journal has been indexed.
CREATE TABLE sb_audit_index_position (
  replica VARCHAR(64) NOT NULL PRIMARY KEY,
  seq     BIGINT      NOT NULL
);

-- Records written before the journal existed stay queryable under replica 'legacy' (their SHA-256 chain is not
-- re-verified; export them with sbctl audit query before dropping sb_audit).
INSERT INTO sb_audit_index (replica, seq, time_ms, kind, request_id, principal, auth_method, token_accessor, peer,
    method, name, version, outcome, cache_hit, latency_us, detail, mac)
  SELECT 'legacy', seq, time_ms, 0, request_id, principal, '', '', peer, method, name, version, outcome, cache_hit,
    latency_us, detail, X'' FROM sb_audit;
