package io.secretsbroker.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.spi.ForwardingBackend;
import io.secretsbroker.testkit.InMemoryBackend;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResilientBackendTest {
  private InMemoryBackend memory;

  @BeforeEach
  void setUp() {
    memory = new InMemoryBackend(new FakeClock());
    memory.write(WriteRequest.put("db", SecretValue.of(new byte[] {1})));
  }

  private static ResilienceSettings settings(int attempts, int window, Duration open) {
    return new ResilienceSettings(attempts, Duration.ofMillis(1), Duration.ofMillis(2), 50f, window, open);
  }

  private static ErrorCode codeOf(Runnable r) {
    try {
      r.run();
    } catch (BackendException e) {
      return e.code();
    }
    throw new AssertionError("expected failure");
  }

  @Test
  void retryableReadFailures_areRetriedUpToMaxAttempts() {
    ResilientBackend b = new ResilientBackend(memory, "m/", settings(3, 100, Duration.ofSeconds(10)));
    int before = memory.reads();
    memory.failWith(ErrorCode.UNAVAILABLE);
    assertThat(codeOf(() -> b.read(SecretRef.current("db")))).isEqualTo(ErrorCode.UNAVAILABLE);
    memory.failWith(null);
    assertThat(b.read(SecretRef.current("db")).value().bytes()).containsExactly(1);
    assertThat(memory.reads() - before).isEqualTo(1); // failed attempts never reached the read counter
  }

  @Test
  void nonRetryableFailures_failAtOnce() {
    ResilientBackend b = new ResilientBackend(memory, "m/", settings(3, 100, Duration.ofSeconds(10)));
    assertThat(codeOf(() -> b.read(SecretRef.current("missing")))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(b.circuitOpen()).isFalse();
  }

  @Test
  void writes_areNotRetriedAfterUnavailable_butAreAfterThrottling() {
    CountingBackend counting = new CountingBackend(memory);
    ResilientBackend b = new ResilientBackend(counting, "m/", settings(3, 100, Duration.ofSeconds(10)));
    memory.failWith(ErrorCode.UNAVAILABLE);
    codeOf(() -> b.write(WriteRequest.put("db", SecretValue.of(new byte[] {2}))));
    assertThat(counting.writes).isEqualTo(1);
    memory.failWith(ErrorCode.RESOURCE_EXHAUSTED);
    codeOf(() -> b.write(WriteRequest.put("db", SecretValue.of(new byte[] {2}))));
    assertThat(counting.writes).isEqualTo(4);
  }

  @Test
  void repeatedFailures_openTheCircuit_soCallsFailFastWithoutReachingTheBackend() {
    CountingBackend counting = new CountingBackend(memory);
    ResilientBackend b = new ResilientBackend(counting, "m/", settings(1, 5, Duration.ofMinutes(5)));
    memory.failWith(ErrorCode.UNAVAILABLE);
    for (int i = 0; i < 5; i++) {
      codeOf(() -> b.read(SecretRef.current("db")));
    }
    assertThat(b.circuitOpen()).isTrue();
    assertThat(b.healthy()).isFalse();
    int calls = counting.reads;
    memory.failWith(null);
    assertThatThrownBy(() -> b.read(SecretRef.current("db"))).isInstanceOfSatisfying(BackendException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).contains("circuit open");
    });
    assertThat(counting.reads).isEqualTo(calls);
  }

  /** Counts calls that reach the backend, failing or not. */
  private static final class CountingBackend extends ForwardingBackend {
    int reads;
    int writes;

    CountingBackend(InMemoryBackend delegate) {
      super(delegate);
    }

    @Override
    public io.secretsbroker.spi.SecretVersion read(SecretRef ref) {
      reads++;
      return super.read(ref);
    }

    @Override
    public io.secretsbroker.spi.VersionInfo write(WriteRequest request) {
      writes++;
      return super.write(request);
    }
  }
}
