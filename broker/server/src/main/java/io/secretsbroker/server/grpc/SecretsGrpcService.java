package io.secretsbroker.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.SecretDescription;
import io.secretsbroker.core.SecretNames;
import io.secretsbroker.core.SecretResult;
import io.secretsbroker.core.SecretService;
import io.secretsbroker.core.ServiceLimits;
import io.secretsbroker.core.auth.Principal;
import io.secretsbroker.core.policy.AccessControl;
import io.secretsbroker.core.rotation.RotationService;
import io.secretsbroker.core.rotation.RotationStatus;
import io.secretsbroker.policy.PolicyPaths.Operation;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.proto.v1.BatchGetResult;
import io.secretsbroker.proto.v1.BatchGetSecretsRequest;
import io.secretsbroker.proto.v1.BatchGetSecretsResponse;
import io.secretsbroker.proto.v1.DeleteSecretRequest;
import io.secretsbroker.proto.v1.DeleteSecretResponse;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.ItemError;
import io.secretsbroker.proto.v1.ListSecretsRequest;
import io.secretsbroker.proto.v1.ListSecretsResponse;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.PutSecretResponse;
import io.secretsbroker.proto.v1.SecretEvent;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.proto.v1.WatchSecretsRequest;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.VersionInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** {@code SecretsService}: validates each request, calls the core, maps the result. */
final class SecretsGrpcService extends SecretsServiceGrpc.SecretsServiceImplBase {
  private final SecretService secrets;
  private final ChangeFeed changes;
  private final AccessControl access;
  private final ServiceLimits limits;
  private final ScheduledExecutorService scheduler;
  private final Duration heartbeat;
  private final Clock clock;
  private final AuditRecorder audit;
  private final RotationService rotation;
  private final java.util.concurrent.Executor blocking;

  SecretsGrpcService(SecretService secrets, ChangeFeed changes, AccessControl access, ServiceLimits limits,
      ScheduledExecutorService scheduler, Duration heartbeat, Clock clock, AuditRecorder audit,
      RotationService rotation, java.util.concurrent.Executor blocking) {
    this.blocking = blocking;
    this.audit = audit;
    this.rotation = rotation;
    this.secrets = secrets;
    this.changes = changes;
    this.access = access;
    this.limits = limits;
    this.scheduler = scheduler;
    this.heartbeat = heartbeat;
    this.clock = clock;
  }

  private static SecretRef ref(GetSecretRequest req) {
    return switch (req.getSelectorCase()) {
      case VERSION -> {
        if (req.getVersion().isBlank()) {
          throw BrokerException.invalid("version", "must not be blank");
        }
        yield SecretRef.ofVersion(req.getName(), req.getVersion());
      }
      case STAGE -> SecretRef.ofStage(req.getName(), Protos.stage(req.getStage(), "stage"));
      case SELECTOR_NOT_SET -> SecretRef.current(req.getName());
    };
  }

  /** The selector asked for, for the audit record of an item that failed (its ref may not even parse). */
  private static String selectorOf(GetSecretRequest req) {
    try {
      return ref(req).selector();
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static GetSecretResponse response(SecretResult r) {
    GetSecretResponse.Builder b = GetSecretResponse.newBuilder()
        .setName(r.version().name())
        .setValue(com.google.protobuf.UnsafeByteOperations.unsafeWrap(r.version().value().bytes()))
        .setVersion(r.version().info().version())
        .setCreatedTime(Protos.ts(r.version().info().createdAt()))
        .setCacheTtl(Protos.duration(r.cacheTtl()));
    r.version().info().stages().stream().sorted().forEach(s -> b.addStages(Protos.stage(s)));
    return b.build();
  }

  @Override
  public void getSecret(GetSecretRequest req, StreamObserver<GetSecretResponse> out) {
    if (CallExecutors.onTransportThread() && !answerableFromMemory(req)) {
      blocking.execute(io.grpc.Context.current().wrap(() -> serveGet(req, out)));
      return;
    }
    serveGet(req, out);
  }

  private boolean answerableFromMemory(GetSecretRequest req) {
    try {
      return secrets.answerableFromMemory(ref(req));
    } catch (BrokerException e) {
      return true; // bad input fails at once
    }
  }

  private void serveGet(GetSecretRequest req, StreamObserver<GetSecretResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current();
      ctx.target(req.getName(), ref(req).selector());
      SecretResult r = secrets.get(ctx.principal(), ref(req));
      ctx.served(r.version().info().version(), r.fromCache());
      return response(r);
    });
  }

  @Override
  public void batchGetSecrets(BatchGetSecretsRequest req, StreamObserver<BatchGetSecretsResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current();
      if (req.getRequestsCount() == 0) {
        throw BrokerException.invalid("requests", "at least one read required");
      }
      if (req.getRequestsCount() > limits.maxBatchSize()) {
        throw BrokerException.invalid("requests", "at most " + limits.maxBatchSize() + " reads per batch");
      }
      ctx.detail("batch of " + req.getRequestsCount());
      BatchGetSecretsResponse.Builder b = BatchGetSecretsResponse.newBuilder();
      for (GetSecretRequest item : req.getRequestsList()) {
        BatchGetResult.Builder r = BatchGetResult.newBuilder().setName(item.getName());
        try {
          SecretResult got = secrets.get(ctx.principal(), ref(item));
          r.setSecret(response(got));
          ctx.item(new CallContext.Item(item.getName(), got.version().info().version(), "OK", got.fromCache(), ""));
        } catch (RuntimeException e) {
          io.grpc.Status s = StatusMapper.toStatus(e, ctx.requestId());
          String message = s.getDescription() == null ? "" : s.getDescription();
          r.setError(ItemError.newBuilder().setCode(s.getCode().name()).setMessage(message));
          ctx.item(new CallContext.Item(item.getName(), selectorOf(item), s.getCode().name(), false, message));
        }
        b.addResults(r);
      }
      return b.build();
    });
  }

  @Override
  public void listSecrets(ListSecretsRequest req, StreamObserver<ListSecretsResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getPrefix(), "");
      Page<SecretSummary> page = secrets.list(ctx.principal(), req.getPrefix(), Protos.page(req.getPage()));
      ListSecretsResponse.Builder b = ListSecretsResponse.newBuilder().setNextPageToken(page.nextPageToken());
      for (SecretSummary s : page.items()) {
        io.secretsbroker.proto.v1.SecretSummary.Builder sb = io.secretsbroker.proto.v1.SecretSummary.newBuilder()
            .setName(s.name()).setCreatedTime(Protos.ts(s.createdAt())).setUpdatedTime(Protos.ts(s.updatedAt()));
        if (s.currentVersion() != null) {
          sb.setCurrentVersion(s.currentVersion());
        }
        b.addSecrets(sb);
      }
      return b.build();
    });
  }

  @Override
  public void describeSecret(DescribeSecretRequest req, StreamObserver<DescribeSecretResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), "");
      SecretDescription d = secrets.describe(ctx.principal(), req.getName());
      DescribeSecretResponse.Builder b = DescribeSecretResponse.newBuilder()
          .setName(d.metadata().name()).setMount(d.mount()).setBackend(d.backend())
          .setCreatedTime(Protos.ts(d.metadata().createdAt()))
          .setUpdatedTime(Protos.ts(d.metadata().current().map(VersionInfo::createdAt)
              .orElse(d.metadata().updatedAt())));
      for (VersionInfo v : d.metadata().versions()) {
        b.addVersions(Protos.version(v, d.revokedVersions().contains(v.version())));
      }
      RotationStatus rs = rotation.statusOf(d.metadata());
      b.setRotationPolicy(RotationGrpcService.toProto(rs.policy())).setNextRotationTime(Protos.ts(rs.nextRotation()));
      rs.lastRotated().ifPresent(t -> b.setLastRotatedTime(Protos.ts(t)));
      return b.build();
    });
  }

  @Override
  public void putSecret(PutSecretRequest req, StreamObserver<PutSecretResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), "");
      String expected = req.hasExpectedCurrentVersion() ? req.getExpectedCurrentVersion() : null;
      if (expected != null) {
        ctx.detail("check-and-set expected " + (expected.isEmpty() ? "none" : expected));
      }
      VersionInfo v = secrets.put(ctx.principal(), req.getName(), req.getValue().toByteArray(), expected);
      ctx.served(v.version(), false);
      return PutSecretResponse.newBuilder().setName(req.getName()).setVersion(Protos.version(v, false)).build();
    });
  }

  @Override
  public void deleteSecret(DeleteSecretRequest req, StreamObserver<DeleteSecretResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), "");
      secrets.delete(ctx.principal(), req.getName());
      return DeleteSecretResponse.getDefaultInstance();
    });
  }

  @Override
  public void watchSecrets(WatchSecretsRequest req, StreamObserver<SecretEvent> raw) {
    CallContext ctx = CallContext.current();
    ServerCallStreamObserver<SecretEvent> out = (ServerCallStreamObserver<SecretEvent>) raw;
    List<String> prefixes = req.getPrefixesList();
    try {
      for (int i = 0; i < prefixes.size(); i++) {
        SecretNames.requireValidPrefix("prefixes[" + i + "]", prefixes.get(i));
      }
      if (req.getResumeAfterEventId() < 0) {
        throw BrokerException.invalid("resume_after_event_id", "must not be negative");
      }
      ctx.target(String.join(",", prefixes), "");
      audit.recordStreamStart(ctx);
    } catch (BrokerException e) {
      out.onError(StatusMapper.toStatus(e, ctx.requestId()).asRuntimeException());
      return;
    }
    Principal principal = ctx.principal();
    Object lock = new Object();
    long[] lastSent = {req.getResumeAfterEventId()};
    Consumer<ChangeEvent> listener = e -> {
      if (!matches(prefixes, e.name()) || !access.allows(principal, Operation.WATCH_SECRETS, e.name())) {
        return;
      }
      synchronized (lock) {
        if (e.id() <= lastSent[0] || out.isCancelled()) {
          return;
        }
        lastSent[0] = e.id();
        out.onNext(toEvent(e));
      }
    };
    synchronized (lock) {
      if (req.getResumeAfterEventId() == 0) {
        lastSent[0] = changes.highWater(); // new events only: start from the feed's head
      }
      changes.subscribe(listener);
      if (req.getResumeAfterEventId() > 0) {
        for (ChangeEvent e : changes.since(req.getResumeAfterEventId(), 10_000)) {
          if (matches(prefixes, e.name()) && access.allows(principal, Operation.WATCH_SECRETS, e.name())) {
            lastSent[0] = e.id();
            out.onNext(toEvent(e));
          }
        }
      }
      // An opening heartbeat tells the client the position to resume from, even if nothing happens before
      // the stream breaks.
      out.onNext(SecretEvent.newBuilder().setType(SecretEvent.Type.TYPE_HEARTBEAT).setEventId(lastSent[0])
          .setTime(Protos.ts(clock.instant())).build());
    }
    ScheduledFuture<?> beat = scheduler.scheduleAtFixedRate(() -> {
      synchronized (lock) {
        if (!out.isCancelled()) {
          out.onNext(SecretEvent.newBuilder().setType(SecretEvent.Type.TYPE_HEARTBEAT)
              .setEventId(lastSent[0]).setTime(Protos.ts(clock.instant())).build());
        }
      }
    }, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    out.setOnCancelHandler(() -> {
      changes.unsubscribe(listener);
      beat.cancel(false);
    });
  }

  private static boolean matches(List<String> prefixes, String name) {
    return prefixes.isEmpty() || prefixes.stream().anyMatch(name::startsWith);
  }

  private static SecretEvent toEvent(ChangeEvent e) {
    SecretEvent.Type t = switch (e.type()) {
      case UPDATED -> SecretEvent.Type.TYPE_UPDATED;
      case ROTATED -> SecretEvent.Type.TYPE_ROTATED;
      case REVOKED -> SecretEvent.Type.TYPE_REVOKED;
      case DELETED -> SecretEvent.Type.TYPE_DELETED;
    };
    return SecretEvent.newBuilder().setEventId(e.id()).setType(t).setName(e.name()).setVersion(e.version())
        .setTime(Protos.ts(e.time())).build();
  }
}
