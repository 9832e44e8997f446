package io.secretsbroker.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link Scheduler} that runs nothing until the test says so; time never passes by itself. */
final class ManualScheduler implements Scheduler {
  private static final class Task {
    final Runnable runnable;
    final Duration delay;
    boolean cancelled;
    boolean done;

    Task(Runnable runnable, Duration delay) {
      this.runnable = runnable;
      this.delay = delay;
    }
  }

  private final List<Task> tasks = new ArrayList<>();
  private boolean shutDown;

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Task t = new Task(task, delay);
    if (!shutDown) {
      tasks.add(t);
    }
    return () -> {
      synchronized (this) {
        t.cancelled = true;
      }
    };
  }

  @Override
  public synchronized void shutdown() {
    shutDown = true;
  }

  /** The delays of tasks neither run nor cancelled, in scheduling order. */
  synchronized List<Duration> pending() {
    return tasks.stream().filter(t -> !t.cancelled && !t.done).map(t -> t.delay).toList();
  }

  /** Runs the tasks pending now, shortest delay first; tasks they schedule wait for the next call. */
  void runPending() {
    List<Task> batch;
    synchronized (this) {
      batch = new ArrayList<>(tasks.stream().filter(t -> !t.cancelled && !t.done).toList());
    }
    batch.sort(Comparator.comparing(t -> t.delay));
    for (Task t : batch) {
      synchronized (this) {
        if (t.cancelled) {
          continue;
        }
        t.done = true;
      }
      t.runnable.run();
    }
  }
}
