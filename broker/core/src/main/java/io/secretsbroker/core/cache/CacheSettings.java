package io.secretsbroker.core.cache;

import java.time.Duration;

/**
 * How one mount caches reads.
 *
 * @param ttl how long a value is served from the cache; {@link Duration#ZERO} turns the cache off
 * @param maximumSize the most entries kept
 * @param refreshAhead the fraction of the TTL after which a read triggers a background refresh (0.5 to 1; 1 = off)
 */
public record CacheSettings(Duration ttl, long maximumSize, double refreshAhead) {
  /** The default TTL: 300 s. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(300);
  /** The default maximum size. */
  public static final long DEFAULT_MAXIMUM_SIZE = 10_000;
  /** The default refresh point: 80% of the TTL. */
  public static final double DEFAULT_REFRESH_AHEAD = 0.8;

  public CacheSettings {
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("cache ttl must not be negative, was " + ttl);
    }
    if (maximumSize < 1) {
      throw new IllegalArgumentException("cache maximum size must be positive, was " + maximumSize);
    }
    if (refreshAhead < 0.5 || refreshAhead > 1.0) {
      throw new IllegalArgumentException("cache refresh-ahead must be between 0.5 and 1.0, was " + refreshAhead);
    }
  }

  /** The defaults. */
  public static CacheSettings defaults() {
    return new CacheSettings(DEFAULT_TTL, DEFAULT_MAXIMUM_SIZE, DEFAULT_REFRESH_AHEAD);
  }

  /** Whether caching is on. */
  public boolean enabled() {
    return !ttl.isZero();
  }
}
