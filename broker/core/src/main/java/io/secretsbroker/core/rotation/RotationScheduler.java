package io.secretsbroker.core.rotation;

import io.micrometer.core.instrument.MeterRegistry;
import io.secretsbroker.core.BrokerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates due secrets in the background. Each scan ({@link #runOnce()}), while this broker holds the
 * {@link LeaderLock}:
 * <ol>
 *   <li>resumes rotations left unfinished (crash, or failure whose retry wait has passed);</li>
 *   <li>lists every secret with its age and rotates those due, skipping secrets whose retry wait has not passed,
 *       secrets with an external generator (they stay overdue until an operator rotates them) and secrets still
 *       inside their jitter ({@link RotationSettings#maxJitter()}); at most {@link RotationSettings#concurrency()}
 *       rotations run at once;</li>
 *   <li>retires previous versions whose grace period has ended;</li>
 *   <li>sets the {@code secrets_rotation_overdue} gauge.</li>
 * </ol>
 * Failed rotations are recorded with their safe message and retried with exponential backoff, capped at
 * {@link RotationSettings#retryMaxBackoff()}. {@link #start()} scans at once and then every
 * {@link RotationSettings#scanInterval()}; tests call {@link #runOnce()} with a fake clock instead. Scans never
 * overlap. Thread-safe.
 */
public final class RotationScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RotationScheduler.class);

  /** Told about each rotation the scheduler completes or fails, e.g. to audit it. Must not block for long. */
  public interface Listener {
    /** A rotation completed; {@code resumed} when it was an unfinished one picked up again. */
    default void rotated(RotationOutcome outcome, boolean resumed) {}

    /** A rotation attempt failed (already recorded in the secret's rotation status). */
    default void failed(String name, BrokerException failure) {}
  }

  /**
   * What one scan did.
   *
   * @param leader whether this broker held the leader lock (when false, nothing else was done)
   * @param due secrets past their due time at the start of the scan
   * @param started rotations started or resumed
   * @param rotated rotations completed
   * @param failed rotation attempts that failed
   * @param retired previous versions retired after their grace period
   * @param overdue secrets still past their due time after the scan
   */
  public record ScanReport(boolean leader, int due, int started, int rotated, int failed, int retired, int overdue) {
    static ScanReport notLeader() {
      return new ScanReport(false, 0, 0, 0, 0, 0, 0);
    }
  }

  private record Work(String name, RotationRow resume) {}

  private final RotationEngine engine;
  private final SecretAges ages;
  private final LeaderLock leader;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final RotationSettings settings;
  private final long jitterSeed;
  private final Listener listener;
  private final AtomicLong overdueGauge = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private ScheduledFuture<?> scans;

  /**
   * @param executor runs the periodic scan and up to {@code concurrency - 1} helpers during a scan (the scanning
   *     thread rotates too, so any pool size works)
   * @param jitterSeed seeds the per-secret jitter (random per process in production, fixed in tests)
   */
  public RotationScheduler(RotationEngine engine, SecretAges ages, LeaderLock leader,
      ScheduledExecutorService executor, Clock clock, MeterRegistry registry, long jitterSeed, Listener listener) {
    this.engine = engine;
    this.ages = ages;
    this.leader = leader;
    this.executor = executor;
    this.clock = clock;
    this.settings = engine.settings();
    this.jitterSeed = jitterSeed;
    this.listener = listener;
    RotationMetrics.overdueGauge(registry, overdueGauge);
  }

  /** Scans at once, then every scan interval, until {@link #close()}. */
  public synchronized void start() {
    if (scans != null || closed.get()) {
      throw new IllegalStateException("the rotation scheduler was already started or closed");
    }
    long every = settings.scanInterval().toMillis();
    scans = executor.scheduleWithFixedDelay(() -> {
      try {
        runOnce();
      } catch (RuntimeException e) {
        log.warn("rotation scan failed, next in {}: {}", settings.scanInterval(), e.getMessage());
      }
    }, 0, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs one scan now, in the calling thread (with helpers from the executor), and returns when it is done.
   *
   * @throws BrokerException UNAVAILABLE when the state database cannot be read
   */
  public synchronized ScanReport runOnce() {
    if (closed.get() || !leader.tryAcquire()) {
      return ScanReport.notLeader();
    }
    long nowMs = clock.millis();
    Instant now = clock.instant();
    Map<String, RotationRow> rows = engine.rows();
    List<Work> work = new ArrayList<>();
    Set<String> busy = new HashSet<>();
    for (RotationRow row : rows.values()) {
      if (row.state() != RotationState.IDLE) {
        busy.add(row.name());
        if (engine.isAbandoned(row, nowMs)) {
          work.add(new Work(row.name(), row));
        }
      }
    }
    RotationPolicies.Snapshot policies = engine.policies().snapshot();
    List<SecretAges.Age> listed = ages.under("", (mount, e) ->
        log.warn("rotation scan skipped mount '{}': {}", mount, e.getMessage()));
    Set<String> due = new HashSet<>();
    for (SecretAges.Age age : listed) {
      if (!age.rotationDue()) {
        continue;
      }
      String name = age.name();
      due.add(name);
      RotationRow row = rows.get(name);
      if (busy.contains(name) || (row != null && row.nextAttemptMs() > nowMs)
          || policies.policyFor(name).generator() instanceof Generator.External
          || now.isBefore(age.dueAt().plus(jitterFor(name, age.dueAt())))) {
        continue;
      }
      work.add(new Work(name, null));
    }
    Set<String> rotated = ConcurrentHashMap.newKeySet();
    AtomicInteger failed = new AtomicInteger();
    runBounded(work, rotated, failed);
    int retired = closed.get() || !leader.tryAcquire() ? 0 : engine.retireExpired();
    int overdue = (int) due.stream().filter(n -> !rotated.contains(n)).count();
    overdueGauge.set(overdue);
    return new ScanReport(true, due.size(), work.size(), rotated.size(), failed.get(), retired, overdue);
  }

  /** Runs the work with at most {@code concurrency} rotations at once: this thread plus helpers. */
  private void runBounded(List<Work> work, Set<String> rotated, AtomicInteger failed) {
    if (work.isEmpty()) {
      return;
    }
    Queue<Work> queue = new ConcurrentLinkedQueue<>(work);
    int helpers = Math.min(settings.concurrency(), work.size()) - 1;
    CountDownLatch helpersDone = new CountDownLatch(helpers);
    List<AtomicBoolean> begun = new ArrayList<>();
    for (int i = 0; i < helpers; i++) {
      AtomicBoolean b = new AtomicBoolean();
      begun.add(b);
      try {
        executor.execute(() -> {
          if (b.compareAndSet(false, true)) {
            try {
              drain(queue, rotated, failed);
            } finally {
              helpersDone.countDown();
            }
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the executor is shutting down: this thread does the work alone
      }
    }
    drain(queue, rotated, failed);
    for (AtomicBoolean b : begun) {
      if (b.compareAndSet(false, true)) {
        helpersDone.countDown(); // never started: nothing to wait for
      }
    }
    try {
      helpersDone.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain(Queue<Work> queue, Set<String> rotated, AtomicInteger failed) {
    Work w;
    while (!closed.get() && leader.tryAcquire() && (w = queue.poll()) != null) {
      try {
        Optional<RotationOutcome> outcome = w.resume() != null ? engine.resume(w.resume())
            : Optional.of(engine.rotate(w.name(), null));
        if (outcome.isPresent()) {
          rotated.add(w.name());
          listener.rotated(outcome.get(), w.resume() != null);
        }
      } catch (BrokerException e) {
        failed.incrementAndGet();
        listener.failed(w.name(), e);
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        log.error("scheduled rotation of '{}' failed unexpectedly", w.name(), e);
      }
    }
  }

  /** The jitter of a secret due at {@code dueAt}: fixed per secret and due time, in {@code [0, maxJitter)}. */
  Duration jitterFor(String name, Instant dueAt) {
    long max = settings.maxJitter().toMillis();
    if (max <= 0) {
      return Duration.ZERO;
    }
    long seed = jitterSeed ^ (0x9E3779B97F4A7C15L * name.hashCode()) ^ dueAt.toEpochMilli();
    return Duration.ofMillis(new SplittableRandom(seed).nextLong(max));
  }

  /** Stops scanning, waits for a scan in progress to finish its current rotations, and releases the lock. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> s;
    synchronized (this) {
      s = scans;
    }
    if (s != null) {
      s.cancel(false);
    }
    synchronized (this) {
      leader.release();
    }
  }
}
