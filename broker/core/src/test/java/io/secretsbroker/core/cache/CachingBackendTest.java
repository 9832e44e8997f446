package io.secretsbroker.core.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.testkit.InMemoryBackend;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CachingBackendTest {
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;
  private InMemoryBackend backend;
  private CachingBackend cache;

  @BeforeEach
  void setUp() {
    backend = new InMemoryBackend(new FakeClock());
    cache = new CachingBackend(backend, new CacheSettings(Duration.ofSeconds(300), 100, 1.0), ticker, Runnable::run);
    backend.write(WriteRequest.put("db", SecretValue.of("one".getBytes(UTF_8))));
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private String current() {
    return new String(cache.read(SecretRef.current("db")).value().bytes(), UTF_8);
  }

  @Test
  void secondRead_withinTtl_isServedFromCache() {
    assertThat(cache.lookup(SecretRef.current("db")).fromCache()).isFalse();
    assertThat(cache.lookup(SecretRef.current("db")).fromCache()).isTrue();
    assertThat(backend.reads()).isEqualTo(1);
  }

  @Test
  void readAfterTtl_goesToBackend() {
    current();
    advance(Duration.ofSeconds(301));
    assertThat(cache.lookup(SecretRef.current("db")).fromCache()).isFalse();
    assertThat(backend.reads()).isEqualTo(2);
  }

  @Test
  void writeThroughCache_invalidatesEveryEntryOfThatName() {
    current();
    cache.read(SecretRef.ofVersion("db", "1"));
    cache.write(WriteRequest.put("db", SecretValue.of("two".getBytes(UTF_8))));
    assertThat(cache.size()).isZero();
    assertThat(current()).isEqualTo("two");
    assertThat(new String(cache.read(SecretRef.ofStage("db", Stage.PREVIOUS)).value().bytes(), UTF_8))
        .isEqualTo("one");
  }

  @Test
  void deleteAndStageMoves_invalidate() {
    current();
    cache.clearStage("db", Stage.PENDING);
    assertThat(cache.size()).isZero();
    current();
    cache.delete("db");
    assertThatThrownBy(this::current).isInstanceOf(BackendException.class);
  }

  @Test
  void failedReads_areNotCached() {
    assertThatThrownBy(() -> cache.read(SecretRef.current("missing"))).isInstanceOf(BackendException.class);
    backend.write(WriteRequest.put("missing", SecretValue.of(new byte[] {1})));
    assertThat(cache.read(SecretRef.current("missing")).value().bytes()).containsExactly(1);
  }

  @Test
  void backendFailure_propagatesWithItsCode() {
    backend.failWith(ErrorCode.UNAVAILABLE);
    assertThatThrownBy(this::current).isInstanceOfSatisfying(BackendException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
  }

  @Test
  void refreshAhead_reloadsInBackgroundWithoutMissing() {
    CachingBackend refreshing = new CachingBackend(backend, new CacheSettings(Duration.ofSeconds(100), 100, 0.8),
        ticker, Runnable::run);
    refreshing.read(SecretRef.current("db"));
    backend.write(WriteRequest.put("db", SecretValue.of("two".getBytes(UTF_8)))); // behind the cache's back
    advance(Duration.ofSeconds(81));
    // Past the refresh point: the read is still a hit, and triggers a reload (run inline here).
    CachingBackend.Lookup l = refreshing.lookup(SecretRef.current("db"));
    assertThat(l.fromCache()).isTrue();
    assertThat(new String(refreshing.read(SecretRef.current("db")).value().bytes(), UTF_8)).isEqualTo("two");
  }

  @Test
  void ttlZero_turnsCachingOff() {
    CachingBackend off = new CachingBackend(backend, new CacheSettings(Duration.ZERO, 100, 1.0), ticker,
        Runnable::run);
    off.read(SecretRef.current("db"));
    assertThat(off.lookup(SecretRef.current("db")).fromCache()).isFalse();
    assertThat(backend.reads()).isEqualTo(2);
  }

  @Test
  void maximumSize_boundsTheCache() {
    CachingBackend small = new CachingBackend(backend, new CacheSettings(Duration.ofSeconds(300), 5, 1.0), ticker,
        Runnable::run);
    for (int i = 0; i < 50; i++) {
      backend.write(WriteRequest.put("s" + i, SecretValue.of(new byte[] {(byte) i})));
      small.read(SecretRef.current("s" + i));
    }
    small.lookup(SecretRef.current("s0")); // forces maintenance
    com.github.benmanes.caffeine.cache.Caffeine.class.getName();
    assertThat(small.size()).isLessThanOrEqualTo(5);
  }
}
