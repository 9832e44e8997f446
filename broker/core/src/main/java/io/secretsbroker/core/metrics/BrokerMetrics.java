package io.secretsbroker.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The broker's own meters. Names follow design §10; Prometheus sees {@code secrets_accessed_total},
 * {@code secrets_cache_hits_total}, {@code secrets_cache_misses_total},
 * {@code secret_access_latency_seconds_bucket}, ... Never a value or token in a label.
 */
public final class BrokerMetrics {
  private final MeterRegistry registry;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  /** Meters looked up once per (backend, secret) and per backend: the read path does no registry lookups. */
  private final java.util.concurrent.ConcurrentHashMap<String, Counter> accessCounters =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<String, Timer> latencyTimers =
      new java.util.concurrent.ConcurrentHashMap<>();

  public BrokerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.cacheHits = Counter.builder("secrets.cache.hits").description("Reads served from the cache")
        .register(registry);
    this.cacheMisses = Counter.builder("secrets.cache.misses").description("Reads that went to the backend")
        .register(registry);
  }

  /** The registry, for components that register their own gauges. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Records one successful secret read. */
  public void accessed(String backend, String secretName, boolean fromCache, long nanos) {
    (fromCache ? cacheHits : cacheMisses).increment();
    accessCounters.computeIfAbsent(backend + '\u0000' + secretName, k -> Counter.builder("secrets.accessed")
        .description("Secret values served").tags("backend", backend, "secret_name", secretName)
        .register(registry)).increment();
    latencyTimers.computeIfAbsent(backend, this::latency).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer latency(String backend) {
    return Timer.builder("secret.access.latency").description("Time to serve a secret value, cache included")
        .tags("backend", backend)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  /** Forgets the access counter of a deleted secret, so deleted names do not pile up in memory. */
  public void forget(String backend, String secretName) {
    Counter c = accessCounters.remove(backend + '\u0000' + secretName);
    if (c != null) {
      registry.remove(c);
    }
  }

  /** Counts a request refused by policy. */
  public void denied(String capability) {
    Counter.builder("secrets.policy.denials").description("Requests refused by policy")
        .tag("capability", capability).register(registry).increment();
  }

  /** Counts a revocation. */
  public void revoked() {
    Counter.builder("secrets.revocations").description("Versions revoked").register(registry).increment();
  }

  /** Counts a revoked version a caller asked for and was refused. */
  public void revokedReadRefused() {
    Counter.builder("secrets.revoked.reads.refused").description("Reads refused because the version is revoked")
        .register(registry).increment();
  }

  /** Counts a write (put) by backend. */
  public void written(String backend) {
    Counter.builder("secrets.written").description("Secret versions written").tag("backend", backend)
        .register(registry).increment();
  }
}
