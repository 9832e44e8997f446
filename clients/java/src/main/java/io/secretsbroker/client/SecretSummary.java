package io.secretsbroker.client;

import java.time.Instant;

/**
 * Listing metadata of one secret; never a value.
 *
 * @param name the secret's full name
 * @param currentVersion the current version id, empty if the secret has no current version
 * @param createdAt when the secret was first written, or {@code null} if unknown
 * @param updatedAt when its last version was written, or {@code null} if unknown
 */
public record SecretSummary(String name, String currentVersion, Instant createdAt, Instant updatedAt) {}
