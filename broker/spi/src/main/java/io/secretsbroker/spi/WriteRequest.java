package io.secretsbroker.spi;

import java.util.Objects;

/**
 * A request to write a new version of a secret.
 *
 * <p>With {@code stage == CURRENT} (a put), the new version becomes current, the old current becomes previous
 * and the old previous loses its stage. With {@code stage == PENDING} (the first step of a rotation) the new
 * version takes only the pending stage and current is untouched.
 *
 * @param name the secret name as the backend sees it
 * @param value the value
 * @param stage {@link Stage#CURRENT} or {@link Stage#PENDING}
 * @param expectedCurrentVersion check-and-set: null for none; the empty string for "must not exist yet";
 *     otherwise the version id that must be current, or the write fails with {@link ErrorCode#CONFLICT}
 */
public record WriteRequest(String name, SecretValue value, Stage stage, String expectedCurrentVersion) {
  public WriteRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(stage, "stage");
    if (stage == Stage.PREVIOUS) {
      throw new IllegalArgumentException("a new version is written as current or pending, never previous");
    }
  }

  /** A plain put: the new version becomes current. */
  public static WriteRequest put(String name, SecretValue value) {
    return new WriteRequest(name, value, Stage.CURRENT, null);
  }

  /** A new version staged as pending (rotation). */
  public static WriteRequest pending(String name, SecretValue value) {
    return new WriteRequest(name, value, Stage.PENDING, null);
  }

  /** This request with a check-and-set condition ({@code ""} = must not exist). */
  public WriteRequest expectingCurrent(String version) {
    return new WriteRequest(name, value, stage, version);
  }

  /** This request under another name. */
  public WriteRequest withName(String newName) {
    return new WriteRequest(newName, value, stage, expectedCurrentVersion);
  }
}
