package io.secretsbroker.core.rotation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.core.rotation.RotationEngine.Step;
import io.secretsbroker.core.rotation.RotationEngineTest.Crash;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stops a rotation after each of its steps, as a crash would, then restarts: the state database is closed and
 * reopened and a new engine resumes on the same backend. Whatever the step, the outcome is the one an uninterrupted
 * rotation has: exactly one new version, current; the old current previous; nothing pending.
 */
class RotationCrashResumeTest {
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

  private RotationEngine crashingAt(Step crashStep) {
    return f.engine((step, name) -> {
      if (step == crashStep) {
        throw new Crash();
      }
    });
  }

  private void assertRotatedOnce() {
    assertThat(f.describe("db").versions()).extracting(VersionInfo::version).containsExactly("1", "2");
    assertThat(f.versionWith("db", Stage.CURRENT)).contains("2");
    assertThat(f.versionWith("db", Stage.PREVIOUS)).contains("1");
    assertThat(f.versionWith("db", Stage.PENDING)).isEmpty();
    assertThat(f.read("db", Stage.PREVIOUS)).isEqualTo("first");
    assertThat(f.rotatedEvents("db")).isPositive();
    RotationRow row = f.engine().row("db").orElseThrow();
    assertThat(row.state()).isEqualTo(RotationState.IDLE);
    assertThat(row.lastError()).isEmpty();
    assertThat(row.lastRotatedMs()).isPositive();
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void crashAfterStep_isResumedByANewEngine_withExactlyOneNewVersion(Step step) {
    assertThatThrownBy(() -> crashingAt(step).rotate("db", null)).isInstanceOf(Crash.class);
    f.restart();

    RotationEngine restarted = f.engine();
    assertThat(restarted.resumeAbandoned()).containsExactly(new RotationOutcome("db", "2", "1"));

    assertRotatedOnce();
    assertThat(restarted.resumeAbandoned()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Step.class, names = {"CLAIMED", "WRITTEN"})
  void crashBeforeThePendingVersionIsRecorded_withAGeneratedValue_writesOrAdoptsExactlyOne(Step step) {
    assertThatThrownBy(() -> crashingAt(step).rotate("db", null)).isInstanceOf(Crash.class);
    f.restart();

    RotationRow stuck = f.engine().row("db").orElseThrow();
    assertThat(stuck.state()).isEqualTo(RotationState.PENDING_CREATED);
    assertThat(stuck.pendingVersion()).isEmpty();
    assertThat(f.versionWith("db", Stage.PENDING).isPresent()).isEqualTo(step == Step.WRITTEN);

    f.engine().resumeAbandoned();
    assertRotatedOnce();
  }

  @Test
  void crashAfterWritingASuppliedValue_promotesThatValue() {
    assertThatThrownBy(() -> crashingAt(Step.WRITTEN).rotate("db", "supplied".getBytes(UTF_8)))
        .isInstanceOf(Crash.class);
    f.restart();

    f.engine().resumeAbandoned();

    assertRotatedOnce();
    assertThat(f.read("db", Stage.CURRENT)).isEqualTo("supplied");
  }

  @Test
  void crashBeforeWritingASuppliedValue_abandonsTheRotation_nothingWritten() {
    assertThatThrownBy(() -> crashingAt(Step.CLAIMED).rotate("db", "supplied".getBytes(UTF_8)))
        .isInstanceOf(Crash.class);
    f.restart();

    RotationEngine restarted = f.engine();
    assertThat(restarted.resumeAbandoned()).isEmpty();

    assertThat(f.describe("db").versions()).hasSize(1);
    RotationRow row = restarted.row("db").orElseThrow();
    assertThat(row.state()).isEqualTo(RotationState.IDLE);
    assertThat(row.lastError()).contains("lost before it reached the backend", "call RotateSecret again");

    assertThat(restarted.rotate("db", "supplied".getBytes(UTF_8)).newVersion()).isEqualTo("2");
  }

  @Test
  void pendingVersionOfSomeoneElse_isNotAdopted() {
    assertThatThrownBy(() -> crashingAt(Step.CLAIMED).rotate("db", null)).isInstanceOf(Crash.class);
    f.memory.write(io.secretsbroker.spi.WriteRequest.pending("db",
        io.secretsbroker.spi.SecretValue.of("not-ours".getBytes(UTF_8))));
    f.restart();

    f.engine().resumeAbandoned();

    assertThat(f.versionWith("db", Stage.CURRENT)).contains("3");
    assertThat(f.read("db", Stage.CURRENT)).isNotEqualTo("not-ours").hasSize(32);
  }

  @Test
  void rotationOfAnotherLiveEngine_isTakenOverOnlyAfterTheTakeoverWait() {
    f.settings(RotationSettings.defaults().withTakeoverAfter(Duration.ofMinutes(5)));
    assertThatThrownBy(() -> crashingAt(Step.VERIFIED).rotate("db", null)).isInstanceOf(Crash.class);

    RotationEngine other = f.engine();
    assertThat(other.resumeAbandoned()).isEmpty();
    f.advance(Duration.ofMinutes(5));
    assertThat(other.resumeAbandoned()).hasSize(1);
    assertRotatedOnce();
  }
}
