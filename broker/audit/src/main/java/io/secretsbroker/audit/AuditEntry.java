package io.secretsbroker.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * What happened in one request (or one item of a batch). Never a value or a token. Every text field is {@linkplain
 * AuditText#escape escaped} and clipped on construction, so any input can be recorded by every sink.
 *
 * @param kind an access, or the intent or outcome of a mutation
 * @param time when the request arrived
 * @param requestId the request id (also sent to the caller as {@code x-request-id})
 * @param principal the typed principal: {@code token:NAME}, {@code spiffe://…}, {@code cert:CN}, {@code system:…}
 *     or {@code anonymous}
 * @param authMethod {@code token}, {@code mtls}, {@code system} or {@code none}
 * @param tokenAccessor the token's non-secret accessor ("" when no token was used)
 * @param peer the caller's address
 * @param method the full gRPC method
 * @param name the secret or prefix concerned ("" when none)
 * @param version the version or stage asked for or served ("" when none)
 * @param outcome the status code name ("OK", "PERMISSION_DENIED", ...; "PENDING" for an intent)
 * @param cacheHit whether the cache served the value
 * @param latencyMicros time to serve, in microseconds
 * @param detail a short, safe detail ("" when none)
 */
public record AuditEntry(Kind kind, Instant time, String requestId, String principal, String authMethod,
    String tokenAccessor, String peer, String method, String name, String version, String outcome, boolean cacheHit,
    long latencyMicros, String detail) {

  /** What a record stands for. */
  public enum Kind {
    /** A request (or one item of a batch) and its outcome. */
    ACCESS,
    /** A mutation about to be attempted: durable before any backend is called. */
    INTENT,
    /** The outcome of a mutation whose intent was recorded. */
    OUTCOME;

    static Kind ofCode(int code) {
      Kind[] all = values();
      if (code < 0 || code >= all.length) {
        throw new IllegalArgumentException("unknown record kind " + code);
      }
      return all[code];
    }
  }

  public AuditEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(time, "time");
    requestId = AuditText.escape(requestId, 64);
    principal = AuditText.escape(principal, 512);
    authMethod = AuditText.escape(authMethod, 16);
    tokenAccessor = AuditText.escape(tokenAccessor, 64);
    peer = AuditText.escape(peer, 256);
    method = AuditText.escape(method, 256);
    name = AuditText.escape(name, 512);
    version = AuditText.escape(version, 256);
    outcome = AuditText.escape(outcome, 32);
    detail = AuditText.escape(detail, 1024);
    if (latencyMicros < 0) {
      latencyMicros = 0;
    }
  }

  /** A builder for an entry of {@code kind} at {@code time}; unset text fields are "". */
  public static Builder builder(Kind kind, Instant time) {
    return new Builder(kind, time);
  }

  /** A copy with another kind, outcome and detail (an intent's outcome record). */
  public AuditEntry withOutcome(Kind newKind, String newOutcome, String newDetail) {
    // the kept fields are already escaped: unescaped here, the constructor makes them the same text again
    return new AuditEntry(newKind, time, AuditText.unescape(requestId), AuditText.unescape(principal),
        AuditText.unescape(authMethod), AuditText.unescape(tokenAccessor), AuditText.unescape(peer),
        AuditText.unescape(method), AuditText.unescape(name), AuditText.unescape(version), newOutcome, cacheHit,
        latencyMicros, newDetail);
  }

  /** Builds an {@link AuditEntry}. Not thread-safe. */
  public static final class Builder {
    private final Kind kind;
    private final Instant time;
    private String requestId = "";
    private String principal = "";
    private String authMethod = "";
    private String tokenAccessor = "";
    private String peer = "";
    private String method = "";
    private String name = "";
    private String version = "";
    private String outcome = "";
    private boolean cacheHit;
    private long latencyMicros;
    private String detail = "";

    private Builder(Kind kind, Instant time) {
      this.kind = kind;
      this.time = time;
    }

    public Builder requestId(String v) {
      this.requestId = v;
      return this;
    }

    public Builder principal(String v) {
      this.principal = v;
      return this;
    }

    public Builder authMethod(String v) {
      this.authMethod = v;
      return this;
    }

    public Builder tokenAccessor(String v) {
      this.tokenAccessor = v;
      return this;
    }

    public Builder peer(String v) {
      this.peer = v;
      return this;
    }

    public Builder method(String v) {
      this.method = v;
      return this;
    }

    public Builder name(String v) {
      this.name = v;
      return this;
    }

    public Builder version(String v) {
      this.version = v;
      return this;
    }

    public Builder outcome(String v) {
      this.outcome = v;
      return this;
    }

    public Builder cacheHit(boolean v) {
      this.cacheHit = v;
      return this;
    }

    public Builder latencyMicros(long v) {
      this.latencyMicros = v;
      return this;
    }

    public Builder detail(String v) {
      this.detail = v;
      return this;
    }

    public AuditEntry build() {
      return new AuditEntry(kind, time, requestId, principal, authMethod, tokenAccessor, peer, method, name, version,
          outcome, cacheHit, latencyMicros, detail);
    }
  }
}
