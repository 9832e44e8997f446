package io.secretsbroker.client;

import io.secretsbroker.proto.v1.RotationPolicy;
import java.time.Instant;
import java.util.List;

/**
 * What the broker knows about a secret, without its value.
 *
 * @param name the secret's full name
 * @param mount the mount prefix that routes the name ({@code ""} for the root mount)
 * @param backend the mount's backend kind, e.g. {@code local} or {@code vault}
 * @param versions every version still kept, oldest first
 * @param createdAt when the secret was first written, or {@code null} if unknown
 * @param updatedAt when the current version was written, or {@code null} if unknown
 * @param rotationPolicy the rotation policy in force
 * @param lastRotatedAt when it was last rotated, or {@code null} if it never was
 * @param nextRotationAt when the next rotation is due, or {@code null} if unknown
 */
public record SecretDescription(
    String name,
    String mount,
    String backend,
    List<VersionMetadata> versions,
    Instant createdAt,
    Instant updatedAt,
    RotationPolicy rotationPolicy,
    Instant lastRotatedAt,
    Instant nextRotationAt) {
  /** Copies {@code versions} into an unmodifiable list. */
  public SecretDescription {
    versions = List.copyOf(versions);
  }
}
