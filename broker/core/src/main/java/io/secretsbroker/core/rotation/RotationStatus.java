package io.secretsbroker.core.rotation;

import java.time.Instant;
import java.util.Optional;

/**
 * A secret's rotation policy and where its rotation stands.
 *
 * @param name the full name
 * @param policy the policy in force
 * @param state where an in-flight rotation stands ({@link RotationState#IDLE} when none)
 * @param lastRotated when the last rotation completed; empty when the secret was never rotated
 * @param createdAt when the secret was first written
 * @param nextRotation when the next rotation is due: the current version's creation time plus the interval
 * @param pendingVersion the pending version of an in-flight rotation ({@code ""} when none or not yet known)
 * @param lastError the last failed attempt's safe message ({@code ""} when the last attempt succeeded)
 * @param attempt attempts since the last success
 */
public record RotationStatus(String name, RotationPolicy policy, RotationState state, Optional<Instant> lastRotated,
    Instant createdAt, Instant nextRotation, String pendingVersion, String lastError, int attempt) {}
