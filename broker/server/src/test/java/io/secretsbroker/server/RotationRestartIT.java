package io.secretsbroker.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.GetRotationStatusRequest;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.RotateSecretRequest;
import io.secretsbroker.proto.v1.RotateSecretResponse;
import io.secretsbroker.proto.v1.RotationServiceGrpc;
import io.secretsbroker.proto.v1.RotationStatus;
import io.secretsbroker.proto.v1.Stage;
import io.secretsbroker.server.grpc.BrokerServer;
import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.spi.ForwardingBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A whole daemon (one node, embedded H2 state in its data folder) stopped in the middle of a rotation, then a new
 * daemon started on the same data folder: its scheduler resumes the rotation, and the outcome through the API is
 * the one of an uninterrupted rotation — exactly one new version, current; the old current previous; nothing
 * pending; state idle; two versions in all.
 *
 * <p>The crash is real for the first daemon: a gate holds the rotation's own thread (a gRPC call thread serving
 * {@code RotateSecret}, which the daemon's close does not wait for beyond a zero shutdown grace) at the crash
 * point, the daemon is closed — which closes its state database, where the {@code local} backend keeps its
 * versions too — and only then is the thread let go, so whatever it does next (record a state, move a stage)
 * fails against the closed database. The gate sits in the {@code crash-gated} test backend ({@code local} plus
 * gates) for the steps that call the backend, and in a change-feed subscriber for the announcement.
 */
class RotationRestartIT {
  private static final String NAME = "app/db";
  private static final Duration HOLD_LIMIT = Duration.ofSeconds(30);
  private static final Map<Path, Gate> GATES = new ConcurrentHashMap<>();

  /** Where the first daemon stops. */
  enum CrashPoint {
    /** The backend holds the pending version; its id is not recorded (state pending_created, no pending id). */
    PENDING_WRITTEN,
    /** The row says verified; the current stage has not moved (held just before the backend's stage move). */
    VERIFIED,
    /** The backend moved the current stage to the pending version; the row still says verified. */
    STAGE_MOVED,
    /** The row says promoted and the ROTATED change is recorded; the row has not gone back to idle. */
    PROMOTED
  }

  /** A daemon's crash point: holds the rotation's thread there until the test lets it go. */
  static final class Gate {
    final CrashPoint point;
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean held = new AtomicBoolean();
    volatile Thread rotationThread;
    volatile String written;

    Gate(CrashPoint point) {
      this.point = point;
    }

    /** Holds the calling thread (once) until released; an interrupt does not cut the hold short. */
    void hold() {
      if (!held.compareAndSet(false, true)) {
        return;
      }
      reached.countDown();
      long deadline = System.nanoTime() + HOLD_LIMIT.toNanos();
      boolean interrupted = false;
      while (true) {
        try {
          if (release.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
              || System.nanoTime() >= deadline) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Test backend {@code crash-gated}: the {@code local} backend with the gate armed for its data folder. */
  public static final class CrashGatedProvider implements BackendProvider {
    @Override
    public String kind() {
      return "crash-gated";
    }

    @Override
    public SecretBackend create(BackendContext context) {
      for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
        if (p.kind().equals("local")) {
          return new Gated(p.create(context), key(context.dataDir()));
        }
      }
      throw new IllegalStateException("the local backend is not on the test classpath");
    }
  }

  private static final class Gated extends ForwardingBackend {
    private final Path dataDir;

    Gated(SecretBackend local, Path dataDir) {
      super(local);
      this.dataDir = dataDir;
    }

    @Override
    public VersionInfo write(WriteRequest request) {
      VersionInfo written = super.write(request);
      Gate g = GATES.get(dataDir);
      if (g != null && request.stage() == io.secretsbroker.spi.Stage.PENDING && request.name().equals(NAME)) {
        g.rotationThread = Thread.currentThread();
        g.written = written.version();
        if (g.point == CrashPoint.PENDING_WRITTEN) {
          g.hold();
        }
      }
      return written;
    }

    @Override
    public void moveStage(String name, io.secretsbroker.spi.Stage stage, String version) {
      Gate g = GATES.get(dataDir);
      boolean promotion = g != null && stage == io.secretsbroker.spi.Stage.CURRENT && name.equals(NAME);
      if (promotion && g.point == CrashPoint.VERIFIED) {
        g.hold();
      }
      super.moveStage(name, stage, version);
      if (promotion && g.point == CrashPoint.STAGE_MOVED) {
        g.hold();
      }
    }
  }

  @TempDir
  Path tmp;
  final FakeClock clock = new FakeClock();
  Path dataDir;
  TestBroker broker;

  private static Path key(Path dataDir) {
    return dataDir.toAbsolutePath().normalize();
  }

  @BeforeEach
  void start() throws Exception {
    dataDir = tmp.resolve("data");
    broker = TestBroker.start(dataDir, String.join("\n",
        "mounts:",
        "  - prefix: \"\"",
        "    backend: {type: crash-gated}",
        "auth:",
        "  root-token-file: \"" + dataDir.toAbsolutePath() + "/root-token\"",
        "shutdown-grace: 0s",
        "change-poll-interval: 60s",
        "rotation:",
        "  scan-interval: 24h",
        "  max-jitter: 0s",
        ""), clock);
  }

  @AfterEach
  void stop() throws Exception {
    Gate g = GATES.remove(key(dataDir));
    if (g != null) {
      g.release.countDown();
    }
    broker.close();
  }

  private Gate arm(CrashPoint point) {
    Gate g = new Gate(point);
    GATES.put(key(dataDir), g);
    if (point == CrashPoint.PROMOTED) {
      broker.server().changes().subscribe(e -> {
        if (e.type() == ChangeEvent.Type.ROTATED && e.name().equals(NAME)
            && Thread.currentThread() == g.rotationThread) {
          g.hold();
        }
      });
    }
    return g;
  }

  private String token() throws Exception {
    return broker.rootToken();
  }

  private DescribeSecretResponse describe() throws Exception {
    return broker.secrets(token()).describeSecret(DescribeSecretRequest.newBuilder().setName(NAME).build());
  }

  private GetSecretResponse get(Stage stage) throws Exception {
    return broker.secrets(token()).getSecret(GetSecretRequest.newBuilder().setName(NAME).setStage(stage).build());
  }

  private RotationStatus status() throws Exception {
    return RotationServiceGrpc.newBlockingStub(broker.channel()).withCallCredentials(TestBroker.bearer(token()))
        .withDeadlineAfter(20, SECONDS).getRotationStatus(GetRotationStatusRequest.newBuilder().setName(NAME)
            .build());
  }

  private static List<Stage> stagesOf(DescribeSecretResponse d, String version) {
    return d.getVersionsList().stream().filter(v -> v.getVersion().equals(version)).findFirst()
        .orElseThrow(() -> new AssertionError("no version " + version + " in " + d.getVersionsList()))
        .getStagesList();
  }

  /** Checks, through the held daemon's API, that the rotation stands where the crash point says; its pending id. */
  private String assertHeldAt(CrashPoint point, String first, Gate gate) throws Exception {
    RotationStatus s = status();
    DescribeSecretResponse d = describe();
    String pending = point == CrashPoint.PENDING_WRITTEN ? gate.written : s.getPendingVersion();
    assertThat(pending).isNotEmpty().isNotEqualTo(first);
    assertThat(d.getVersionsList()).extracting(io.secretsbroker.proto.v1.VersionInfo::getVersion)
        .containsExactly(first, pending);
    switch (point) {
      case PENDING_WRITTEN -> {
        assertThat(s.getState()).isEqualTo("pending_created");
        assertThat(s.getPendingVersion()).as("the pending id is not recorded yet").isEmpty();
        assertThat(stagesOf(d, pending)).containsExactly(Stage.STAGE_PENDING);
        assertThat(stagesOf(d, first)).containsExactly(Stage.STAGE_CURRENT);
      }
      case VERIFIED -> {
        assertThat(s.getState()).isEqualTo("verified");
        assertThat(stagesOf(d, pending)).containsExactly(Stage.STAGE_PENDING);
        assertThat(stagesOf(d, first)).containsExactly(Stage.STAGE_CURRENT);
      }
      case STAGE_MOVED -> {
        assertThat(s.getState()).isEqualTo("verified");
        assertThat(stagesOf(d, pending)).containsExactly(Stage.STAGE_CURRENT);
        assertThat(stagesOf(d, first)).containsExactly(Stage.STAGE_PREVIOUS);
      }
      case PROMOTED -> {
        assertThat(s.getState()).isEqualTo("promoted");
        assertThat(stagesOf(d, pending)).containsExactly(Stage.STAGE_CURRENT);
        assertThat(stagesOf(d, first)).containsExactly(Stage.STAGE_PREVIOUS);
      }
      default -> throw new AssertionError(point);
    }
    return pending;
  }

  /** The outcome of one uninterrupted rotation from {@code first} to {@code pending}, through the API. */
  private void assertRotatedOnceTo(String first, String pending) throws Exception {
    DescribeSecretResponse d = describe();
    assertThat(d.getVersionsList()).as("exactly two versions: none lost, none duplicated")
        .extracting(io.secretsbroker.proto.v1.VersionInfo::getVersion).containsExactly(first, pending);
    assertThat(stagesOf(d, pending)).containsExactly(Stage.STAGE_CURRENT);
    assertThat(stagesOf(d, first)).containsExactly(Stage.STAGE_PREVIOUS);
    assertThat(d.hasLastRotatedTime()).isTrue();

    GetSecretResponse current = get(Stage.STAGE_CURRENT);
    assertThat(current.getVersion()).isEqualTo(pending);
    assertThat(current.getValue().toStringUtf8()).hasSize(32).isNotEqualTo("initial");
    GetSecretResponse previous = get(Stage.STAGE_PREVIOUS);
    assertThat(previous.getVersion()).isEqualTo(first);
    assertThat(previous.getValue().toStringUtf8()).isEqualTo("initial");
    assertThatThrownBy(() -> get(Stage.STAGE_PENDING)).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

    RotationStatus s = status();
    assertThat(s.getState()).isEqualTo("idle");
    assertThat(s.getPendingVersion()).isEmpty();
    assertThat(s.getLastError()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void daemonStoppedMidRotation_isResumedByANewDaemonOnTheSameDataFolder_withExactlyOneNewVersion(
      CrashPoint point) throws Exception {
    String first = broker.secrets(token()).putSecret(PutSecretRequest.newBuilder().setName(NAME)
        .setValue(ByteString.copyFromUtf8("initial")).build()).getVersion().getVersion();
    Gate gate = arm(point);
    BrokerServer crashed = broker.server();
    ListenableFuture<RotateSecretResponse> call = RotationServiceGrpc.newFutureStub(broker.channel())
        .withCallCredentials(TestBroker.bearer(token())).withDeadlineAfter(30, SECONDS)
        .rotateSecret(RotateSecretRequest.newBuilder().setName(NAME).build());
    assertThat(gate.reached.await(20, SECONDS)).as("the rotation reached the crash point " + point).isTrue();
    String pending = assertHeldAt(point, first, gate);

    broker.stop();
    assertThatThrownBy(() -> crashed.state().inTransaction(c -> 1)).as("the first daemon's state database is closed")
        .isInstanceOf(BrokerException.class);
    GATES.remove(key(dataDir));
    gate.release.countDown();
    assertThatThrownBy(() -> call.get(20, SECONDS)).as("the interrupted RotateSecret did not succeed")
        .isInstanceOf(ExecutionException.class);

    broker.restart();
    broker.server().rotationScheduler().runOnce();

    assertRotatedOnceTo(first, pending);
    List<AuditRecord> scheduled = broker.audit(token()).queryAuditLog(QueryAuditLogRequest.newBuilder()
        .setPrincipal("system:rotation-scheduler").build()).getRecordsList();
    assertThat(scheduled).extracting(AuditRecord::getName, AuditRecord::getVersion, AuditRecord::getOutcome)
        .containsExactly(tuple(NAME, pending, "OK"));
    assertThat(scheduled.get(0).getDetail()).startsWith("resumed an interrupted rotation; previous version " + first);

    broker.server().rotationScheduler().runOnce();
    assertRotatedOnceTo(first, pending);
  }
}
