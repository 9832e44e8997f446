package io.secretsbroker.core.audit;

import java.time.Instant;

/**
 * Read activity on one secret, from the audit log.
 *
 * @param name the secret
 * @param accessCount successful reads
 * @param lastAccessed time of the last successful read (null if none)
 * @param lastAccessor principal of the last successful read ("" if none)
 * @param deniedCount refused requests
 */
public record AccessStats(String name, long accessCount, Instant lastAccessed, String lastAccessor, long deniedCount) {}
