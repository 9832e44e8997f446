-- Bearer tokens, stored only as SHA-256 hashes.
CREATE TABLE sb_tokens (
  id         VARCHAR(32)   NOT NULL PRIMARY KEY,
  token_hash VARCHAR(64)   NOT NULL UNIQUE,
  principal  VARCHAR(512)  NOT NULL,
  policies   VARCHAR(2048) NOT NULL,
  created_ms BIGINT        NOT NULL,
  expires_ms BIGINT        NOT NULL,
  revoked    BOOLEAN       NOT NULL
);
