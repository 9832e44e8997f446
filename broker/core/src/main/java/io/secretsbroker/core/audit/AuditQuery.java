package io.secretsbroker.core.audit;

import java.time.Instant;

/**
 * Filters for {@link AuditLog#query}; empty strings and nulls match everything.
 *
 * @param principal exact principal
 * @param namePrefix secret name prefix
 * @param method full method name, or its last part (e.g. "GetSecret")
 * @param outcome status code name
 * @param from inclusive start time
 * @param to exclusive end time
 * @param beforeSequence only records older than this sequence (paging); 0 for the newest
 * @param limit the most records
 */
public record AuditQuery(String principal, String namePrefix, String method, String outcome, Instant from,
    Instant to, long beforeSequence, int limit) {}
