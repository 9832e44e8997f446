package io.secretsbroker.core.auth;

import java.time.Instant;
import java.util.List;

/**
 * A token's public metadata; never the token.
 *
 * @param id public id (a prefix of the token's hash)
 * @param principal the principal it authenticates as
 * @param policies policies attached to it
 * @param createdAt when it was created
 * @param expiresAt when it expires
 * @param revoked whether it was revoked
 */
public record TokenInfo(String id, String principal, List<String> policies, Instant createdAt, Instant expiresAt,
    boolean revoked) {
  public TokenInfo {
    policies = List.copyOf(policies);
  }
}
