package io.secretsbroker.core.rotation;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret's own rotation settings; each empty field takes the default for the secret's prefix.
 *
 * @param interval the interval, if the secret sets one (same range as {@link RotationPolicy#interval()})
 * @param generator the generator, if the secret sets one
 * @param grace the grace period, if the secret sets one (same range as {@link RotationPolicy#grace()})
 */
public record PolicyOverride(Optional<Duration> interval, Optional<Generator> generator, Optional<Duration> grace) {
  /** Sets nothing: the prefix defaults apply. */
  public static final PolicyOverride NONE = new PolicyOverride(Optional.empty(), Optional.empty(), Optional.empty());

  public PolicyOverride {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(generator, "generator");
    Objects.requireNonNull(grace, "grace");
    new RotationPolicy(interval.orElse(RotationPolicy.DEFAULT_INTERVAL), generator.orElse(Generator.DEFAULT),
        grace.orElse(RotationPolicy.DEFAULT_GRACE));
  }

  /** Whether the override sets no field. */
  public boolean isEmpty() {
    return interval.isEmpty() && generator.isEmpty() && grace.isEmpty();
  }
}
