package io.secretsbroker.core.rotation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.rotation.Generator.CharacterClass;
import io.secretsbroker.core.rotation.RotationEngine.Step;
import io.secretsbroker.core.rotation.RotationEngineTest.Crash;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rotation state machine on the real PostgreSQL (a fresh schema per test in database {@code test} at
 * {@code PGHOST}:{@code PGPORT}, default 127.0.0.1:5432, user {@code postgres}): the V4 schema, the conditional
 * updates and crash-resume behave as on H2. Skipped, saying why, when PostgreSQL cannot be reached.
 */
class RotationPostgresIT {
  @TempDir
  Path dir;
  String schema;
  RotationFixture f;

  private static String host() {
    String h = System.getenv("PGHOST");
    return h == null || h.isBlank() ? "127.0.0.1" : h;
  }

  private static String port() {
    String p = System.getenv("PGPORT");
    return p == null || p.isBlank() ? "5432" : p;
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/test?connectTimeout=3",
        "postgres", "");
  }

  @BeforeEach
  void setUp() throws SQLException {
    schema = "sb_rotation_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      assumeTrue(false, "PostgreSQL not reachable at " + host() + ":" + port() + " (set PGHOST/PGPORT): "
          + e.getSQLState());
    }
    String url = "jdbc:postgresql://" + host() + ":" + port() + "/test?currentSchema=" + schema;
    f = new RotationFixture(() -> new StateSettings("postgresql", url, "postgres", null, 4, dir), List.of());
    f.put("db", "first");
  }

  @AfterEach
  void tearDown() throws SQLException {
    if (f != null) {
      f.close();
    }
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void crashAfterStep_isResumedByANewEngine_withExactlyOneNewVersion(Step crashStep) {
    RotationEngine crashing = f.engine((step, name) -> {
      if (step == crashStep) {
        throw new Crash();
      }
    });
    assertThatThrownBy(() -> crashing.rotate("db", null)).isInstanceOf(Crash.class);
    f.restart();

    assertThat(f.engine().resumeAbandoned()).containsExactly(new RotationOutcome("db", "2", "1"));

    assertThat(f.describe("db").versions()).extracting(VersionInfo::version).containsExactly("1", "2");
    assertThat(f.versionWith("db", Stage.CURRENT)).contains("2");
    assertThat(f.versionWith("db", Stage.PREVIOUS)).contains("1");
    assertThat(f.engine().row("db").orElseThrow().state()).isEqualTo(RotationState.IDLE);
  }

  @Test
  void twoEngines_neverRotateOneSecretAtOnce() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RotationEngine first = f.engine((step, name) -> {
      if (step == Step.CLAIMED) {
        claimed.countDown();
        RotationEngineTest.await(release);
      }
    });
    CompletableFuture<RotationOutcome> running = CompletableFuture.supplyAsync(() -> first.rotate("db", null));
    assertThat(claimed.await(10, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> f.engine().rotate("db", null)).isInstanceOfSatisfying(BrokerException.class,
        e -> assertThat(e.failure()).isEqualTo(Failure.FAILED_PRECONDITION));

    release.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS).newVersion()).isEqualTo("2");
  }

  @Test
  void policies_andTheScheduler_workOnPostgres() {
    Generator.Password pw = new Generator.Password(12, EnumSet.of(CharacterClass.DIGITS));
    f.policies.set("db", new PolicyOverride(Optional.of(Duration.ofDays(1)), Optional.of(pw), Optional.empty()),
        "test", f.clock.instant());
    f.policies.set("other", new PolicyOverride(Optional.empty(), Optional.of(new Generator.RandomBytes(16, false)),
        Optional.of(Duration.ZERO)), "test", f.clock.instant());
    assertThat(f.policies.policyFor("db")).isEqualTo(new RotationPolicy(Duration.ofDays(1), pw,
        RotationPolicy.DEFAULT_GRACE));
    assertThat(f.policies.snapshot().policyFor("other").generator()).isEqualTo(new Generator.RandomBytes(16, false));

    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      RotationScheduler s = new RotationScheduler(f.engine(), new SecretAges(f.mounts, f.policies, f.clock),
          LeaderLock.alwaysLeader(), executor, f.clock, f.registry, 1L, new RotationScheduler.Listener() {});
      f.advance(Duration.ofDays(1).plus(RotationSettings.DEFAULT_MAX_JITTER));
      assertThat(s.runOnce().rotated()).isEqualTo(1);
      assertThat(f.read("db", Stage.CURRENT)).matches("[0-9]{12}");
      f.advance(Duration.ofHours(24));
      assertThat(s.runOnce().retired()).isEqualTo(1);
      assertThat(f.versionWith("db", Stage.PREVIOUS)).isEmpty();
    } finally {
      executor.shutdownNow();
    }
    assertThat(new String(f.memory.read(io.secretsbroker.spi.SecretRef.ofVersion("db", "1")).value().bytes(),
        UTF_8)).isEqualTo("first");
  }
}
