package io.secretsbroker.client;

import java.time.Instant;
import java.util.Set;

/**
 * Metadata of one version of a secret; never the value.
 *
 * @param version the version id (opaque)
 * @param stages the stages it holds now, possibly none
 * @param createdAt when it was written, or {@code null} if unknown
 * @param revoked whether it has been revoked (a revoked version is never served)
 */
public record VersionMetadata(String version, Set<Stage> stages, Instant createdAt, boolean revoked) {
  /** Copies {@code stages} into an unmodifiable set. */
  public VersionMetadata {
    stages = Set.copyOf(stages);
  }
}
