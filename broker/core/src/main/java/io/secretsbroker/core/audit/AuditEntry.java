package io.secretsbroker.core.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * What happened in one request. Never a value or a token.
 *
 * @param time when the request arrived
 * @param requestId the request id
 * @param principal who called ("anonymous" when unauthenticated)
 * @param peer the caller's address
 * @param method the full gRPC method
 * @param name the secret or prefix concerned ("" when none)
 * @param version the version or stage asked for or served ("" when none)
 * @param outcome the status code name ("OK", "PERMISSION_DENIED", ...)
 * @param cacheHit whether the cache served the value
 * @param latencyMicros time to serve, in microseconds
 * @param detail a short, safe detail ("" when none)
 */
public record AuditEntry(Instant time, String requestId, String principal, String peer, String method, String name,
    String version, String outcome, boolean cacheHit, long latencyMicros, String detail) {
  public AuditEntry {
    Objects.requireNonNull(time, "time");
    requestId = clip(requestId, 64);
    principal = clip(principal, 512);
    peer = clip(peer, 256);
    method = clip(method, 256);
    name = clip(name, 512);
    version = clip(version, 256);
    outcome = clip(outcome, 32);
    detail = clip(detail, 1024);
  }

  private static String clip(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max);
  }
}
