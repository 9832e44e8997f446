package io.secretsbroker.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Makes unary calls: a fresh deadline per attempt, retries of {@code UNAVAILABLE} for idempotent calls with
 * jittered exponential backoff, and every failure turned into a {@link SecretsBrokerException}.
 */
final class Invoker {
  /** Whether a call may be repeated without changing its effect. */
  enum Retry {
    IDEMPOTENT,
    NEVER
  }

  private final Duration deadline;
  private final int maxRetries;
  private final Backoff backoff;
  private final Sleeper sleeper;

  Invoker(Duration deadline, int maxRetries, Backoff backoff, Sleeper sleeper) {
    this.deadline = deadline;
    this.maxRetries = maxRetries;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  <S extends AbstractStub<S>, T> T call(S stub, Retry retry, Function<S, T> call) {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.apply(stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
      } catch (StatusRuntimeException e) {
        Status status = e.getStatus();
        if (status.getCode() != Status.Code.UNAVAILABLE || retry == Retry.NEVER || attempt >= maxRetries) {
          throw SecretsBrokerException.of(status, e);
        }
        try {
          sleeper.sleep(backoff.delay(attempt));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new SecretsBrokerException(ErrorCode.CANCELLED, "interrupted while waiting to retry", interrupted);
        }
      }
    }
  }
}
