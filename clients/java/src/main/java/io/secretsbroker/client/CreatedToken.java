package io.secretsbroker.client;

import io.secretsbroker.proto.v1.TokenInfo;

/**
 * A bearer token just created by {@link AdminClient#createToken}. The broker shows the token once and keeps only
 * its hash; {@link #toString()} never shows it.
 *
 * @param token the bearer token
 * @param info the token's public metadata (id, principal, policies, times)
 */
public record CreatedToken(String token, TokenInfo info) {
  /** The metadata; the token shows as {@code [REDACTED]}. */
  @Override
  public String toString() {
    return "CreatedToken[id=" + info.getId() + ", principal=" + info.getPrincipal() + ", token=[REDACTED]]";
  }
}
