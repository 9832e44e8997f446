package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageSnapshotTest {
  private static final String EPOCH = "2026-01-01T00:00:00.123456789Z";

  @Test
  void mergeInto_writesOnlyHeldStages_andKeepsOperatorKeys() {
    StageSnapshot snapshot = new StageSnapshot(new Stages(3, 2, 0), 3, EPOCH);

    Map<String, String> merged = snapshot.mergeInto(Map.of("owner", "team-a", "sb-stage-pending", "1"));

    assertThat(merged).containsExactlyInAnyOrderEntriesOf(Map.of(
        "owner", "team-a",
        "sb-stage-current", "3",
        "sb-stage-previous", "2",
        "sb-applied", "3",
        "sb-epoch", EPOCH));
  }

  @Test
  void parse_readsWhatMergeWrote() {
    StageSnapshot snapshot = new StageSnapshot(new Stages(5, 4, 6), 6, EPOCH);
    assertThat(StageSnapshot.parse(snapshot.mergeInto(Map.of("x", "y")))).isEqualTo(snapshot);
  }

  @Test
  void parse_withoutAppliedOrEpoch_isNoSnapshot() {
    assertThat(StageSnapshot.parse(Map.of())).isNull();
    assertThat(StageSnapshot.parse(Map.of("sb-stage-current", "1", "sb-applied", "1"))).isNull();
    assertThat(StageSnapshot.parse(Map.of("sb-stage-current", "1", "sb-epoch", EPOCH))).isNull();
  }

  @Test
  void parse_ofGarbledNumbers_isNoSnapshot() {
    Map<String, String> m = new HashMap<>(Map.of("sb-applied", "2", "sb-epoch", EPOCH));
    m.put("sb-stage-current", "two");
    assertThat(StageSnapshot.parse(m)).isNull();
    m.put("sb-stage-current", "0");
    assertThat(StageSnapshot.parse(m)).isNull();
    m.put("sb-stage-current", "1");
    m.put("sb-applied", "-1");
    assertThat(StageSnapshot.parse(m)).isNull();
  }
}
