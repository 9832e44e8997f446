package io.secretsbroker.server.grpc;

import io.grpc.Context;
import io.secretsbroker.core.auth.Principal;

/**
 * What the interceptors learned about the current call, and what the handler tells the audit record. One per
 * call, reachable from the handler through {@link #current()}.
 */
public final class CallContext {
  static final Context.Key<CallContext> KEY = Context.key("secretsbroker-call");

  private final String requestId;
  private final String method;
  private final String peer;
  private final long startNanos;
  private volatile Principal principal;
  private volatile String name = "";
  private volatile String version = "";
  private volatile boolean cacheHit;
  private volatile String detail = "";
  private final java.util.List<Item> items = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * One item of a batch call, recorded as its own audit record.
   *
   * @param name the secret
   * @param version the version or stage asked for, or served
   * @param outcome the item's status code name
   * @param cacheHit whether the cache served it
   * @param detail a safe detail ("" when none)
   */
  public record Item(String name, String version, String outcome, boolean cacheHit, String detail) {}

  CallContext(String requestId, String method, String peer, long startNanos) {
    this.requestId = requestId;
    this.method = method;
    this.peer = peer;
    this.startNanos = startNanos;
  }

  /** The current call's context. */
  public static CallContext current() {
    CallContext c = KEY.get();
    if (c == null) {
      throw new IllegalStateException("no call context: the interceptors are not installed");
    }
    return c;
  }

  /** The request id sent back as {@code x-request-id}. */
  public String requestId() {
    return requestId;
  }

  /** The full method name. */
  public String method() {
    return method;
  }

  /** The caller's address. */
  public String peer() {
    return peer;
  }

  /** When the call arrived ({@link System#nanoTime()}). */
  public long startNanos() {
    return startNanos;
  }

  /** The authenticated caller (null before authentication). */
  public Principal principal() {
    return principal;
  }

  void principal(Principal p) {
    this.principal = p;
  }

  /** Records the secret (or prefix) the call is about. */
  public CallContext target(String secretName, String versionOrStage) {
    this.name = secretName == null ? "" : secretName;
    this.version = versionOrStage == null ? "" : versionOrStage;
    return this;
  }

  /** Records the version served and whether the cache served it. */
  public void served(String servedVersion, boolean fromCache) {
    this.version = servedVersion;
    this.cacheHit = fromCache;
  }

  /** Adds a detail for the audit record (never a value or token). */
  public void detail(String text) {
    this.detail = text == null ? "" : text;
  }

  /** Adds a batch item: the call is then recorded as one record per item. */
  public void item(Item item) {
    items.add(item);
  }

  /** The batch items recorded so far (empty for a single-item call). */
  public java.util.List<Item> items() {
    return java.util.List.copyOf(items);
  }

  /** The secret name recorded. */
  public String name() {
    return name;
  }

  /** The version or stage recorded. */
  public String version() {
    return version;
  }

  /** Whether the cache served the value. */
  public boolean cacheHit() {
    return cacheHit;
  }

  /** The audit detail. */
  public String detail() {
    return detail;
  }
}
