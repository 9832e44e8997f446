package io.secretsbroker.spi;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Metadata of one version of a secret; never the value.
 *
 * @param version the backend's version id, opaque to callers
 * @param stages the stages this version holds now (possibly none), unmodifiable
 * @param createdAt when the version was written
 */
public record VersionInfo(String version, Set<Stage> stages, Instant createdAt) {
  public VersionInfo {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(createdAt, "createdAt");
    stages = stages.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(stages));
  }

  /** Whether this version holds {@code stage}. */
  public boolean has(Stage stage) {
    return stages.contains(stage);
  }
}
