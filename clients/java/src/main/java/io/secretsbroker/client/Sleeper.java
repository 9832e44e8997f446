package io.secretsbroker.client;

import java.time.Duration;

/** Waits between retries; replaced by a recording fake in tests. */
@FunctionalInterface
interface Sleeper {
  Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
