package io.secretsbroker.core.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.rotation.RotationEngine.Step;
import io.secretsbroker.core.rotation.RotationEngineTest.Crash;
import io.secretsbroker.core.rotation.RotationScheduler.ScanReport;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationSchedulerTest {
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir
  Path dir;
  RotationFixture f;
  final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4);
  final List<String> audited = new ArrayList<>();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
    if (f != null) {
      f.close();
    }
  }

  private static RotationSettings settings(Duration maxJitter, int concurrency) {
    RotationSettings d = RotationSettings.defaults();
    return new RotationSettings(d.scanInterval(), concurrency, maxJitter, d.retryInitialBackoff(),
        d.retryMaxBackoff(), Duration.ZERO);
  }

  private RotationScheduler scheduler(RotationEngine engine) {
    return scheduler(engine, LeaderLock.alwaysLeader());
  }

  private RotationScheduler scheduler(RotationEngine engine, LeaderLock lock) {
    return new RotationScheduler(engine, new SecretAges(f.mounts, f.policies, f.clock), lock, executor, f.clock,
        f.registry, 42L, new RotationScheduler.Listener() {
          @Override
          public synchronized void rotated(RotationOutcome outcome, boolean resumed) {
            audited.add("rotated " + outcome.name() + (resumed ? " (resumed)" : ""));
          }

          @Override
          public synchronized void failed(String name, BrokerException failure) {
            audited.add("failed " + name);
          }
        });
  }

  private double overdueGauge() {
    return f.registry.get("secrets.rotation.overdue").gauge().value();
  }

  @Test
  void secret_isRotatedOnceItsIntervalHasPassed_notBefore() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("db", "first");
    RotationScheduler s = scheduler(f.engine());

    f.advance(Duration.ofDays(89));
    assertThat(s.runOnce()).isEqualTo(new ScanReport(true, 0, 0, 0, 0, 0, 0));
    f.advance(DAY);
    assertThat(s.runOnce()).isEqualTo(new ScanReport(true, 1, 1, 1, 0, 0, 0));

    assertThat(f.versionWith("db", Stage.CURRENT)).contains("2");
    assertThat(audited).containsExactly("rotated db");
    assertThat(s.runOnce().started()).isZero();
    assertThat(overdueGauge()).isZero();
  }

  @Test
  void intervals_comeFromTheLongestPrefixAndThenTheSecretsOwnPolicy() {
    f = new RotationFixture(dir, List.of(
        new RotationPolicies.PrefixPolicy("team/", policy(Duration.ofDays(30))),
        new RotationPolicies.PrefixPolicy("team/short/", policy(Duration.ofDays(7)))))
        .settings(settings(Duration.ZERO, 2));
    f.put("team/short/a", "x");
    f.put("team/b", "x");
    f.put("other", "x");
    f.put("team/own", "x");
    f.policies.set("team/own", new PolicyOverride(Optional.of(DAY), Optional.empty(), Optional.empty()), "t",
        f.clock.instant());
    RotationScheduler s = scheduler(f.engine());

    f.advance(DAY);
    s.runOnce();
    assertThat(rotated()).containsExactly("team/own");
    f.advance(Duration.ofDays(6));
    s.runOnce();
    assertThat(rotated()).containsExactlyInAnyOrder("team/own", "team/short/a");
    f.advance(Duration.ofDays(23));
    s.runOnce();
    assertThat(rotated()).contains("team/b").doesNotContain("other");
  }

  private static RotationPolicy policy(Duration interval) {
    return new RotationPolicy(interval, Generator.DEFAULT, RotationPolicy.DEFAULT_GRACE);
  }

  private Set<String> rotated() {
    Set<String> out = new HashSet<>();
    f.engine().rows().forEach((name, row) -> {
      if (row.lastRotatedMs() > 0) {
        out.add(name);
      }
    });
    return out;
  }

  @Test
  void jitter_isWithinTheBound_fixedPerSecret_andDelaysTheRotation() {
    f = new RotationFixture(dir).settings(settings(Duration.ofHours(1), 2));
    RotationScheduler s = scheduler(f.engine());
    Instant due = f.clock.instant().plus(RotationPolicy.DEFAULT_INTERVAL);
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      Duration j = s.jitterFor("secret-" + i, due);
      assertThat(j).isBetween(Duration.ZERO, Duration.ofHours(1).minusMillis(1));
      assertThat(s.jitterFor("secret-" + i, due)).isEqualTo(j);
      seen.add(j);
    }
    assertThat(seen).hasSizeGreaterThan(10);

    f.put("db", "first");
    Duration j = s.jitterFor("db", due);
    f.clock.set(due.plus(j).minusMillis(1));
    ScanReport early = s.runOnce();
    assertThat(early.due()).isEqualTo(1);
    assertThat(early.started()).isZero();
    assertThat(early.overdue()).isEqualTo(1);
    f.clock.set(due.plus(j));
    assertThat(s.runOnce().rotated()).isEqualTo(1);
  }

  @Test
  void previousVersion_isRetiredWhenTheGraceEnds() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("db", "first");
    RotationScheduler s = scheduler(f.engine());
    f.advance(RotationPolicy.DEFAULT_INTERVAL);
    s.runOnce();
    assertThat(f.read("db", Stage.PREVIOUS)).isEqualTo("first");

    f.advance(Duration.ofHours(23));
    assertThat(s.runOnce().retired()).isZero();
    assertThat(f.versionWith("db", Stage.PREVIOUS)).contains("1");

    f.advance(Duration.ofHours(1));
    assertThat(s.runOnce().retired()).isEqualTo(1);
    assertThat(f.versionWith("db", Stage.PREVIOUS)).isEmpty();
    assertThat(f.versionWith("db", Stage.CURRENT)).contains("2");
    assertThat(f.engine().row("db").orElseThrow().retireAfterMs()).isZero();
  }

  @Test
  void retirement_leavesAPreviousStageThatALaterWriteGaveAnotherVersion() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("db", "first");
    RotationScheduler s = scheduler(f.engine());
    f.advance(RotationPolicy.DEFAULT_INTERVAL);
    s.runOnce();
    f.put("db", "third");

    f.advance(DAY);
    assertThat(s.runOnce().retired()).isEqualTo(1);
    assertThat(f.versionWith("db", Stage.PREVIOUS)).contains("2");
  }

  @Test
  void failures_areRecorded_andRetriedWithDoublingBackoff() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("db", "first");
    RotationScheduler s = scheduler(f.engine());
    f.backend.failWrites = ErrorCode.UNAVAILABLE;
    f.advance(RotationPolicy.DEFAULT_INTERVAL);

    assertThat(s.runOnce().failed()).isEqualTo(1);
    assertThat(f.counter("secrets.rotation.failures")).isEqualTo(1);
    assertThat(f.engine().row("db").orElseThrow().lastError()).contains("UNAVAILABLE");
    assertThat(overdueGauge()).isEqualTo(1);
    assertThat(s.runOnce().started()).isZero();

    f.advance(Duration.ofMinutes(1));
    assertThat(s.runOnce().failed()).isEqualTo(1);
    f.advance(Duration.ofMinutes(1));
    assertThat(s.runOnce().started()).isZero(); // second failure: two minutes' wait
    f.advance(Duration.ofMinutes(1));
    f.backend.failWrites = null;
    ScanReport report = s.runOnce();
    assertThat(report.rotated()).isEqualTo(1);
    assertThat(report.overdue()).isZero();
    assertThat(f.describe("db").versions()).hasSize(2);
    assertThat(f.engine().row("db").orElseThrow().lastError()).isEmpty();
    assertThat(audited).containsExactly("failed db", "failed db", "rotated db (resumed)");
  }

  @Test
  void concurrency_isBounded() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    RotationEngine engine = f.engine((step, name) -> {
      if (step == Step.CLAIMED) {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
      } else if (step == Step.ANNOUNCED) {
        running.decrementAndGet();
      }
    });
    for (int i = 0; i < 8; i++) {
      f.put("s" + i, "v");
    }
    f.advance(RotationPolicy.DEFAULT_INTERVAL);

    assertThat(scheduler(engine).runOnce().rotated()).isEqualTo(8);
    assertThat(most.get()).isBetween(1, 2);
  }

  @Test
  void externalGenerator_isNeverRotatedByTheScheduler_andStaysOverdue() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("ext", "operator-made");
    f.policies.set("ext", new PolicyOverride(Optional.empty(), Optional.of(new Generator.External()),
        Optional.empty()), "t", f.clock.instant());
    f.advance(RotationPolicy.DEFAULT_INTERVAL);

    ScanReport report = scheduler(f.engine()).runOnce();

    assertThat(report.started()).isZero();
    assertThat(report.overdue()).isEqualTo(1);
    assertThat(overdueGauge()).isEqualTo(1);
  }

  @Test
  void withoutTheLeaderLock_nothingHappens() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("db", "first");
    f.advance(RotationPolicy.DEFAULT_INTERVAL);
    LeaderLock follower = new LeaderLock() {
      @Override
      public boolean tryAcquire() {
        return false;
      }

      @Override
      public void release() {}
    };

    assertThat(scheduler(f.engine(), follower).runOnce().leader()).isFalse();
    assertThat(f.describe("db").versions()).hasSize(1);
  }

  @Test
  void scan_resumesARotationACrashLeftBehind() {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("db", "first");
    RotationEngine crashing = f.engine((step, name) -> {
      if (step == Step.MOVED) {
        throw new Crash();
      }
    });
    assertThatThrownBy(() -> crashing.rotate("db", null)).isInstanceOf(Crash.class);
    f.restart();

    ScanReport report = scheduler(f.engine()).runOnce();

    assertThat(report.rotated()).isEqualTo(1);
    assertThat(f.versionWith("db", Stage.CURRENT)).contains("2");
    assertThat(f.versionWith("db", Stage.PREVIOUS)).contains("1");
    assertThat(audited).containsExactly("rotated db (resumed)");
  }

  @Test
  void start_scansInTheBackground_andCloseStopsIt() throws Exception {
    f = new RotationFixture(dir).settings(settings(Duration.ZERO, 2));
    f.put("db", "first");
    f.advance(RotationPolicy.DEFAULT_INTERVAL);
    RotationScheduler s = scheduler(f.engine());

    s.start();
    s.close();

    assertThat(s.runOnce().leader()).isFalse();
    assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
  }
}
