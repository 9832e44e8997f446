package io.secretsbroker.server.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.audit.AuditLog;
import io.secretsbroker.core.auth.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes the audit records of each call and holds a unary call's response back until they are durable: if they
 * cannot be written, the caller gets {@code UNAVAILABLE} and no response (fail closed). Nothing waits on a thread
 * meanwhile: the response leaves from the journal's acknowledgement when the group commit that holds its record
 * completes.
 *
 * <ul>
 *   <li>One record per call; a batch read gets one record per item instead (name, version and outcome each).
 *   <li>A mutation ({@link #MUTATIONS}) gets an {@code INTENT} record, durable before its handler runs (so before
 *       any backend is touched; if it cannot be written the call fails and nothing is attempted), and an
 *       {@code OUTCOME} record when it ends.
 *   <li>A streaming call is recorded when its handler starts streaming ({@link #recordStreamStart}) and again if
 *       the server ends it.
 * </ul>
 */
final class AuditRecorder {
  /** Methods that change state: recorded as intent, then outcome. */
  static final Set<String> MUTATIONS = Set.of("secretsbroker.v1.SecretsService/PutSecret",
      "secretsbroker.v1.SecretsService/DeleteSecret", "secretsbroker.v1.RevocationService/RevokeSecretVersion",
      "secretsbroker.v1.RotationService/RotateSecret", "secretsbroker.v1.RotationService/SetRotationPolicy",
      "secretsbroker.v1.AdminService/CreateToken", "secretsbroker.v1.AdminService/RevokeToken");

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
    Instant arrived = clock.instant();
    boolean mutation = MUTATIONS.contains(ctx.method());
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
        List<AuditEntry> entries = entries(arrived, ctx, status, mutation ? AuditEntry.Kind.OUTCOME
            : AuditEntry.Kind.ACCESS);
        audit.appendAsync(entries).orTimeout(audit.appendTimeoutMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((records, failure) -> {
              if (failure != null) {
                held.clear();
                trailers.put(BrokerInterceptor.REQUEST_ID, ctx.requestId());
                delegate().close(StatusMapper.toStatus(AuditLog.unavailable(failure), ctx.requestId()), trailers);
                return;
              }
              for (R m : held) {
                delegate().sendMessage(m);
              }
              held.clear();
              delegate().close(status, trailers);
            });
      }
    };
  }

  /**
   * For a mutation: records its intent, durably, before the handler runs; when that fails the call ends with
   * {@code UNAVAILABLE} and the handler never runs. Other calls pass through.
   */
  <Q, R> ServerCall.Listener<Q> intentFirst(ServerCall.Listener<Q> next, ServerCall<Q, R> call, CallContext ctx) {
    if (audit == null || !MUTATIONS.contains(ctx.method())) {
      return next;
    }
    return new SimpleForwardingServerCallListener<>(next) {
      private Q request;

      @Override
      public void onMessage(Q message) {
        request = message;
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        AuditEntry intent = builder(clock.instant(), ctx, AuditEntry.Kind.INTENT).name(nameOf(request))
            .outcome("PENDING").detail("about to " + ctx.method().substring(ctx.method().indexOf('/') + 1)).build();
        try {
          audit.append(intent);
        } catch (BrokerException e) {
          Metadata trailers = new Metadata();
          trailers.put(BrokerInterceptor.REQUEST_ID, ctx.requestId());
          call.close(StatusMapper.toStatus(e, ctx.requestId()), trailers);
          return;
        }
        super.onHalfClose();
      }
    };
  }

  /** The {@code name} field of a request, if it has one ("" otherwise). */
  private static String nameOf(Object request) {
    if (request instanceof Message m) {
      FieldDescriptor f = m.getDescriptorForType().findFieldByName("name");
      if (f != null && f.getJavaType() == FieldDescriptor.JavaType.STRING && !f.isRepeated()) {
        return (String) m.getField(f);
      }
    }
    return "";
  }

  private static List<AuditEntry> entries(Instant arrived, CallContext ctx, Status status, AuditEntry.Kind kind) {
    long latency = (System.nanoTime() - ctx.startNanos()) / 1_000;
    List<CallContext.Item> items = ctx.items();
    if (items.isEmpty() || !status.isOk()) {
      return List.of(builder(arrived, ctx, kind).name(ctx.name()).version(ctx.version())
          .outcome(status.getCode().name()).cacheHit(ctx.cacheHit()).latencyMicros(latency)
          .detail(detailOf(status, ctx)).build());
    }
    List<AuditEntry> out = new ArrayList<>(items.size());
    for (CallContext.Item item : items) {
      out.add(builder(arrived, ctx, kind).name(item.name()).version(item.version()).outcome(item.outcome())
          .cacheHit(item.cacheHit()).latencyMicros(latency).detail(item.detail()).build());
    }
    return out;
  }

  private static AuditEntry.Builder builder(Instant time, CallContext ctx, AuditEntry.Kind kind) {
    Principal p = ctx.principal();
    return AuditEntry.builder(kind, time).requestId(ctx.requestId())
        .principal(p == null ? "anonymous" : p.typedName())
        .authMethod(p == null ? "none" : p.method().equals("mtls") ? "mtls" : "token")
        .tokenAccessor(p == null ? "" : p.accessor()).peer(ctx.peer()).method(ctx.method());
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
    audit.append(builder(clock.instant(), ctx, AuditEntry.Kind.ACCESS).name(ctx.name()).outcome("OK")
        .detail("stream started").build());
  }

  /** Records one peer's failed authentications of one window as one record (no caller waits for it). */
  void recordFailedAuthentications(io.secretsbroker.core.auth.FailedAuthGuard.Window w) {
    if (audit == null) {
      return;
    }
    AuditEntry e = AuditEntry.builder(AuditEntry.Kind.ACCESS, w.first() == null ? clock.instant() : w.first())
        .requestId("auth-" + BrokerInterceptor.requestId()).principal("anonymous").authMethod("none").peer(w.peer())
        .method(FAILED_AUTH_METHOD).outcome("UNAUTHENTICATED")
        .detail(w.failures() + " failed authentications" + (w.refused() > 0 ? ", " + w.refused()
            + " more refused without a check" : "") + (w.first() == null ? "" : " from " + w.first() + " to "
            + w.last())).build();
    audit.appendAsync(List.of(e)).exceptionally(t -> {
      org.slf4j.LoggerFactory.getLogger(AuditRecorder.class).warn("could not record {} failed authentications from {}"
          + " ({})", w.failures(), w.peer(), t.getClass().getSimpleName());
      return null;
    });
  }

  /** The method name of aggregated failed-authentication records. */
  static final String FAILED_AUTH_METHOD = "auth/FailedAuthentications";

  private static String detailOf(Status status, CallContext ctx) {
    if (!ctx.detail().isEmpty()) {
      return ctx.detail();
    }
    // Status descriptions are built by the broker and never hold values; keep the reason for refusals.
    return status.isOk() || status.getDescription() == null ? "" : status.getDescription();
  }
}
