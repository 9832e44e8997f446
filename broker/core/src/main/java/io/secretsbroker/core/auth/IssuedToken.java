package io.secretsbroker.core.auth;

/**
 * A token just created: the only time the token itself exists outside the caller's hands.
 *
 * @param token the bearer token
 * @param info its metadata
 */
public record IssuedToken(String token, TokenInfo info) {
  /** Redacts the token. */
  @Override
  public String toString() {
    return "IssuedToken[token=[REDACTED], info=" + info + "]";
  }
}
