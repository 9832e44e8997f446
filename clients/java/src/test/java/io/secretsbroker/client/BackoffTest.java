package io.secretsbroker.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delay_doublesFromTheInitialValue_withJitterInTheUpperHalf_andIsCapped() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), new Random(1));

    for (int round = 0; round < 200; round++) {
      assertThat(backoff.delay(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
      assertThat(backoff.delay(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
      assertThat(backoff.delay(3)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
      assertThat(backoff.delay(4)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
      assertThat(backoff.delay(1_000_000)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    }
  }

  @Test
  void delay_isJittered() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), new Random(1));

    assertThat(java.util.stream.IntStream.range(0, 20).mapToObj(i -> backoff.delay(2)).distinct().count())
        .isGreaterThan(10);
  }
}
