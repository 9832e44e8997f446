package io.secretsbroker.client;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Runs delayed background work (reconnects, polling, refreshes); replaced by a manual fake in tests. */
interface Scheduler {
  /**
   * Runs {@code task} once after {@code delay}; the returned handle cancels it if it has not run yet. After
   * {@link #shutdown()} the task is dropped.
   */
  Cancellable schedule(Runnable task, Duration delay);

  /** Stops running tasks. */
  void shutdown();

  /** A handle to a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /** A scheduler on one daemon thread. */
  static Scheduler singleThread() {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "secrets-broker-client");
      thread.setDaemon(true);
      return thread;
    });
    return new Scheduler() {
      @Override
      public Cancellable schedule(Runnable task, Duration delay) {
        try {
          ScheduledFuture<?> future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
          return () -> future.cancel(false);
        } catch (RejectedExecutionException shutDown) {
          return () -> {};
        }
      }

      @Override
      public void shutdown() {
        executor.shutdownNow();
      }
    };
  }
}
