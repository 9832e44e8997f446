package io.secretsbroker.bench;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load generator: one HTTP/2 connection to a loopback port and exactly {@code concurrency}
 * {@code GetSecret} calls outstanding — each completion issues the next call at once. Latencies of OK calls go
 * to an HdrHistogram; failures are counted by status code. One phase at a time.
 */
final class LoadClient implements AutoCloseable {
  /** No single call may take longer than this; a call that does fails with DEADLINE_EXCEEDED. */
  static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

  private static final int SIGNIFICANT_DIGITS = 3;

  private final ManagedChannel channel;
  private final SecretsServiceGrpc.SecretsServiceStub async;
  private final SecretsServiceGrpc.SecretsServiceBlockingStub blocking;
  private final GetSecretRequest request = GetSecretRequest.newBuilder().setName(BenchSecret.NAME).build();
  private final int concurrency;

  /**
   * Connects lazily to {@code 127.0.0.1:port}.
   *
   * @param trustedCert the server's certificate for TLS; empty for plaintext
   * @param bearerToken sent as {@code authorization: Bearer ...} on every call, if present
   * @throws IOException if the certificate cannot be read
   */
  LoadClient(int port, Optional<SelfSignedCert> trustedCert, Optional<String> bearerToken, int concurrency)
      throws IOException {
    this.concurrency = concurrency;
    ChannelCredentials credentials = trustedCert.isPresent()
        ? TlsChannelCredentials.newBuilder().trustManager(trustedCert.get().certFile().toFile()).build()
        : InsecureChannelCredentials.create();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).directExecutor().build();
    Metadata headers = new Metadata();
    bearerToken.ifPresent(t -> headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + t));
    async = SecretsServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    blocking = SecretsServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** Writes {@link BenchSecret} (a new version of it). */
  void putSecret() {
    blocking.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).putSecret(PutSecretRequest
        .newBuilder().setName(BenchSecret.NAME).setValue(ByteString.copyFrom(BenchSecret.value())).build());
  }

  /** One blocking read of {@link BenchSecret}, e.g. to warm the daemon's cache. */
  GetSecretResponse readOnce() {
    return blocking.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).getSecret(request);
  }

  /**
   * Runs the closed loop for {@code length}: no new call starts after it, and the calls still outstanding are
   * waited for (each bounded by {@link #CALL_DEADLINE}).
   *
   * @throws InterruptedException if interrupted while waiting
   */
  PhaseResult run(Duration length) throws InterruptedException {
    Phase phase = new Phase(System.nanoTime() + length.toNanos());
    for (int i = 0; i < concurrency; i++) {
      issue(phase);
    }
    if (!phase.drained.await(length.plus(CALL_DEADLINE).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("calls still outstanding after the phase and the call deadline");
    }
    return phase.result();
  }

  private void issue(Phase phase) {
    long start = System.nanoTime();
    if (start - phase.endNanos >= 0) {
      phase.finishOne(start);
      return;
    }
    async.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).getSecret(request,
        new StreamObserver<>() {
          @Override
          public void onNext(GetSecretResponse value) {}

          @Override
          public void onError(Throwable t) {
            phase.errors.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new LongAdder()).increment();
            ForkJoinPool.commonPool().execute(() -> issue(phase)); // never recurse on a failure that is immediate
          }

          @Override
          public void onCompleted() {
            phase.latencies.recordValue(System.nanoTime() - start);
            phase.ok.increment();
            issue(phase);
          }
        });
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Phase {
    final long startNanos = System.nanoTime();
    final long endNanos;
    final Recorder latencies = new Recorder(SIGNIFICANT_DIGITS);
    final LongAdder ok = new LongAdder();
    final Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
    final AtomicInteger running = new AtomicInteger(concurrency);
    final CountDownLatch drained = new CountDownLatch(1);
    volatile long lastNanos;

    Phase(long endNanos) {
      this.endNanos = endNanos;
    }

    void finishOne(long now) {
      if (running.decrementAndGet() == 0) {
        lastNanos = now;
        drained.countDown();
      }
    }

    PhaseResult result() {
      Map<Status.Code, Long> counted = new EnumMap<>(Status.Code.class);
      errors.forEach((code, n) -> counted.put(code, n.sum()));
      return new PhaseResult(ok.sum(), counted, latencies.getIntervalHistogram(),
          Duration.ofNanos(lastNanos - startNanos));
    }
  }

  /**
   * What one phase measured.
   *
   * @param ok calls that returned OK
   * @param errors failed calls by status code
   * @param latencies latencies of the OK calls, in nanoseconds
   * @param elapsed from the first call issued to the last one finished
   */
  record PhaseResult(long ok, Map<Status.Code, Long> errors, Histogram latencies, Duration elapsed) {
    /** OK calls a second over the phase. */
    double qps() {
      return elapsed.isZero() ? 0 : ok * 1e9 / elapsed.toNanos();
    }

    /** All failed calls. */
    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
