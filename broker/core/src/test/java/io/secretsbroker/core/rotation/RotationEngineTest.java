package io.secretsbroker.core.rotation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Stage;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationEngineTest {
  @TempDir
  Path dir;
  RotationFixture f;

  @BeforeEach
  void setUp() {
    f = new RotationFixture(dir);
    f.put("db", "first");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private Failure failureOf(Runnable r) {
    try {
      r.run();
    } catch (BrokerException e) {
      return e.failure();
    }
    throw new AssertionError("expected a BrokerException");
  }

  @Test
  void rotate_writesPendingVerifiesAndPromotes_oldCurrentBecomesPrevious() {
    RotationOutcome out = f.engine().rotate("db", null);

    assertThat(out).isEqualTo(new RotationOutcome("db", "2", "1"));
    assertThat(f.versionWith("db", Stage.CURRENT)).contains("2");
    assertThat(f.versionWith("db", Stage.PREVIOUS)).contains("1");
    assertThat(f.versionWith("db", Stage.PENDING)).isEmpty();
    assertThat(f.read("db", Stage.CURRENT)).hasSize(Generator.DEFAULT_LENGTH).isNotEqualTo("first");
    assertThat(f.read("db", Stage.PREVIOUS)).isEqualTo("first");
    assertThat(f.rotatedEvents("db")).isEqualTo(1);
    assertThat(f.counter("secrets.rotated")).isEqualTo(1);
    RotationRow row = f.engine().row("db").orElseThrow();
    assertThat(row.state()).isEqualTo(RotationState.IDLE);
    assertThat(row.lastRotatedMs()).isEqualTo(f.clock.millis());
    assertThat(row.retireAfterMs()).isEqualTo(f.clock.millis() + Duration.ofHours(24).toMillis());
    assertThat(row.previousVersion()).isEqualTo("1");
    assertThat(row.valueHash()).isEmpty();
  }

  @Test
  void rotate_invalidatesTheCacheSoTheNewValueIsServedAtOnce() {
    var cache = f.mounts.route("db").backend();
    assertThat(new String(cache.read(io.secretsbroker.spi.SecretRef.current("db")).value().bytes(), UTF_8))
        .isEqualTo("first");

    f.engine().rotate("db", "second".getBytes(UTF_8));

    assertThat(new String(cache.read(io.secretsbroker.spi.SecretRef.current("db")).value().bytes(), UTF_8))
        .isEqualTo("second");
  }

  @Test
  void rotate_withExternalGeneratorAndNoValue_isFailedPreconditionNamingTheRule() {
    f.policies.set("db", new PolicyOverride(Optional.empty(), Optional.of(new Generator.External()),
        Optional.empty()), "test", Instant.now());

    assertThatThrownBy(() -> f.engine().rotate("db", null))
        .isInstanceOfSatisfying(BrokerException.class, e -> {
          assertThat(e.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
          assertThat(e.getMessage()).contains("'db'", "external generator requires RotateSecret.value");
        });
    assertThat(f.describe("db").versions()).hasSize(1);
  }

  @Test
  void rotate_withExternalGeneratorAndValue_promotesThatValue() {
    f.policies.set("db", new PolicyOverride(Optional.empty(), Optional.of(new Generator.External()),
        Optional.empty()), "test", Instant.now());

    f.engine().rotate("db", "from-the-operator".getBytes(UTF_8));

    assertThat(f.read("db", Stage.CURRENT)).isEqualTo("from-the-operator");
  }

  @Test
  void rotate_withValueOnGeneratedPolicy_usesTheValueOnceAndTheGeneratorNextTime() {
    RotationEngine engine = f.engine();
    engine.rotate("db", "one-off".getBytes(UTF_8));
    assertThat(f.read("db", Stage.CURRENT)).isEqualTo("one-off");

    engine.rotate("db", null);
    assertThat(f.read("db", Stage.CURRENT)).hasSize(32);
    assertThat(f.read("db", Stage.PREVIOUS)).isEqualTo("one-off");
  }

  @Test
  void rotate_ofMissingSecret_isNotFoundAndLeavesNoRotation() {
    assertThat(failureOf(() -> f.engine().rotate("nope", null))).isEqualTo(Failure.NOT_FOUND);
    assertThat(f.engine().row("nope")).isEmpty();
  }

  @Test
  void rotate_ofSecretWhoseCurrentIsRevoked_works() {
    new io.secretsbroker.core.revocation.RevocationRegistry(f.state).revoke(
        new io.secretsbroker.core.revocation.Revocation("db", "1", "leaked", "test", Instant.now()));

    assertThat(f.engine().rotate("db", null).newVersion()).isEqualTo("2");
  }

  @Test
  void stateDatabase_holdsOnlyASaltedHashOfTheValue() throws Exception {
    byte[] value = "a-very-recognisable-value".getBytes(UTF_8);
    RotationEngine engine = f.engine((step, name) -> {
      if (step == RotationEngine.Step.PENDING_CREATED) {
        throw new Crash();
      }
    });
    assertThatThrownBy(() -> engine.rotate("db", value)).isInstanceOf(Crash.class);

    List<String> cells = new ArrayList<>();
    f.state.inTransaction(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM sb_rotations")) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          for (int i = 1; i <= md.getColumnCount(); i++) {
            cells.add(String.valueOf(rs.getString(i)));
          }
        }
      }
      return null;
    });
    RotationRow row = f.engine().row("db").orElseThrow();
    assertThat(row.valueHash()).hasSize(64);
    assertThat(row.valueHash()).isNotEqualTo(RotationEngine.digest(new byte[0], value));
    assertThat(cells).noneMatch(cell -> cell.contains("recognisable"));
  }

  @Test
  void secondRotation_whileOneIsInFlight_isFailedPrecondition_inThisEngineAndInAnother() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RotationEngine engine = f.engine((step, name) -> {
      if (step == RotationEngine.Step.CLAIMED) {
        claimed.countDown();
        await(release);
      }
    });
    CompletableFuture<RotationOutcome> first = CompletableFuture.supplyAsync(() -> engine.rotate("db", null));
    assertThat(claimed.await(10, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> engine.rotate("db", null)).isInstanceOfSatisfying(BrokerException.class, e -> {
      assertThat(e.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
      assertThat(e.getMessage()).contains("already in progress");
    });
    assertThat(failureOf(() -> f.engine().rotate("db", null))).isEqualTo(Failure.FAILED_PRECONDITION);

    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).newVersion()).isEqualTo("2");
    assertThat(f.describe("db").versions()).hasSize(2);
  }

  @Test
  void verificationMismatch_abandonsTheRotation_clearsPendingAndKeepsCurrent() {
    f.backend.corruptReadsByVersion = true;

    assertThat(failureOf(() -> f.engine().rotate("db", null))).isEqualTo(Failure.INTERNAL);

    assertThat(f.versionWith("db", Stage.CURRENT)).contains("1");
    assertThat(f.versionWith("db", Stage.PENDING)).isEmpty();
    RotationRow row = f.engine().row("db").orElseThrow();
    assertThat(row.state()).isEqualTo(RotationState.IDLE);
    assertThat(row.lastError()).contains("verification failed");
    assertThat(f.counter("secrets.rotation.failures")).isEqualTo(1);
  }

  @Test
  void writeBetweenVerifyAndPromote_supersedesTheRotation() {
    RotationEngine engine = f.engine((step, name) -> {
      if (step == RotationEngine.Step.VERIFIED) {
        f.put("db", "written-meanwhile");
      }
    });

    assertThat(failureOf(() -> engine.rotate("db", null))).isEqualTo(Failure.FAILED_PRECONDITION);

    assertThat(f.read("db", Stage.CURRENT)).isEqualTo("written-meanwhile");
    assertThat(f.versionWith("db", Stage.PENDING)).isEmpty();
    assertThat(f.engine().row("db").orElseThrow().lastError()).contains("became current while it ran");
  }

  @Test
  void valueTheBackendRefuses_abandonsTheRotationWithNothingWritten() {
    f.backend.failWrites = ErrorCode.INVALID_ARGUMENT;

    assertThat(failureOf(() -> f.engine().rotate("db", null))).isEqualTo(Failure.INVALID_ARGUMENT);

    assertThat(f.describe("db").versions()).hasSize(1);
    RotationRow row = f.engine().row("db").orElseThrow();
    assertThat(row.state()).isEqualTo(RotationState.IDLE);
    assertThat(row.lastError()).contains("writes set to fail");
    assertThat(row.nextAttemptMs()).isEqualTo(f.clock.millis() + Duration.ofMinutes(1).toMillis());
  }

  @Test
  void backendOutageWhileWriting_keepsTheRotation_andTheRetryWritesExactlyOneVersion() {
    RotationEngine engine = f.engine();
    f.backend.failWrites = ErrorCode.UNAVAILABLE;

    assertThat(failureOf(() -> engine.rotate("db", null))).isEqualTo(Failure.UNAVAILABLE);
    RotationRow stuck = engine.row("db").orElseThrow();
    assertThat(stuck.state()).isEqualTo(RotationState.PENDING_CREATED);
    assertThat(stuck.lastError()).contains("UNAVAILABLE");

    f.backend.failWrites = null;
    assertThat(engine.resumeAbandoned()).isEmpty(); // still inside the retry wait
    f.advance(Duration.ofMinutes(1));
    assertThat(engine.resumeAbandoned()).containsExactly(new RotationOutcome("db", "2", "1"));
    assertThat(f.describe("db").versions()).hasSize(2);
  }

  @Test
  void backendOutageWhileVerifying_isResumedFromPendingCreated() {
    RotationEngine engine = f.engine((step, name) -> {
      if (step == RotationEngine.Step.PENDING_CREATED) {
        f.memory.failWith(ErrorCode.UNAVAILABLE);
      }
    });
    assertThat(failureOf(() -> engine.rotate("db", null))).isEqualTo(Failure.UNAVAILABLE);
    assertThat(engine.row("db").orElseThrow().pendingVersion()).isEqualTo("2");

    f.memory.failWith(null);
    f.advance(Duration.ofMinutes(1));
    assertThat(f.engine().resumeAbandoned()).containsExactly(new RotationOutcome("db", "2", "1"));
  }

  @Test
  void backoff_doublesPerFailure_upToTheMaximum() {
    RotationSettings s = RotationSettings.defaults();
    assertThat(s.backoff(1)).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.backoff(2)).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.backoff(4)).isEqualTo(Duration.ofMinutes(8));
    assertThat(s.backoff(7)).isEqualTo(Duration.ofHours(1));
    assertThat(s.backoff(1000)).isEqualTo(Duration.ofHours(1));
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Stops an engine between two steps, as a crash would: not a RuntimeException, so nothing records it. */
  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash() {
      super("simulated crash", null, false, false);
    }
  }
}
