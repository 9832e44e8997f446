package io.secretsbroker.spi;

import java.time.Instant;

/**
 * Listing entry of one secret.
 *
 * @param name the secret name as the backend sees it
 * @param currentVersion the current version id, or null when none holds the stage
 * @param createdAt when the secret was first written
 * @param updatedAt when its newest version was written
 */
public record SecretSummary(String name, String currentVersion, Instant createdAt, Instant updatedAt) {
  /** This summary under another name. */
  public SecretSummary withName(String newName) {
    return new SecretSummary(newName, currentVersion, createdAt, updatedAt);
  }
}
