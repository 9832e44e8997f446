package io.secretsbroker.core.rotation;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a secret is rotated, how its new value is made and how long the previous version stays readable.
 *
 * @param interval time between rotations, {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}
 * @param generator how the new value is made
 * @param grace how long the previous version keeps the {@code previous} stage after a rotation, zero to
 *     {@link #MAX_GRACE}; a grace longer than the interval is cut short by the next rotation
 */
public record RotationPolicy(Duration interval, Generator generator, Duration grace) {
  /** The default interval: 90 days. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofDays(90);
  /** The default grace period of the previous version: 24 hours. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
  /** The shortest interval a policy may ask for: 1 hour. */
  public static final Duration MIN_INTERVAL = Duration.ofHours(1);
  /** The longest interval a policy may ask for: 3650 days. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(3650);
  /** The longest grace period a policy may ask for: 365 days. */
  public static final Duration MAX_GRACE = Duration.ofDays(365);
  /** The built-in policy: every 90 days, a 32-character password, 24 hours of grace. */
  public static final RotationPolicy DEFAULT = new RotationPolicy(DEFAULT_INTERVAL, Generator.DEFAULT, DEFAULT_GRACE);

  public RotationPolicy {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(generator, "generator");
    Objects.requireNonNull(grace, "grace");
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException("interval: must be between 1h and 3650d, was " + interval);
    }
    if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
      throw new IllegalArgumentException("grace: must be between 0 and 365d, was " + grace);
    }
  }

  /** This policy with each field the override sets replaced. */
  public RotationPolicy with(PolicyOverride override) {
    return new RotationPolicy(override.interval().orElse(interval), override.generator().orElse(generator),
        override.grace().orElse(grace));
  }
}
