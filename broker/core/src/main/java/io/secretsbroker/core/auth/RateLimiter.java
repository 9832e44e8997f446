package io.secretsbroker.core.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket per principal: {@code ratePerSecond} requests a second on average, bursts up to {@code burst}.
 * Buckets of idle principals are forgotten after ten minutes. Thread-safe; time comes from an injected nanosecond
 * source.
 */
public final class RateLimiter {
  private static final class Bucket {
    double tokens;
    long last;
  }

  private final double ratePerNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Cache<String, Bucket> buckets;

  /**
   * @param ratePerSecond average requests a second per principal; must be positive
   * @param burst the most requests at once
   */
  public RateLimiter(double ratePerSecond, int burst, LongSupplier nanoTime) {
    if (ratePerSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate must be positive and burst at least 1");
    }
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).maximumSize(100_000).build();
  }

  /** Takes one request from the principal's bucket; false when it is empty. */
  public boolean tryAcquire(String principal) {
    Bucket b = buckets.get(principal, k -> {
      Bucket nb = new Bucket();
      nb.tokens = burst;
      nb.last = nanoTime.getAsLong();
      return nb;
    });
    synchronized (b) {
      long now = nanoTime.getAsLong();
      b.tokens = Math.min(burst, b.tokens + (now - b.last) * ratePerNano);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
