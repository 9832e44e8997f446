package io.secretsbroker.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedAuthGuardTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final FailedAuthGuard guard = new FailedAuthGuard(3, Duration.ofSeconds(10),
      Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC), nanos::get);

  @Test
  void aPeerPastItsLimit_isRefused_untilTheWindowEnds_andItsWindowIsReportedOnce() {
    for (int i = 0; i < 3; i++) {
      assertThat(guard.refuse("10.0.0.1")).isFalse();
      assertThat(guard.failed("10.0.0.1")).isNull();
    }
    assertThat(guard.refuse("10.0.0.1")).isTrue();
    assertThat(guard.refuse("10.0.0.1")).isTrue();
    assertThat(guard.refuse("10.0.0.2")).as("another address").isFalse();
    assertThat(guard.drain()).as("the window has not ended").isEmpty();

    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(guard.refuse("10.0.0.1")).isFalse();
    assertThat(guard.drain()).singleElement().satisfies(w -> {
      assertThat(w.peer()).isEqualTo("10.0.0.1");
      assertThat(w.failures()).isEqualTo(3);
      assertThat(w.refused()).isEqualTo(2);
      assertThat(w.first()).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
    });
    assertThat(guard.drain()).isEmpty();
  }

  @Test
  void aFailureAfterTheWindow_returnsTheFinishedWindow_andStartsANewOne() {
    guard.failed("10.0.0.1");
    nanos.addAndGet(Duration.ofSeconds(11).toNanos());
    FailedAuthGuard.Window w = guard.failed("10.0.0.1");
    assertThat(w).isNotNull();
    assertThat(w.failures()).isEqualTo(1);
    nanos.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(guard.drain()).singleElement().satisfies(n -> assertThat(n.failures()).isEqualTo(1));
  }

  @Test
  void host_dropsThePort() {
    assertThat(FailedAuthGuard.host("/127.0.0.1:5312")).isEqualTo("127.0.0.1");
    assertThat(FailedAuthGuard.host("/[::1]:5312")).isEqualTo("[::1]");
    assertThat(FailedAuthGuard.host("")).isEmpty();
  }
}
