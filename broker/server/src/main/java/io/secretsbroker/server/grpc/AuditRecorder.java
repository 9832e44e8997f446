package io.secretsbroker.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.audit.AuditEntry;
import io.secretsbroker.core.audit.AuditLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes one audit record per call and holds a unary call's response back until that record is durable: if the
 * record cannot be written, the caller gets {@code UNAVAILABLE} and no response (fail closed). A streaming call
 * is recorded when its handler starts streaming ({@link #recordStreamStart}, fail closed as well) and again if
 * the server ends it.
 */
final class AuditRecorder {
  private final AuditLog audit;
  private final Clock clock;

  /**
   * @param audit the log, or null when auditing is turned off (benchmarks only)
   */
  AuditRecorder(AuditLog audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  <Q, R> ServerCall<Q, R> wrap(ServerCall<Q, R> call, CallContext ctx) {
    if (audit == null) {
      return call;
    }
    boolean unary = call.getMethodDescriptor().getType() == MethodType.UNARY;
    java.time.Instant arrived = clock.instant();
    return new SimpleForwardingServerCall<>(call) {
      private final List<R> held = new ArrayList<>(1);

      @Override
      public void sendMessage(R message) {
        if (unary) {
          held.add(message);
        } else {
          super.sendMessage(message);
        }
      }

      @Override
      public void close(Status status, Metadata trailers) {
        try {
          audit.append(entry(arrived, ctx, status.getCode().name(), detailOf(status, ctx)));
        } catch (BrokerException e) {
          held.clear();
          trailers.put(BrokerInterceptor.REQUEST_ID, ctx.requestId());
          super.close(StatusMapper.toStatus(e, ctx.requestId()), trailers);
          return;
        }
        for (R m : held) {
          super.sendMessage(m);
        }
        held.clear();
        super.close(status, trailers);
      }
    };
  }

  private static AuditEntry entry(java.time.Instant arrived, CallContext ctx, String outcome, String detail) {
    return new AuditEntry(arrived, ctx.requestId(), ctx.principal() == null ? "anonymous" : ctx.principal().name(),
        ctx.peer(), ctx.method(), ctx.name(), ctx.version(), outcome, ctx.cacheHit(),
        (System.nanoTime() - ctx.startNanos()) / 1_000, detail);
  }

  /**
   * Records that a streaming call started streaming.
   *
   * @throws BrokerException UNAVAILABLE when the record cannot be made durable: the stream must not start
   */
  void recordStreamStart(CallContext ctx) {
    if (audit == null) {
      return;
    }
    audit.append(entry(clock.instant(), ctx, "OK", "stream started"));
  }

  private static String detailOf(Status status, CallContext ctx) {
    if (!ctx.detail().isEmpty()) {
      return ctx.detail();
    }
    // Status descriptions are built by the broker and never hold values; keep the reason for refusals.
    return status.isOk() || status.getDescription() == null ? "" : status.getDescription();
  }
}
