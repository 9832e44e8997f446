package io.secretsbroker.core.revocation;

import java.time.Instant;

/**
 * A revoked version.
 *
 * @param name the full secret name
 * @param version the revoked version id
 * @param reason why, as given by the operator
 * @param principal who revoked it
 * @param revokedAt when
 */
public record Revocation(String name, String version, String reason, String principal, Instant revokedAt) {}
