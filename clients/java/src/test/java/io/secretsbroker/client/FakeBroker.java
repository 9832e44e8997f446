package io.secretsbroker.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.secretsbroker.proto.v1.AccessSummaryRequest;
import io.secretsbroker.proto.v1.AccessSummaryResponse;
import io.secretsbroker.proto.v1.AdminServiceGrpc;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.AuditServiceGrpc;
import io.secretsbroker.proto.v1.BatchGetResult;
import io.secretsbroker.proto.v1.BatchGetSecretsRequest;
import io.secretsbroker.proto.v1.BatchGetSecretsResponse;
import io.secretsbroker.proto.v1.CheckAccessRequest;
import io.secretsbroker.proto.v1.CheckAccessResponse;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.CreateTokenResponse;
import io.secretsbroker.proto.v1.DeleteSecretRequest;
import io.secretsbroker.proto.v1.DeleteSecretResponse;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.DueRotation;
import io.secretsbroker.proto.v1.GetRotationStatusRequest;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.ItemError;
import io.secretsbroker.proto.v1.ListDueRotationsRequest;
import io.secretsbroker.proto.v1.ListDueRotationsResponse;
import io.secretsbroker.proto.v1.ListRevocationsRequest;
import io.secretsbroker.proto.v1.ListRevocationsResponse;
import io.secretsbroker.proto.v1.ListSecretsRequest;
import io.secretsbroker.proto.v1.ListSecretsResponse;
import io.secretsbroker.proto.v1.ListTokensRequest;
import io.secretsbroker.proto.v1.ListTokensResponse;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.PutSecretResponse;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.QueryAuditLogResponse;
import io.secretsbroker.proto.v1.Revocation;
import io.secretsbroker.proto.v1.RevocationServiceGrpc;
import io.secretsbroker.proto.v1.RevokeSecretVersionRequest;
import io.secretsbroker.proto.v1.RevokeTokenRequest;
import io.secretsbroker.proto.v1.RevokeTokenResponse;
import io.secretsbroker.proto.v1.RotateSecretRequest;
import io.secretsbroker.proto.v1.RotateSecretResponse;
import io.secretsbroker.proto.v1.RotationPolicy;
import io.secretsbroker.proto.v1.RotationServiceGrpc;
import io.secretsbroker.proto.v1.RotationStatus;
import io.secretsbroker.proto.v1.SecretAccessSummary;
import io.secretsbroker.proto.v1.SecretEvent;
import io.secretsbroker.proto.v1.SecretSummary;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.proto.v1.SetRotationPolicyRequest;
import io.secretsbroker.proto.v1.Stage;
import io.secretsbroker.proto.v1.TokenInfo;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.proto.v1.VersionInfo;
import io.secretsbroker.proto.v1.WatchSecretsRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An in-memory Secrets Broker for client tests: implements all five services over an in-process or loopback
 * server, records every call (method, authorization header, deadline, request), injects failures, keeps an event
 * log that watches can resume from, and lets a test break open watch streams. Thread-safe (one lock).
 */
public final class FakeBroker implements AutoCloseable {
  /** The creation time of everything the fake writes. */
  public static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
  /** The cache TTL hint of every value served. */
  public static final com.google.protobuf.Duration TTL = com.google.protobuf.Duration.newBuilder().setSeconds(300).build();

  /** One call the fake received. */
  public static final class RecordedCall {
    public final String method;
    public final String authorization;
    public final Deadline deadline;
    public volatile Message request;

    RecordedCall(String method, String authorization, Deadline deadline) {
      this.method = method;
      this.authorization = authorization;
      this.deadline = deadline;
    }

    @Override
    public String toString() {
      return method;
    }
  }

  private static final class Version {
    final String id;
    final byte[] value;
    final Instant created;
    Stage stage;
    boolean revoked;

    Version(String id, byte[] value, Instant created, Stage stage) {
      this.id = id;
      this.value = value;
      this.created = created;
      this.stage = stage;
    }
  }

  private record Watcher(WatchSecretsRequest request, ServerCallStreamObserver<SecretEvent> observer) {}

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final Object lock = this;
  private final TreeMap<String, List<Version>> secrets = new TreeMap<>();
  private final Map<String, RotationStatus> rotation = new HashMap<>();
  private final List<RecordedCall> calls = new ArrayList<>();
  private final Map<String, Deque<Status>> failures = new HashMap<>();
  private final List<SecretEvent> events = new ArrayList<>();
  private final List<Watcher> watchers = new ArrayList<>();
  private final List<WatchSecretsRequest> watchRequests = new ArrayList<>();
  private final List<Revocation> revocations = new ArrayList<>();
  private final List<TokenInfo> tokens = new ArrayList<>();
  private int defaultPageSize = 2;
  private List<AuditRecord> auditRecords = List.of();
  private List<DueRotation> due = List.of();
  private List<SecretAccessSummary> summaries = List.of();
  private VerifyAuditChainResponse verifyResponse =
      VerifyAuditChainResponse.newBuilder().setOk(true).setRecordsChecked(0).build();
  private CheckAccessResponse checkAccessResponse = CheckAccessResponse.getDefaultInstance();
  private boolean heartbeatOnOpen = true;
  private String nextToken = "sbt_fake-token-0001";

  private Server server;
  private String inProcessName;

  private FakeBroker() {}

  /** A fake on an in-process server whose calls run on the caller's thread. */
  public static FakeBroker inProcess() {
    FakeBroker fake = new FakeBroker();
    fake.inProcessName = "fake-broker-" + NAMES.incrementAndGet();
    fake.start(InProcessServerBuilder.forName(fake.inProcessName).directExecutor());
    return fake;
  }

  /** A fake on a plaintext Netty server on 127.0.0.1 and a free port. */
  public static FakeBroker loopback() {
    return loopback(InsecureServerCredentials.create());
  }

  /** A fake on a Netty server on 127.0.0.1 and a free port, with these credentials (e.g. TLS). */
  public static FakeBroker loopback(ServerCredentials credentials) {
    FakeBroker fake = new FakeBroker();
    fake.start(NettyServerBuilder.forAddress(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), credentials));
    return fake;
  }

  /** A fake on loopback that requires mutual TLS: server certificate and client CA from {@code pki}. */
  public static FakeBroker mutualTls(TestPki pki) throws java.io.IOException {
    return loopback(io.grpc.TlsServerCredentials.newBuilder()
        .keyManager(pki.serverCert.toFile(), pki.serverKey.toFile())
        .trustManager(pki.ca.toFile())
        .clientAuth(io.grpc.TlsServerCredentials.ClientAuth.REQUIRE)
        .build());
  }

  private void start(io.grpc.ServerBuilder<?> builder) {
    ServerInterceptor recorder = new Recorder();
    try {
      server = builder
          .addService(ServerInterceptors.intercept(new Secrets(), recorder))
          .addService(ServerInterceptors.intercept(new Rotation(), recorder))
          .addService(ServerInterceptors.intercept(new Revocations(), recorder))
          .addService(ServerInterceptors.intercept(new Audit(), recorder))
          .addService(ServerInterceptors.intercept(new Admin(), recorder))
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A channel to the in-process server, delivering callbacks on the calling thread. */
  public ManagedChannel inProcessChannel() {
    return InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
  }

  /** {@code 127.0.0.1:port} of the loopback server. */
  public String address() {
    return "127.0.0.1:" + server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- test controls -------------------------------------------------------------------------------------

  /** Seeds (or adds) a version of {@code name}, without an event. Returns the version id. */
  public String seed(String name, String value) {
    synchronized (lock) {
      return write(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** The next {@code statuses.length} calls of {@code method} (short name, e.g. "GetSecret") fail with these. */
  public void failNext(String method, Status... statuses) {
    synchronized (lock) {
      failures.computeIfAbsent(method, m -> new ArrayDeque<>()).addAll(List.of(statuses));
    }
  }

  /** Every call received so far, oldest first. */
  public List<RecordedCall> calls() {
    synchronized (lock) {
      return List.copyOf(calls);
    }
  }

  /** The calls of one method (short name). */
  public List<RecordedCall> calls(String method) {
    return calls().stream().filter(c -> c.method.equals(method)).toList();
  }

  /** The last request of one method (short name). */
  @SuppressWarnings("unchecked")
  public <T extends Message> T lastRequest(String method) {
    List<RecordedCall> matching = calls(method);
    if (matching.isEmpty()) {
      throw new AssertionError("no " + method + " call was received; calls: " + calls());
    }
    return (T) matching.get(matching.size() - 1).request;
  }

  /** Forgets recorded calls, watch requests and injected failures; keeps the data. */
  public void resetCalls() {
    synchronized (lock) {
      calls.clear();
      failures.clear();
      watchRequests.clear();
    }
  }

  /** Forgets everything, data included. */
  public void reset() {
    synchronized (lock) {
      resetCalls();
      secrets.clear();
      rotation.clear();
      events.clear();
      revocations.clear();
      tokens.clear();
      auditRecords = List.of();
      due = List.of();
      summaries = List.of();
      defaultPageSize = 2;
      heartbeatOnOpen = true;
      verifyResponse = VerifyAuditChainResponse.newBuilder().setOk(true).build();
      checkAccessResponse = CheckAccessResponse.getDefaultInstance();
    }
  }

  public void defaultPageSize(int size) {
    synchronized (lock) {
      defaultPageSize = size;
    }
  }

  public void heartbeatOnOpen(boolean send) {
    synchronized (lock) {
      heartbeatOnOpen = send;
    }
  }

  public void auditRecords(List<AuditRecord> records) {
    synchronized (lock) {
      auditRecords = List.copyOf(records);
    }
  }

  public void dueRotations(List<DueRotation> list) {
    synchronized (lock) {
      due = List.copyOf(list);
    }
  }

  public void accessSummaries(List<SecretAccessSummary> list) {
    synchronized (lock) {
      summaries = List.copyOf(list);
    }
  }

  public void verifyResponse(VerifyAuditChainResponse response) {
    synchronized (lock) {
      verifyResponse = response;
    }
  }

  public void checkAccessResponse(CheckAccessResponse response) {
    synchronized (lock) {
      checkAccessResponse = response;
    }
  }

  public void nextToken(String token) {
    synchronized (lock) {
      nextToken = token;
    }
  }

  /** The WatchSecrets requests received, oldest first. */
  public List<WatchSecretsRequest> watchRequests() {
    synchronized (lock) {
      return List.copyOf(watchRequests);
    }
  }

  /** How many watch streams are open. */
  public int openWatches() {
    synchronized (lock) {
      watchers.removeIf(w -> w.observer.isCancelled());
      return watchers.size();
    }
  }

  /** Appends an event of {@code type} for {@code name}/{@code version} to the log and sends it to watchers. */
  public SecretEvent emit(SecretEvent.Type type, String name, String version) {
    synchronized (lock) {
      return emitLocked(type, name, version);
    }
  }

  /** Fails every open watch stream with {@code status}. */
  public void breakWatches(Status status) {
    List<Watcher> open;
    synchronized (lock) {
      open = List.copyOf(watchers);
      watchers.clear();
    }
    for (Watcher w : open) {
      w.observer.onError(status.asRuntimeException());
    }
  }

  /** Ends every open watch stream normally, as a server shutting down gracefully would. */
  public void completeWatches() {
    List<Watcher> open;
    synchronized (lock) {
      open = List.copyOf(watchers);
      watchers.clear();
    }
    for (Watcher w : open) {
      w.observer.onCompleted();
    }
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private String write(String name, byte[] value) {
    List<Version> versions = secrets.computeIfAbsent(name, n -> new ArrayList<>());
    for (Version v : versions) {
      if (v.stage == Stage.STAGE_PREVIOUS) {
        v.stage = Stage.STAGE_UNSPECIFIED;
      } else if (v.stage == Stage.STAGE_CURRENT) {
        v.stage = Stage.STAGE_PREVIOUS;
      }
    }
    String id = Integer.toString(versions.size() + 1);
    versions.add(new Version(id, value, T0.plusSeconds(versions.size()), Stage.STAGE_CURRENT));
    return id;
  }

  private SecretEvent emitLocked(SecretEvent.Type type, String name, String version) {
    SecretEvent event = SecretEvent.newBuilder()
        .setEventId(events.size() + 1).setType(type).setName(name).setVersion(version).setTime(ts(T0)).build();
    events.add(event);
    for (Watcher w : List.copyOf(watchers)) {
      if (matches(w.request, name) && !w.observer.isCancelled()) {
        w.observer.onNext(event);
      }
    }
    return event;
  }

  private static boolean matches(WatchSecretsRequest request, String name) {
    return request.getPrefixesCount() == 0 || request.getPrefixesList().stream().anyMatch(name::startsWith);
  }

  private static Timestamp ts(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  private Version select(GetSecretRequest request) {
    List<Version> versions = secrets.get(request.getName());
    if (versions == null) {
      throw Status.NOT_FOUND.withDescription("secret \"" + request.getName() + "\" not found").asRuntimeException();
    }
    Version found = null;
    for (Version v : versions) {
      boolean hit = switch (request.getSelectorCase()) {
        case VERSION -> v.id.equals(request.getVersion());
        case STAGE -> v.stage == (request.getStage() == Stage.STAGE_UNSPECIFIED ? Stage.STAGE_CURRENT : request.getStage());
        default -> v.stage == Stage.STAGE_CURRENT;
      };
      if (hit) {
        found = v;
      }
    }
    if (found == null) {
      throw Status.NOT_FOUND.withDescription("secret \"" + request.getName() + "\" has no such version")
          .asRuntimeException();
    }
    if (found.revoked) {
      throw Status.FAILED_PRECONDITION
          .withDescription("version " + found.id + " of \"" + request.getName() + "\" is revoked")
          .asRuntimeException();
    }
    return found;
  }

  private static GetSecretResponse response(String name, Version v) {
    GetSecretResponse.Builder b = GetSecretResponse.newBuilder()
        .setName(name).setValue(ByteString.copyFrom(v.value)).setVersion(v.id)
        .setCreatedTime(ts(v.created)).setCacheTtl(TTL);
    if (v.stage != Stage.STAGE_UNSPECIFIED) {
      b.addStages(v.stage);
    }
    return b.build();
  }

  private static VersionInfo info(Version v) {
    VersionInfo.Builder b = VersionInfo.newBuilder().setVersion(v.id).setCreatedTime(ts(v.created)).setRevoked(v.revoked);
    if (v.stage != Stage.STAGE_UNSPECIFIED) {
      b.addStages(v.stage);
    }
    return b.build();
  }

  /** One page of {@code items}: the token is the index of the first item. */
  private <T, R> R page(List<T> items, PageRequest page, BiFunction<List<T>, String, R> build) {
    int size = page.getPageSize() > 0 ? page.getPageSize() : defaultPageSize;
    int from = page.getPageToken().isEmpty() ? 0 : Integer.parseInt(page.getPageToken());
    int to = Math.min(items.size(), from + size);
    return build.apply(items.subList(from, to), to < items.size() ? Integer.toString(to) : "");
  }

  private <Q, R> void unary(Q request, StreamObserver<R> observer, Function<Q, R> handler) {
    R response;
    try {
      synchronized (lock) {
        response = handler.apply(request);
      }
    } catch (io.grpc.StatusRuntimeException e) {
      observer.onError(e);
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  private RotationStatus status(String name) {
    return rotation.getOrDefault(name, RotationStatus.newBuilder().setName(name).setState("idle")
        .setPolicy(RotationPolicy.newBuilder().setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(7776000)))
        .build());
  }

  private final class Recorder implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String method = call.getMethodDescriptor().getBareMethodName();
      RecordedCall recorded = new RecordedCall(method, headers.get(AUTHORIZATION), Context.current().getDeadline());
      Status failure;
      synchronized (lock) {
        calls.add(recorded);
        Deque<Status> queue = failures.get(method);
        failure = queue == null ? null : queue.poll();
      }
      if (failure != null) {
        call.close(failure, new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        @Override
        public void onMessage(Q message) {
          recorded.request = (Message) message;
          super.onMessage(message);
        }
      };
    }
  }

  private final class Secrets extends SecretsServiceGrpc.SecretsServiceImplBase {
    @Override
    public void getSecret(GetSecretRequest request, StreamObserver<GetSecretResponse> observer) {
      unary(request, observer, r -> response(r.getName(), select(r)));
    }

    @Override
    public void batchGetSecrets(BatchGetSecretsRequest request, StreamObserver<BatchGetSecretsResponse> observer) {
      unary(request, observer, r -> {
        BatchGetSecretsResponse.Builder b = BatchGetSecretsResponse.newBuilder();
        for (GetSecretRequest item : r.getRequestsList()) {
          BatchGetResult.Builder result = BatchGetResult.newBuilder().setName(item.getName());
          try {
            result.setSecret(response(item.getName(), select(item)));
          } catch (io.grpc.StatusRuntimeException e) {
            result.setError(ItemError.newBuilder()
                .setCode(e.getStatus().getCode().name()).setMessage(e.getStatus().getDescription()));
          }
          b.addResults(result);
        }
        return b.build();
      });
    }

    @Override
    public void listSecrets(ListSecretsRequest request, StreamObserver<ListSecretsResponse> observer) {
      unary(request, observer, r -> {
        List<SecretSummary> all = new ArrayList<>();
        secrets.forEach((name, versions) -> {
          if (name.startsWith(r.getPrefix())) {
            Version current = versions.stream().filter(v -> v.stage == Stage.STAGE_CURRENT).findFirst().orElse(null);
            all.add(SecretSummary.newBuilder().setName(name)
                .setCurrentVersion(current == null ? "" : current.id)
                .setCreatedTime(ts(versions.get(0).created))
                .setUpdatedTime(ts(versions.get(versions.size() - 1).created)).build());
          }
        });
        return page(all, r.getPage(), (items, next) ->
            ListSecretsResponse.newBuilder().addAllSecrets(items).setNextPageToken(next).build());
      });
    }

    @Override
    public void describeSecret(DescribeSecretRequest request, StreamObserver<DescribeSecretResponse> observer) {
      unary(request, observer, r -> {
        List<Version> versions = secrets.get(r.getName());
        if (versions == null) {
          throw Status.NOT_FOUND.withDescription("secret \"" + r.getName() + "\" not found").asRuntimeException();
        }
        return DescribeSecretResponse.newBuilder()
            .setName(r.getName()).setMount("").setBackend("local")
            .addAllVersions(versions.stream().map(FakeBroker::info).toList())
            .setCreatedTime(ts(versions.get(0).created))
            .setUpdatedTime(ts(versions.get(versions.size() - 1).created))
            .setRotationPolicy(status(r.getName()).getPolicy())
            .setNextRotationTime(ts(T0.plusSeconds(7776000)))
            .build();
      });
    }

    @Override
    public void putSecret(PutSecretRequest request, StreamObserver<PutSecretResponse> observer) {
      unary(request, observer, r -> {
        List<Version> versions = secrets.get(r.getName());
        String current = versions == null ? "" : versions.stream()
            .filter(v -> v.stage == Stage.STAGE_CURRENT).map(v -> v.id).findFirst().orElse("");
        if (r.hasExpectedCurrentVersion() && !r.getExpectedCurrentVersion().equals(current)) {
          throw Status.FAILED_PRECONDITION.withDescription("current version of \"" + r.getName() + "\" is \""
              + current + "\", not \"" + r.getExpectedCurrentVersion() + "\"").asRuntimeException();
        }
        String id = write(r.getName(), r.getValue().toByteArray());
        emitLocked(SecretEvent.Type.TYPE_UPDATED, r.getName(), id);
        Version written = secrets.get(r.getName()).get(Integer.parseInt(id) - 1);
        return PutSecretResponse.newBuilder().setName(r.getName()).setVersion(info(written)).build();
      });
    }

    @Override
    public void deleteSecret(DeleteSecretRequest request, StreamObserver<DeleteSecretResponse> observer) {
      unary(request, observer, r -> {
        if (secrets.remove(r.getName()) == null) {
          throw Status.NOT_FOUND.withDescription("secret \"" + r.getName() + "\" not found").asRuntimeException();
        }
        emitLocked(SecretEvent.Type.TYPE_DELETED, r.getName(), "");
        return DeleteSecretResponse.getDefaultInstance();
      });
    }

    @Override
    public void watchSecrets(WatchSecretsRequest request, StreamObserver<SecretEvent> observer) {
      ServerCallStreamObserver<SecretEvent> stream = (ServerCallStreamObserver<SecretEvent>) observer;
      synchronized (lock) {
        watchRequests.add(request);
        for (SecretEvent e : events) {
          if (request.getResumeAfterEventId() > 0 && e.getEventId() > request.getResumeAfterEventId()
              && matches(request, e.getName())) {
            stream.onNext(e);
          }
        }
        if (heartbeatOnOpen) {
          stream.onNext(SecretEvent.newBuilder()
              .setType(SecretEvent.Type.TYPE_HEARTBEAT).setEventId(events.size()).setTime(ts(T0)).build());
        }
        watchers.add(new Watcher(request, stream));
      }
    }
  }

  private final class Rotation extends RotationServiceGrpc.RotationServiceImplBase {
    @Override
    public void rotateSecret(RotateSecretRequest request, StreamObserver<RotateSecretResponse> observer) {
      unary(request, observer, r -> {
        List<Version> versions = secrets.get(r.getName());
        if (versions == null) {
          throw Status.NOT_FOUND.withDescription("secret \"" + r.getName() + "\" not found").asRuntimeException();
        }
        String previous = versions.stream().filter(v -> v.stage == Stage.STAGE_CURRENT)
            .map(v -> v.id).findFirst().orElse("");
        byte[] value = r.hasValue() ? r.getValue().toByteArray() : ("generated-" + versions.size()).getBytes();
        String id = write(r.getName(), value);
        emitLocked(SecretEvent.Type.TYPE_ROTATED, r.getName(), id);
        return RotateSecretResponse.newBuilder()
            .setName(r.getName()).setNewVersion(id).setPreviousVersion(previous).build();
      });
    }

    @Override
    public void getRotationStatus(GetRotationStatusRequest request, StreamObserver<RotationStatus> observer) {
      unary(request, observer, r -> status(r.getName()));
    }

    @Override
    public void listDueRotations(ListDueRotationsRequest request, StreamObserver<ListDueRotationsResponse> observer) {
      unary(request, observer, r -> page(due, r.getPage(), (items, next) ->
          ListDueRotationsResponse.newBuilder().addAllDue(items).setNextPageToken(next).build()));
    }

    @Override
    public void setRotationPolicy(SetRotationPolicyRequest request, StreamObserver<RotationStatus> observer) {
      unary(request, observer, r -> {
        RotationStatus s = status(r.getName()).toBuilder().setPolicy(r.getPolicy()).build();
        rotation.put(r.getName(), s);
        return s;
      });
    }
  }

  private final class Revocations extends RevocationServiceGrpc.RevocationServiceImplBase {
    @Override
    public void revokeSecretVersion(RevokeSecretVersionRequest request, StreamObserver<Revocation> observer) {
      unary(request, observer, r -> {
        Version v = select(GetSecretRequest.newBuilder().setName(r.getName()).setVersion(r.getVersion()).build());
        v.revoked = true;
        emitLocked(SecretEvent.Type.TYPE_REVOKED, r.getName(), r.getVersion());
        Revocation revocation = Revocation.newBuilder().setName(r.getName()).setVersion(r.getVersion())
            .setReason(r.getReason()).setPrincipal("root").setRevokedTime(ts(T0)).build();
        revocations.add(0, revocation);
        return revocation;
      });
    }

    @Override
    public void listRevocations(ListRevocationsRequest request, StreamObserver<ListRevocationsResponse> observer) {
      unary(request, observer, r -> page(
          revocations.stream().filter(x -> x.getName().startsWith(r.getPrefix())).toList(), r.getPage(),
          (items, next) -> ListRevocationsResponse.newBuilder().addAllRevocations(items).setNextPageToken(next).build()));
    }
  }

  private final class Audit extends AuditServiceGrpc.AuditServiceImplBase {
    @Override
    public void queryAuditLog(QueryAuditLogRequest request, StreamObserver<QueryAuditLogResponse> observer) {
      unary(request, observer, r -> page(auditRecords, r.getPage(), (items, next) ->
          QueryAuditLogResponse.newBuilder().addAllRecords(items).setNextPageToken(next).build()));
    }

    @Override
    public void verifyAuditChain(VerifyAuditChainRequest request, StreamObserver<VerifyAuditChainResponse> observer) {
      unary(request, observer, r -> verifyResponse);
    }

    @Override
    public void accessSummary(AccessSummaryRequest request, StreamObserver<AccessSummaryResponse> observer) {
      unary(request, observer, r -> AccessSummaryResponse.newBuilder()
          .addAllSecrets(summaries.stream().filter(s -> s.getName().startsWith(r.getPrefix())).toList()).build());
    }
  }

  private final class Admin extends AdminServiceGrpc.AdminServiceImplBase {
    @Override
    public void createToken(CreateTokenRequest request, StreamObserver<CreateTokenResponse> observer) {
      unary(request, observer, r -> {
        long ttl = r.getTtl().getSeconds() == 0 ? 720 * 3600 : r.getTtl().getSeconds();
        TokenInfo info = TokenInfo.newBuilder().setId("tok" + (tokens.size() + 1)).setPrincipal(r.getPrincipal())
            .addAllPolicies(r.getPoliciesList()).setCreatedTime(ts(T0)).setExpireTime(ts(T0.plusSeconds(ttl)))
            .build();
        tokens.add(0, info);
        return CreateTokenResponse.newBuilder().setToken(nextToken).setInfo(info).build();
      });
    }

    @Override
    public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> observer) {
      unary(request, observer, r -> {
        for (int i = 0; i < tokens.size(); i++) {
          if (tokens.get(i).getId().equals(r.getId())) {
            tokens.set(i, tokens.get(i).toBuilder().setRevoked(true).build());
            return RevokeTokenResponse.getDefaultInstance();
          }
        }
        throw Status.NOT_FOUND.withDescription("token " + r.getId() + " not found").asRuntimeException();
      });
    }

    @Override
    public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> observer) {
      unary(request, observer, r -> ListTokensResponse.newBuilder().addAllTokens(tokens).build());
    }

    @Override
    public void checkAccess(CheckAccessRequest request, StreamObserver<CheckAccessResponse> observer) {
      unary(request, observer, r -> checkAccessResponse);
    }
  }
}
