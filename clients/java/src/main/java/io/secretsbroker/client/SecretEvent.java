package io.secretsbroker.client;

import java.time.Instant;

/**
 * A change to a secret, as streamed by {@link SecretsClient#watch}.
 *
 * @param eventId the broker's monotonic event id
 * @param type what happened
 * @param name the secret concerned
 * @param version the version concerned: the new one, or the revoked one
 * @param time when it happened, or {@code null} if unknown
 */
public record SecretEvent(long eventId, Type type, String name, String version, Instant time) {
  /** What happened to the secret. */
  public enum Type {
    /** A new version was put. */
    UPDATED,
    /** A rotation promoted a new current version. */
    ROTATED,
    /** A version was revoked. */
    REVOKED,
    /** The secret was deleted. */
    DELETED
  }
}
