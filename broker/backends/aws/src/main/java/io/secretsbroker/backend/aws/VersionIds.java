package io.secretsbroker.backend.aws;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Makes version ids: time-ordered UUIDs (version 7, RFC 9562) read from the injected clock, so that the ids one
 * broker writes sort in the order it wrote them even when AWS reports equal creation times. Within one
 * millisecond, or when the clock stands still or steps back, a counter keeps the ids increasing. Thread-safe.
 *
 * <p>An id is sent to AWS as the {@code ClientRequestToken} of the write and becomes the AWS version id.
 */
final class VersionIds {
  /** AWS's limits on the length of a version id (and of a client request token). */
  static final int MIN_LENGTH = 32;
  static final int MAX_LENGTH = 64;

  private static final int COUNTER_BITS = 12;
  private static final int COUNTER_LIMIT = 1 << COUNTER_BITS;

  private final Clock clock;
  private final SecureRandom random;
  private long lastMillis = Long.MIN_VALUE;
  private int counter;

  VersionIds(Clock clock, SecureRandom random) {
    this.clock = clock;
    this.random = random;
  }

  /** A new id, greater (as a string) than every id this instance made before. */
  synchronized String next() {
    long now = clock.millis();
    if (now > lastMillis) {
      lastMillis = now;
      counter = random.nextInt(COUNTER_LIMIT / 2);
    } else if (++counter == COUNTER_LIMIT) {
      lastMillis++;
      counter = 0;
    }
    long msb = (lastMillis << 16) | (0x7L << COUNTER_BITS) | counter;
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }

  /** Whether AWS could hold a version with id {@code id}; ids of any other length name no version. */
  static boolean isPossibleAwsVersionId(String id) {
    return id.length() >= MIN_LENGTH && id.length() <= MAX_LENGTH;
  }
}
