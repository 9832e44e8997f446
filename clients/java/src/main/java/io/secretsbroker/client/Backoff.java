package io.secretsbroker.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Jittered exponential backoff: before retry {@code n} (from 0) waits a uniform random time in
 * {@code [d/2, d]} where {@code d = min(max, initial * 2^n)}.
 */
final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;

  Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initial = initial;
    this.max = max;
    this.random = random;
  }

  Duration delay(int retry) {
    long ceiling = max.toNanos();
    long d = initial.toNanos();
    for (int i = 0; i < retry && d < ceiling; i++) {
      d *= 2;
    }
    d = Math.min(d, ceiling);
    long half = d / 2;
    return Duration.ofNanos(half + (long) (random.nextDouble() * (d - half)));
  }

  Duration max() {
    return max;
  }
}
