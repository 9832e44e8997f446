package io.secretsbroker.backend.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.Stage;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GcpStagesTest {
  private static GcpStages stages(String current, String previous, String pending) {
    Map<String, String> a = new java.util.HashMap<>();
    if (current != null) {
      a.put("sb-stage-current", current);
    }
    if (previous != null) {
      a.put("sb-stage-previous", previous);
    }
    if (pending != null) {
      a.put("sb-stage-pending", pending);
    }
    return GcpStages.fromAnnotations(a);
  }

  @Test
  void firstPut_makesCurrentOnly() {
    assertThat(stages(null, null, null).afterPut("1")).isEqualTo(stages("1", null, null));
  }

  @Test
  void put_makesOldCurrentPrevious_andLeavesPendingAlone() {
    assertThat(stages("2", "1", "3").afterPut("4")).isEqualTo(stages("4", "2", "3"));
  }

  @Test
  void promotingPending_makesOldCurrentPrevious_andClearsPending() {
    assertThat(stages("1", null, "2").afterMove(Stage.CURRENT, "2")).isEqualTo(stages("2", "1", null));
  }

  @Test
  void promotingPrevious_swapsCurrentAndPrevious() {
    assertThat(stages("2", "1", null).afterMove(Stage.CURRENT, "1")).isEqualTo(stages("1", "2", null));
  }

  @Test
  void promotingTheCurrentVersion_changesNothing() {
    assertThat(stages("2", "1", null).afterMove(Stage.CURRENT, "2")).isEqualTo(stages("2", "1", null));
  }

  @Test
  void promotingWhenNoCurrent_takesPreviousOffThePromotedVersion() {
    assertThat(stages(null, "1", null).afterMove(Stage.CURRENT, "1")).isEqualTo(stages("1", null, null));
  }

  @Test
  void movingPending_touchesNothingElse() {
    assertThat(stages("2", "1", null).afterMove(Stage.PENDING, "3")).isEqualTo(stages("2", "1", "3"));
  }

  @Test
  void without_removesOnlyThatStage() {
    assertThat(stages("2", "1", "3").without(Stage.PREVIOUS)).isEqualTo(stages("2", null, "3"));
    assertThat(stages("2", null, null).without(Stage.PENDING)).isEqualTo(stages("2", null, null));
  }

  @Test
  void annotationsThatAreNotVersionNumbers_countAsAbsent() {
    GcpStages s = GcpStages.fromAnnotations(Map.of("sb-stage-current", "latest", "sb-stage-previous", "07",
        "sb-stage-pending", "0"));
    assertThat(s.holders()).isEmpty();
  }

  @Test
  void applyTo_keepsOtherAnnotations_andDropsClearedStages() {
    Map<String, String> before = Map.of("sb-name", "db", "owner", "team-a", "sb-stage-previous", "1",
        "sb-stage-current", "2");
    Map<String, String> after = stages("2", null, null).applyTo(before);
    assertThat(after).containsOnly(Map.entry("sb-name", "db"), Map.entry("owner", "team-a"),
        Map.entry("sb-stage-current", "2"));
  }

  @Test
  void of_listsEveryStageAVersionHolds() {
    assertThat(stages("2", "1", "2").of("2")).containsExactlyInAnyOrder(Stage.CURRENT, Stage.PENDING);
    assertThat(stages("2", "1", null).of("9")).isEmpty();
  }

  @Test
  void versionNumbers_arePositiveDecimalsWithoutLeadingZeros() {
    assertThat(GcpStages.isVersionNumber("1")).isTrue();
    assertThat(GcpStages.isVersionNumber("42")).isTrue();
    for (String bad : new String[] {"", "0", "01", "-1", "latest", "1.0", "9".repeat(19)}) {
      assertThat(GcpStages.isVersionNumber(bad)).as(bad).isFalse();
    }
  }
}
