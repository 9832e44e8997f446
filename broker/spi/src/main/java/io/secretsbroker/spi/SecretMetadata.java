package io.secretsbroker.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything a backend knows about a secret except values.
 *
 * @param name the secret name as the backend sees it
 * @param versions every version still kept, oldest first
 * @param createdAt when the secret was first written
 * @param updatedAt when its newest version was written
 */
public record SecretMetadata(String name, List<VersionInfo> versions, Instant createdAt, Instant updatedAt) {
  public SecretMetadata {
    versions = List.copyOf(versions);
  }

  /** The version holding {@code stage}, if any. */
  public Optional<VersionInfo> withStage(Stage stage) {
    return versions.stream().filter(v -> v.has(stage)).findFirst();
  }

  /** The current version, if any. */
  public Optional<VersionInfo> current() {
    return withStage(Stage.CURRENT);
  }

  /** This metadata under another name. */
  public SecretMetadata withName(String newName) {
    return new SecretMetadata(newName, versions, createdAt, updatedAt);
  }
}
