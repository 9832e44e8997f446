package io.secretsbroker.core.audit;

import java.time.Instant;

/**
 * Filters for {@link AuditLog#query}; empty strings and nulls match everything.
 *
 * @param principal exact (typed) principal
 * @param namePrefix secret name prefix
 * @param method full method name, or its last part (e.g. "GetSecret")
 * @param outcome status code name
 * @param requestId exact request id
 * @param from inclusive start time
 * @param to exclusive end time
 * @param after only records after this position in the newest-first order (paging); null for the newest
 * @param limit the most records
 */
public record AuditQuery(String principal, String namePrefix, String method, String outcome, String requestId,
    Instant from, Instant to, Cursor after, int limit) {

  /** A position in the newest-first order of records. */
  public record Cursor(long timeMillis, String replica, long sequence) {}
}
