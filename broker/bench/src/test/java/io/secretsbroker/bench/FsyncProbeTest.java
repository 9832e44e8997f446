package io.secretsbroker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class FsyncProbeTest {

  @Test
  void percentile_isTheNearestRank() {
    long[] tenToTwoThousand = LongStream.rangeClosed(1, 200).map(i -> i * 10).toArray();

    assertThat(FsyncProbe.percentile(tenToTwoThousand, 50)).isEqualTo(1_000);
    assertThat(FsyncProbe.percentile(tenToTwoThousand, 99)).isEqualTo(1_980);
    assertThat(FsyncProbe.percentile(tenToTwoThousand, 100)).isEqualTo(2_000);
    assertThat(FsyncProbe.percentile(new long[] {7}, 50)).isEqualTo(7);
  }

  @Test
  void percentile_ofNoSamples_isRejected() {
    assertThatThrownBy(() -> FsyncProbe.percentile(new long[0], 50)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FsyncProbe.percentile(new long[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
