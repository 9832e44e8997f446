package io.secretsbroker.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition by asking it again and again until a deadline. */
public final class Poll {
  private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private Poll() {}

  /**
   * Returns once {@code condition} holds, or fails naming {@code what} when it still does not after {@code limit}.
   *
   * @return how long it took, in milliseconds
   */
  public static long until(String what, Duration limit, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      LockSupport.parkNanos(PAUSE_NANOS);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
