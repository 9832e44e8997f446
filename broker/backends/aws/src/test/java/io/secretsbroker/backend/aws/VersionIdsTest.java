package io.secretsbroker.backend.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.testkit.FakeClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VersionIdsTest {
  private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final VersionIds ids = new VersionIds(clock, new SecureRandom());

  @Test
  void ids_areVersion7Uuids_thatAwsAcceptsAsClientRequestTokens() {
    String id = ids.next();
    UUID uuid = UUID.fromString(id);

    assertThat(uuid.version()).isEqualTo(7);
    assertThat(uuid.variant()).isEqualTo(2);
    assertThat(uuid.getMostSignificantBits() >>> 16).isEqualTo(clock.millis());
    assertThat(id).hasSize(36);
    assertThat(VersionIds.isPossibleAwsVersionId(id)).isTrue();
  }

  @Test
  void ids_increaseAsStrings_evenWhenTheClockStandsStill() {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      made.add(ids.next());
    }
    assertThat(made).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void ids_increase_whenTheClockStepsBack() {
    clock.advance(Duration.ofHours(1));
    String before = ids.next();
    clock.set(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(ids.next()).isGreaterThan(before);
  }

  @Test
  void ids_followTheClock() {
    String first = ids.next();
    clock.advance(Duration.ofMillis(1));
    assertThat(ids.next()).isGreaterThan(first);
  }

  @Test
  void idsOfOtherLengths_nameNoAwsVersion() {
    assertThat(VersionIds.isPossibleAwsVersionId("424242")).isFalse();
    assertThat(VersionIds.isPossibleAwsVersionId("a".repeat(65))).isFalse();
    assertThat(VersionIds.isPossibleAwsVersionId("a".repeat(32))).isTrue();
  }
}
