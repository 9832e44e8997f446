package io.secretsbroker.core.backend;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Retries retryable backend failures with jittered exponential backoff and stops calling a failing backend
 * (circuit breaker) so callers get a fast {@code UNAVAILABLE} instead of piling up on timeouts.
 *
 * <p>Reads, listings and describes are retried on any retryable failure. Writes and stage moves are retried
 * only when the backend throttled ({@link ErrorCode#RESOURCE_EXHAUSTED}): after a timeout the write may have
 * happened, and repeating it could create a second version. Only retryable failures count against the circuit.
 */
public final class ResilientBackend implements SecretBackend {
  private final SecretBackend delegate;
  private final String mount;
  private final CircuitBreaker breaker;
  private final Retry readRetry;
  private final Retry writeRetry;

  public ResilientBackend(SecretBackend delegate, String mount, ResilienceSettings s) {
    this.delegate = delegate;
    this.mount = mount;
    IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(
        s.initialBackoff(), 2.0, 0.5, s.maxBackoff());
    this.readRetry = Retry.of("read:" + mount, RetryConfig.custom()
        .maxAttempts(s.maxAttempts())
        .intervalFunction(backoff)
        .retryOnException(e -> e instanceof BackendException be && be.retryable())
        .failAfterMaxAttempts(false)
        .build());
    this.writeRetry = Retry.of("write:" + mount, RetryConfig.custom()
        .maxAttempts(s.maxAttempts())
        .intervalFunction(backoff)
        .retryOnException(e -> e instanceof BackendException be && be.code() == ErrorCode.RESOURCE_EXHAUSTED)
        .failAfterMaxAttempts(false)
        .build());
    this.breaker = CircuitBreaker.of("backend:" + mount, CircuitBreakerConfig.custom()
        .failureRateThreshold(s.failureRateThreshold())
        .slidingWindowSize(s.slidingWindowSize())
        .minimumNumberOfCalls(Math.min(5, s.slidingWindowSize()))
        .waitDurationInOpenState(s.openDuration())
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(e -> e instanceof BackendException be && be.retryable())
        .build());
  }

  /** Whether the circuit currently refuses calls. */
  public boolean circuitOpen() {
    return breaker.getState() == CircuitBreaker.State.OPEN;
  }

  private <T> T call(Retry retry, Supplier<T> op) {
    Supplier<T> guarded = CircuitBreaker.decorateSupplier(breaker, op);
    try {
      return Retry.decorateSupplier(retry, guarded).get();
    } catch (CallNotPermittedException e) {
      throw new BackendException(ErrorCode.UNAVAILABLE,
          "backend is failing; calls paused (circuit open)", e);
    }
  }

  private void run(Retry retry, Runnable op) {
    call(retry, () -> {
      op.run();
      return null;
    });
  }

  @Override
  public String kind() {
    return delegate.kind();
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public SecretVersion read(SecretRef ref) {
    return call(readRetry, () -> delegate.read(ref));
  }

  @Override
  public VersionInfo write(WriteRequest request) {
    return call(writeRetry, () -> delegate.write(request));
  }

  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    return call(readRetry, () -> delegate.list(prefix, page));
  }

  @Override
  public SecretMetadata describe(String name) {
    return call(readRetry, () -> delegate.describe(name));
  }

  @Override
  public void delete(String name) {
    run(writeRetry, () -> delegate.delete(name));
  }

  @Override
  public void moveStage(String name, Stage stage, String version) {
    run(writeRetry, () -> delegate.moveStage(name, stage, version));
  }

  @Override
  public void clearStage(String name, Stage stage) {
    run(writeRetry, () -> delegate.clearStage(name, stage));
  }

  @Override
  public boolean healthy() {
    return !circuitOpen() && delegate.healthy();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
