package io.secretsbroker.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.Stage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecretStateTest {
  private static final String NAME = "team/db";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** A Key Vault secret in memory: versions with tags that the operations below rewrite. */
  private final List<SecretState.Version> vault = new ArrayList<>();
  private int ids;

  private SecretState state() {
    List<SecretState.Version> shuffled = new ArrayList<>(vault);
    Collections.shuffle(shuffled, new Random(vault.size()));
    return SecretState.of(NAME, shuffled);
  }

  private String write(Stage stage) {
    SecretState s = state();
    String id = String.format("%032x", 0xfff - ids++);
    vault.add(new SecretState.Version(id, T0, s.newVersionTags(stage, s.nextGeneration())));
    return id;
  }

  private void move(Stage stage, String id) {
    SecretState s = state();
    SecretState.Version target = s.find(id).orElseThrow();
    s.tagsForMove(target, stage, s.nextGeneration()).ifPresent(tags -> replace(id, tags));
  }

  private void clear(Stage stage) {
    SecretState s = state();
    String holder = s.holder(stage);
    if (holder != null) {
      replace(holder, SecretState.tagsForClear(s.find(holder).orElseThrow(), stage, s.nextGeneration()));
    }
  }

  private void replace(String id, Map<String, String> tags) {
    for (int i = 0; i < vault.size(); i++) {
      if (vault.get(i).id().equals(id)) {
        vault.set(i, new SecretState.Version(id, vault.get(i).created(), tags));
      }
    }
  }

  @Test
  void noVersions_isAbsent() {
    SecretState s = state();
    assertThat(s.exists()).isFalse();
    assertThat(s.managed()).isFalse();
    assertThat(s.holder(Stage.CURRENT)).isNull();
    assertThat(s.nextGeneration()).isEqualTo(1);
  }

  @Test
  void puts_moveCurrentToPrevious_andVersionsAreOrderedByGeneration() {
    String v1 = write(Stage.CURRENT);
    String v2 = write(Stage.CURRENT);
    String v3 = write(Stage.CURRENT);

    SecretState s = state();
    assertThat(s.versions()).extracting(SecretState.Version::id).containsExactly(v1, v2, v3);
    assertThat(s.holder(Stage.CURRENT)).isEqualTo(v3);
    assertThat(s.holder(Stage.PREVIOUS)).isEqualTo(v2);
    assertThat(s.stagesOf(v1)).isEmpty();
    assertThat(s.managed()).isTrue();
  }

  @Test
  void rotation_pendingPromoted_oldCurrentPrevious_pendingCleared() {
    String v1 = write(Stage.CURRENT);
    String v2 = write(Stage.PENDING);
    assertThat(state().holder(Stage.CURRENT)).isEqualTo(v1);

    move(Stage.CURRENT, v2);

    SecretState s = state();
    assertThat(s.holder(Stage.CURRENT)).isEqualTo(v2);
    assertThat(s.holder(Stage.PREVIOUS)).isEqualTo(v1);
    assertThat(s.holder(Stage.PENDING)).isNull();
  }

  @Test
  void moveToTheVersionAlreadyHoldingTheStage_changesNothing() {
    String v1 = write(Stage.CURRENT);
    SecretState s = state();
    assertThat(s.tagsForMove(s.find(v1).orElseThrow(), Stage.CURRENT, s.nextGeneration())).isEmpty();
  }

  @Test
  void highestGenerationWins_whateverVersionCarriesTheClaim() {
    vault.add(new SecretState.Version("a".repeat(32), T0, Map.of(SecretState.TAG_NAME, NAME,
        SecretState.TAG_SEQ, "1", "sb-stage-current", "7")));
    vault.add(new SecretState.Version("b".repeat(32), T0, Map.of(SecretState.TAG_NAME, NAME,
        SecretState.TAG_SEQ, "2", "sb-stage-current", "3", "sb-stage-previous", "9:" + "a".repeat(32))));

    SecretState s = state();
    assertThat(s.holder(Stage.CURRENT)).isEqualTo("a".repeat(32));
    assertThat(s.holder(Stage.PREVIOUS)).isEqualTo("a".repeat(32));
    assertThat(s.nextGeneration()).isEqualTo(10);
  }

  @Test
  void equalGenerations_goToTheClaimOnTheNewestVersion() {
    vault.add(new SecretState.Version("a".repeat(32), T0, Map.of(SecretState.TAG_SEQ, "1",
        "sb-stage-pending", "4")));
    vault.add(new SecretState.Version("b".repeat(32), T0, Map.of(SecretState.TAG_SEQ, "2",
        "sb-stage-pending", "4")));
    assertThat(state().holder(Stage.PENDING)).isEqualTo("b".repeat(32));
  }

  @Test
  void claimForNobody_orForAnUnknownVersion_leavesTheStageEmpty() {
    vault.add(new SecretState.Version("a".repeat(32), T0, Map.of(SecretState.TAG_SEQ, "1",
        "sb-stage-current", "1", "sb-stage-previous", "2:", "sb-stage-pending", "3:" + "f".repeat(32))));
    SecretState s = state();
    assertThat(s.holder(Stage.CURRENT)).isEqualTo("a".repeat(32));
    assertThat(s.holder(Stage.PREVIOUS)).isNull();
    assertThat(s.holder(Stage.PENDING)).isNull();
  }

  @Test
  void unreadableClaims_areIgnored() {
    vault.add(new SecretState.Version("a".repeat(32), T0, Map.of(SecretState.TAG_SEQ, "x",
        "sb-stage-current", "-1", "sb-stage-previous", "", "sb-stage-pending", "abc:def")));
    SecretState s = state();
    assertThat(s.holder(Stage.CURRENT)).isNull();
    assertThat(s.holder(Stage.PREVIOUS)).isNull();
    assertThat(s.holder(Stage.PENDING)).isNull();
    assertThat(s.managed()).isFalse();
  }

  @Test
  void versionsWithoutBrokerTags_areOlderThanTheBrokersAndNotManaged() {
    vault.add(new SecretState.Version("c".repeat(32), T0.plusSeconds(5), Map.of()));
    SecretState foreign = state();
    assertThat(foreign.exists()).isTrue();
    assertThat(foreign.managed()).isFalse();
  }

  @Test
  void randomOperations_matchASimpleModel_andNoStageIsEverHeldTwice() {
    Random random = new Random(1234);
    Map<Stage, String> model = new EnumMap<>(Stage.class);
    List<String> ids = new ArrayList<>();
    for (int step = 0; step < 400; step++) {
      int op = ids.isEmpty() ? 0 : random.nextInt(4);
      Stage stage = Stage.values()[random.nextInt(3)];
      switch (op) {
        case 0 -> {
          String id = write(Stage.CURRENT);
          String old = model.get(Stage.CURRENT);
          model.remove(Stage.PREVIOUS);
          if (old != null) {
            model.put(Stage.PREVIOUS, old);
          }
          model.put(Stage.CURRENT, id);
          ids.add(id);
        }
        case 1 -> {
          String id = write(Stage.PENDING);
          model.put(Stage.PENDING, id);
          ids.add(id);
        }
        case 2 -> {
          String id = ids.get(random.nextInt(ids.size()));
          move(stage, id);
          if (!id.equals(model.get(stage))) {
            if (stage == Stage.CURRENT) {
              String old = model.get(Stage.CURRENT);
              model.remove(Stage.PREVIOUS);
              if (old != null) {
                model.put(Stage.PREVIOUS, old);
              }
            }
            model.put(stage, id);
          }
          if (stage == Stage.CURRENT && id.equals(model.get(Stage.PENDING))) {
            model.remove(Stage.PENDING);
          }
        }
        default -> {
          clear(stage);
          model.remove(stage);
        }
      }
      SecretState s = state();
      Map<Stage, String> actual = new HashMap<>();
      for (Stage st : Stage.values()) {
        if (s.holder(st) != null) {
          actual.put(st, s.holder(st));
        }
      }
      assertThat(actual).as("after step %d", step).isEqualTo(model);
      for (String id : ids) {
        for (Stage st : s.stagesOf(id)) {
          assertThat(s.holder(st)).isEqualTo(id);
        }
      }
      assertThat(s.versions()).extracting(SecretState.Version::id).containsExactlyElementsOf(ids);
    }
  }
}
