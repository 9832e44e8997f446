package io.secretsbroker.core.state;

import java.time.Instant;

/**
 * One change to a secret, as recorded in the change feed.
 *
 * @param id monotonic event id (gaps possible)
 * @param type what happened
 * @param name the full secret name
 * @param version the version concerned (new version, or revoked one; empty for deletes)
 * @param time when it happened
 */
public record ChangeEvent(long id, Type type, String name, String version, Instant time) {
  /** What happened to a secret. */
  public enum Type { UPDATED, ROTATED, REVOKED, DELETED }
}
