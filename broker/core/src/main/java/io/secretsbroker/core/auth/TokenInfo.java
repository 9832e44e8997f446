package io.secretsbroker.core.auth;

import java.time.Instant;
import java.util.List;

/**
 * A token's public metadata; never the token.
 *
 * @param id the token's accessor: a non-secret public id (a prefix of the token's SHA-256), used to list and
 *     revoke it and recorded in audit records
 * @param principal the principal it authenticates as
 * @param policies policies attached to it
 * @param createdAt when it was created
 * @param expiresAt when it expires
 * @param revoked whether it was revoked
 * @param creator the typed principal that created it ({@code token:ops}, {@code spiffe://…}; "" when unknown)
 */
public record TokenInfo(String id, String principal, List<String> policies, Instant createdAt, Instant expiresAt,
    boolean revoked, String creator) {
  public TokenInfo {
    policies = List.copyOf(policies);
    creator = creator == null ? "" : creator;
  }
}
