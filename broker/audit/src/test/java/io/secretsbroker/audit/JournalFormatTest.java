package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JournalFormatTest {
  @Test
  void segmentNames_areTwentyDigitsAndSeg_withinALong() {
    assertThat(JournalFormat.segmentName(42)).isEqualTo("00000000000000000042.seg");
    assertThat(JournalFormat.firstSequenceOf("00000000000000000042.seg")).isEqualTo(42);
    assertThat(JournalFormat.isSegmentName(JournalFormat.segmentName(Long.MAX_VALUE))).isTrue();
    assertThat(JournalFormat.isSegmentName("99999999999999999999.seg")).isFalse();
    assertThat(JournalFormat.isSegmentName("0042.seg")).isFalse();
    assertThat(JournalFormat.isSegmentName("00000000000000000042.seg.checkpoint")).isFalse();
    assertThat(JournalFormat.isSegmentName(null)).isFalse();
    assertThatThrownBy(() -> JournalFormat.requireSegmentName("../00000000000000000042.seg"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an audit segment name");
  }

  @Test
  void checkpointLines_roundTrip() {
    Checkpoint c = Checkpoint.sign(JournalFixture.key(), "r1", 7, new byte[AuditKey.BYTES],
        java.time.Instant.parse("2026-03-01T00:00:00.123Z"));

    assertThat(Checkpoint.parseLine("r1", c.toLine())).isEqualTo(c);
    assertThat(Checkpoint.parseLine("r1", "7 abc")).isNull();
    assertThat(Checkpoint.parseLine("r1", "x y 1 z")).isNull();
  }
}
