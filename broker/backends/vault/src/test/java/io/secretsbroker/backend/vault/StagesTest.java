package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.Stage;
import org.junit.jupiter.api.Test;

class StagesTest {

  @Test
  void put_makesNewVersionCurrent_andOldCurrentPrevious_keepingPending() {
    Stages s = new Stages(2, 1, 3).afterWrite(4, Stage.CURRENT);
    assertThat(s).isEqualTo(new Stages(4, 2, 3));
  }

  @Test
  void firstPut_leavesPreviousEmpty() {
    assertThat(Stages.NONE.afterWrite(1, Stage.CURRENT)).isEqualTo(new Stages(1, 0, 0));
  }

  @Test
  void put_whenCurrentWasCleared_keepsPrevious() {
    assertThat(new Stages(0, 1, 0).afterWrite(2, Stage.CURRENT)).isEqualTo(new Stages(2, 1, 0));
  }

  @Test
  void pendingWrite_touchesOnlyPending() {
    assertThat(new Stages(2, 1, 0).afterWrite(3, Stage.PENDING)).isEqualTo(new Stages(2, 1, 3));
    assertThat(new Stages(2, 1, 3).afterWrite(4, Stage.PENDING)).isEqualTo(new Stages(2, 1, 4));
  }

  @Test
  void promotingPending_makesOldCurrentPrevious_andDropsPending() {
    assertThat(new Stages(2, 1, 3).move(Stage.CURRENT, 3)).isEqualTo(new Stages(3, 2, 0));
  }

  @Test
  void promotingPrevious_rollsBack_andSwapsTheTwo() {
    assertThat(new Stages(2, 1, 0).move(Stage.CURRENT, 1)).isEqualTo(new Stages(1, 2, 0));
  }

  @Test
  void promotingCurrent_onlyDropsItsPending() {
    assertThat(new Stages(2, 1, 0).move(Stage.CURRENT, 2)).isEqualTo(new Stages(2, 1, 0));
    assertThat(new Stages(2, 1, 2).move(Stage.CURRENT, 2)).isEqualTo(new Stages(2, 1, 0));
  }

  @Test
  void promotingPreviousWhenNoCurrent_leavesNoVersionHoldingTwoStages() {
    assertThat(new Stages(0, 1, 0).move(Stage.CURRENT, 1)).isEqualTo(new Stages(1, 0, 0));
  }

  @Test
  void movePreviousOrPending_setsOnlyThatStage() {
    assertThat(new Stages(3, 2, 0).move(Stage.PREVIOUS, 1)).isEqualTo(new Stages(3, 1, 0));
    assertThat(new Stages(3, 2, 0).move(Stage.PENDING, 1)).isEqualTo(new Stages(3, 2, 1));
  }

  @Test
  void clear_removesOneStage() {
    Stages s = new Stages(3, 2, 4);
    assertThat(s.clear(Stage.CURRENT)).isEqualTo(new Stages(0, 2, 4));
    assertThat(s.clear(Stage.PREVIOUS)).isEqualTo(new Stages(3, 0, 4));
    assertThat(s.clear(Stage.PENDING)).isEqualTo(new Stages(3, 2, 0));
  }

  @Test
  void stagesOfAVersion_listsEveryStageItHolds() {
    Stages s = new Stages(3, 2, 3);
    assertThat(s.of(3)).containsExactlyInAnyOrder(Stage.CURRENT, Stage.PENDING);
    assertThat(s.of(2)).containsExactly(Stage.PREVIOUS);
    assertThat(s.of(1)).isEmpty();
    assertThat(Stages.NONE.of(0)).isEmpty();
    assertThat(s.holder(Stage.PREVIOUS)).isEqualTo(2);
  }
}
