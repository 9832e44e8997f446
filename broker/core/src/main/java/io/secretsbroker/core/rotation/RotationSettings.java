package io.secretsbroker.core.rotation;

import java.time.Duration;
import java.util.Objects;

/**
 * How the rotation scheduler and engine behave.
 *
 * @param scanInterval time between scans for due secrets
 * @param concurrency the most rotations one scan runs at once
 * @param maxJitter a secret due at {@code T} is rotated by the first scan after {@code T + j}, with {@code j} drawn
 *     uniformly from {@code [0, maxJitter)} per secret, so secrets created together are not rotated together
 * @param retryInitialBackoff the wait after a rotation's first failure; it doubles with each further failure
 * @param retryMaxBackoff the longest wait between retries
 * @param takeoverAfter how long an unfinished rotation driven by another engine must have made no progress before
 *     this engine resumes it; {@link Duration#ZERO} means every rotation this process is not running is abandoned
 *     (one broker per state database, e.g. embedded H2)
 */
public record RotationSettings(Duration scanInterval, int concurrency, Duration maxJitter,
    Duration retryInitialBackoff, Duration retryMaxBackoff, Duration takeoverAfter) {
  /** Default time between scans: 60 seconds. */
  public static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(60);
  /** Default number of rotations run at once: 2. */
  public static final int DEFAULT_CONCURRENCY = 2;
  /** The most rotations a scan may run at once. */
  public static final int MAX_CONCURRENCY = 64;
  /** Default jitter bound: 5 minutes. */
  public static final Duration DEFAULT_MAX_JITTER = Duration.ofMinutes(5);
  /** Default first retry wait: 1 minute. */
  public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMinutes(1);
  /** Default longest retry wait: 1 hour. */
  public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofHours(1);
  /** Takeover wait when several brokers share a PostgreSQL state database: 5 minutes. */
  public static final Duration SHARED_STATE_TAKEOVER_AFTER = Duration.ofMinutes(5);

  public RotationSettings {
    Objects.requireNonNull(scanInterval, "scanInterval");
    Objects.requireNonNull(maxJitter, "maxJitter");
    Objects.requireNonNull(retryInitialBackoff, "retryInitialBackoff");
    Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
    Objects.requireNonNull(takeoverAfter, "takeoverAfter");
    if (scanInterval.isNegative() || scanInterval.isZero()) {
      throw new IllegalArgumentException("scan interval must be positive, was " + scanInterval);
    }
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new IllegalArgumentException("concurrency must be between 1 and " + MAX_CONCURRENCY + ", was "
          + concurrency);
    }
    if (maxJitter.isNegative() || takeoverAfter.isNegative()) {
      throw new IllegalArgumentException("jitter and takeover wait must not be negative");
    }
    if (retryInitialBackoff.isNegative() || retryInitialBackoff.isZero()
        || retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
      throw new IllegalArgumentException("retry backoff must be positive and its maximum at least its start");
    }
  }

  /** The defaults, for one broker per state database. */
  public static RotationSettings defaults() {
    return new RotationSettings(DEFAULT_SCAN_INTERVAL, DEFAULT_CONCURRENCY, DEFAULT_MAX_JITTER,
        DEFAULT_RETRY_INITIAL_BACKOFF, DEFAULT_RETRY_MAX_BACKOFF, Duration.ZERO);
  }

  /** These settings with another takeover wait. */
  public RotationSettings withTakeoverAfter(Duration d) {
    return new RotationSettings(scanInterval, concurrency, maxJitter, retryInitialBackoff, retryMaxBackoff, d);
  }

  /** The wait before the retry that follows failed attempt number {@code attempt} (1 for the first failure). */
  public Duration backoff(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 30));
    Duration d = retryInitialBackoff.multipliedBy(1L << doublings);
    return d.compareTo(retryMaxBackoff) > 0 ? retryMaxBackoff : d;
  }
}
