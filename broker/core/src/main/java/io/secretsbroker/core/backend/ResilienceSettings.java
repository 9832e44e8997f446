package io.secretsbroker.core.backend;

import java.time.Duration;

/**
 * How a mount retries and when it stops calling a failing backend.
 *
 * @param maxAttempts attempts per read-type call (1 = no retry)
 * @param initialBackoff the first backoff; later ones double, each randomised by ±50%
 * @param maxBackoff the longest backoff
 * @param failureRateThreshold percentage of failed calls (in the sliding window) that opens the circuit
 * @param slidingWindowSize how many recent calls the failure rate is computed over
 * @param openDuration how long an open circuit refuses calls before letting a probe through
 */
public record ResilienceSettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
    float failureRateThreshold, int slidingWindowSize, Duration openDuration) {

  public ResilienceSettings {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("max attempts must be between 1 and 10, was " + maxAttempts);
    }
  }

  /** 3 attempts from 100 ms up to 2 s; circuit opens at 50% failures over 20 calls, for 10 s. */
  public static ResilienceSettings defaults() {
    return new ResilienceSettings(3, Duration.ofMillis(100), Duration.ofSeconds(2), 50f, 20, Duration.ofSeconds(10));
  }
}
