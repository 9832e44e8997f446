package io.secretsbroker.backend.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DestroySecretVersionRequest;
import com.google.cloud.secretmanager.v1.DisableSecretVersionRequest;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc.SecretManagerServiceBlockingStub;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the GCP backend does beyond the shared contract: ids, stages in annotations, races, errors, retries. */
class GcpBackendIT {
  private static FakeSecretManagerServer server;
  private static ManagedChannel channel;
  private static SecretManagerServiceBlockingStub gcp;

  private final List<SecretBackend> opened = new ArrayList<>();
  private SecretBackend backend;
  private String run;

  @BeforeAll
  static void start() throws Exception {
    server = FakeSecretManagerServer.start();
    channel = ManagedChannelBuilder.forTarget(server.endpoint()).usePlaintext().build();
    gcp = SecretManagerServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  @BeforeEach
  void open() {
    backend = open(Map.of());
    run = "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  @AfterEach
  void closeAll() {
    server.fake().stallUntil(null);
    server.fake().capPageSize(FakeSecretManager.MAX_PAGE_SIZE);
    opened.forEach(SecretBackend::close);
  }

  private SecretBackend open(Map<String, Object> settings) {
    SecretBackend b = new GcpBackendProvider().create(GcpBackendContractIT.context(server, settings));
    opened.add(b);
    return b;
  }

  private static SecretValue value(String s) {
    return SecretValue.of(s.getBytes(UTF_8));
  }

  private static String text(SecretBackend b, SecretRef ref) {
    return new String(b.read(ref).value().bytes(), UTF_8);
  }

  private static ErrorCode codeOf(Callable<?> call) {
    try {
      call.call();
    } catch (BackendException e) {
      return e.code();
    } catch (Exception e) {
      throw new AssertionError("expected a BackendException, got " + e, e);
    }
    throw new AssertionError("expected a BackendException, got success");
  }

  private static String versionName(String id, String version) {
    return "projects/" + FakeSecretManagerServer.PROJECT_ID + "/secrets/" + id + "/versions/" + version;
  }

  // ---- how secrets look in GCP ------------------------------------------------------------------------

  @Test
  void secretIds_areTheMappedNames_labelledAndAnnotatedWithTheBrokerName() {
    String name = run + ".a/svc_1/db-pass.word";
    backend.write(WriteRequest.put(name, value("x")));

    String id = run + "-da-ssvc_1-sdb--pass-dword";
    Secret secret = server.fake().secret(id);
    assertThat(secret).isNotNull();
    assertThat(secret.getLabelsMap()).containsEntry("secrets_broker", "managed");
    assertThat(secret.getAnnotationsMap()).containsEntry("sb-name", name).containsEntry("sb-stage-current", "1")
        .containsKey("sb-updated-at");
  }

  @Test
  void idPrefix_putsEachMountInItsOwnNamespace() {
    SecretBackend payments = open(Map.of("id-prefix", "pay-" + run));
    SecretBackend ops = open(Map.of("id-prefix", "ops-" + run));
    payments.write(WriteRequest.put("db", value("p")));
    ops.write(WriteRequest.put("db", value("o")));

    assertThat(server.fake().secretIds()).contains("pay-" + run + "_db", "ops-" + run + "_db");
    assertThat(text(payments, SecretRef.current("db"))).isEqualTo("p");
    assertThat(text(ops, SecretRef.current("db"))).isEqualTo("o");
    assertThat(payments.list("", PageRequest.first(10)).items()).extracting(SecretSummary::name)
        .containsExactly("db");
  }

  @Test
  void nameWhoseIdWouldBeTooLong_isInvalidArgument_andNothingIsCreated() {
    String name = run + "/" + "a.".repeat(130);
    int before = server.fake().secretIds().size();
    assertThat(codeOf(() -> backend.write(WriteRequest.put(name, value("x"))))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> backend.read(SecretRef.current(name)))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(server.fake().secretIds()).hasSize(before);
  }

  @Test
  void lowerMaxValueBytes_isEnforcedBeforeAnyCall() {
    SecretBackend small = open(Map.of("max-value-bytes", 8));
    int calls = server.fake().calls("GetSecret");
    assertThat(codeOf(() -> small.write(WriteRequest.put(run, value("123456789")))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(server.fake().calls("GetSecret")).isEqualTo(calls);
    small.write(WriteRequest.put(run, value("12345678")));
  }

  // ---- versions the broker cannot serve ---------------------------------------------------------------

  @Test
  void disabledVersion_isNotFound_andLeftOutOfDescribe() {
    VersionInfo v1 = backend.write(WriteRequest.put(run, value("one")));
    VersionInfo v2 = backend.write(WriteRequest.put(run, value("two")));
    gcp.disableSecretVersion(DisableSecretVersionRequest.newBuilder().setName(versionName(run, v1.version())).build());

    assertThat(codeOf(() -> backend.read(SecretRef.ofVersion(run, v1.version())))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.read(SecretRef.ofStage(run, Stage.PREVIOUS)))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.describe(run).versions()).extracting(VersionInfo::version).containsExactly(v2.version());
    assertThat(codeOf(() -> {
      backend.moveStage(run, Stage.CURRENT, v1.version());
      return null;
    })).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void destroyedCurrentVersion_isNotFound() {
    VersionInfo v1 = backend.write(WriteRequest.put(run, value("one")));
    gcp.destroySecretVersion(DestroySecretVersionRequest.newBuilder().setName(versionName(run, v1.version())).build());
    assertThat(codeOf(() -> backend.read(SecretRef.current(run)))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.describe(run).versions()).isEmpty();
  }

  @Test
  void versionsAreNumbers_soOtherVersionWordsAreNotFound() {
    backend.write(WriteRequest.put(run, value("one")));
    for (String v : List.of("latest", "0", "01", "v1", "1.0")) {
      assertThat(codeOf(() -> backend.read(SecretRef.ofVersion(run, v)))).as(v).isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void versionAddedButNeverStaged_isHarmless() {
    VersionInfo v1 = backend.write(WriteRequest.put(run, value("one")));
    gcp.addSecretVersion(AddSecretVersionRequest.newBuilder().setParent("projects/test-project/secrets/" + run)
        .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFromUtf8("orphan"))).build());

    assertThat(text(backend, SecretRef.current(run))).isEqualTo("one");
    SecretMetadata meta = backend.describe(run);
    assertThat(meta.versions()).hasSize(2);
    assertThat(meta.versions().get(1).stages()).isEmpty();

    VersionInfo v3 = backend.write(WriteRequest.put(run, value("three")));
    assertThat(v3.version()).isEqualTo("3");
    assertThat(backend.read(SecretRef.ofStage(run, Stage.PREVIOUS)).info().version()).isEqualTo(v1.version());
  }

  // ---- races ------------------------------------------------------------------------------------------

  @Test
  void checkAndSet_thatLosesTheStageRace_isConflict_andDestroysTheVersionItAdded() {
    VersionInfo v1 = backend.write(WriteRequest.put(run, value("one")));
    String rivals = lastSegment(gcp.addSecretVersion(AddSecretVersionRequest.newBuilder()
        .setParent("projects/test-project/secrets/" + run)
        .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFromUtf8("rival"))).build()).getName());
    server.fake().beforeNext("UpdateSecret", () -> {
      server.fake().annotate(run, "sb-stage-previous", v1.version());
      server.fake().annotate(run, "sb-stage-current", rivals);
    });
    int destroys = server.fake().calls("DestroySecretVersion");

    assertThat(codeOf(() -> backend.write(WriteRequest.put(run, value("two")).expectingCurrent(v1.version()))))
        .isEqualTo(ErrorCode.CONFLICT);

    assertThat(server.fake().calls("DestroySecretVersion")).isEqualTo(destroys + 1);
    SecretMetadata meta = backend.describe(run);
    assertThat(meta.versions()).extracting(VersionInfo::version).containsExactly(v1.version(), rivals);
    assertThat(meta.current()).map(VersionInfo::version).contains(rivals);
  }

  private static String lastSegment(String resourceName) {
    return resourceName.substring(resourceName.lastIndexOf('/') + 1);
  }

  @Test
  void checkAndSet_expectingAVersionOfAMissingSecret_isConflict_andCreatesNothing() {
    assertThat(codeOf(() -> backend.write(WriteRequest.put(run, value("x")).expectingCurrent("1"))))
        .isEqualTo(ErrorCode.CONFLICT);
    assertThat(server.fake().secret(run)).isNull();
  }

  @Test
  void put_thatRacesAnotherStageChange_retries_andKeepsTheOtherChange() {
    backend.write(WriteRequest.put(run, value("one")));
    VersionInfo pending = backend.write(WriteRequest.pending(run, value("two")));
    backend.clearStage(run, Stage.PENDING);
    server.fake().beforeNext("UpdateSecret",
        () -> server.fake().annotate(run, "sb-stage-pending", pending.version()));

    VersionInfo v3 = backend.write(WriteRequest.put(run, value("three")));

    SecretMetadata meta = backend.describe(run);
    assertThat(meta.current()).map(VersionInfo::version).contains(v3.version());
    assertThat(meta.withStage(Stage.PENDING)).map(VersionInfo::version).contains(pending.version());
    assertThat(meta.withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains("1");
  }

  @Test
  void checkAndSet_whoseSecretChangedButNotItsCurrent_stillWrites() {
    VersionInfo v1 = backend.write(WriteRequest.put(run, value("one")));
    server.fake().beforeNext("UpdateSecret", () -> server.fake().annotate(run, "owner", "team-a"));

    VersionInfo v2 = backend.write(WriteRequest.put(run, value("two")).expectingCurrent(v1.version()));

    assertThat(backend.read(SecretRef.current(run)).info().version()).isEqualTo(v2.version());
    assertThat(server.fake().secret(run).getAnnotationsMap()).containsEntry("owner", "team-a");
  }

  @Test
  void rollback_promotingPrevious_swapsCurrentAndPrevious() {
    VersionInfo v1 = backend.write(WriteRequest.put(run, value("one")));
    VersionInfo v2 = backend.write(WriteRequest.put(run, value("two")));
    backend.moveStage(run, Stage.CURRENT, v1.version());
    SecretMetadata meta = backend.describe(run);
    assertThat(meta.current()).map(VersionInfo::version).contains(v1.version());
    assertThat(meta.withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains(v2.version());
  }

  // ---- listing ----------------------------------------------------------------------------------------

  @Test
  void list_isInBrokerNameOrder_acrossShortGcpPages() {
    List<String> names = List.of("a_b", "a/b", "aB", "a.b", "a-b", "a/b/c", "a");
    for (String n : names) {
      backend.write(WriteRequest.put(run + "/" + n, value(n)));
    }
    server.fake().capPageSize(2);
    List<String> seen = new ArrayList<>();
    PageRequest request = PageRequest.first(3);
    for (int pages = 0; pages < 10; pages++) {
      Page<SecretSummary> page = backend.list(run + "/", request);
      page.items().forEach(s -> seen.add(s.name().substring(run.length() + 1)));
      if (!page.hasNext()) {
        break;
      }
      request = new PageRequest(3, page.nextPageToken());
    }
    assertThat(seen).containsExactly("a", "a-b", "a.b", "a/b", "a/b/c", "aB", "a_b");
  }

  @Test
  void list_leavesOutSecretsTheBrokerDidNotCreate() {
    backend.write(WriteRequest.put(run + "/mine", value("x")));
    gcp.createSecret(CreateSecretRequest.newBuilder().setParent("projects/test-project").setSecretId(run + "-sforeign")
        .setSecret(Secret.newBuilder().setReplication(Replication.newBuilder()
            .setAutomatic(Replication.Automatic.getDefaultInstance()))).build());
    assertThat(backend.list(run + "/", PageRequest.first(10)).items()).extracting(SecretSummary::name)
        .containsExactly(run + "/mine");
  }

  @Test
  void list_reportsCurrentVersionAndWriteTimes() {
    backend.write(WriteRequest.put(run + "/db", value("1")));
    VersionInfo v2 = backend.write(WriteRequest.put(run + "/db", value("2")));
    SecretSummary s = backend.list(run + "/", PageRequest.first(10)).items().get(0);
    assertThat(s.currentVersion()).isEqualTo(v2.version());
    assertThat(s.updatedAt()).isEqualTo(v2.createdAt()).isAfter(s.createdAt());
  }

  @Test
  void list_withAPageTokenItDidNotIssue_isInvalidArgument() {
    backend.write(WriteRequest.put(run + "/a", value("1")));
    backend.write(WriteRequest.put(run + "/b", value("1")));
    String token = backend.list(run + "/", PageRequest.first(1)).nextPageToken();
    assertThat(token).isNotEmpty();
    assertThat(codeOf(() -> backend.list(run + "/", new PageRequest(1, "garbage"))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> backend.list("other/", new PageRequest(1, token))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(backend.list(run + "/", new PageRequest(1, token)).items()).extracting(SecretSummary::name)
        .containsExactly(run + "/b");
  }

  // ---- errors, retries, timeouts, health --------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "PERMISSION_DENIED, PERMISSION_DENIED",
      "UNAUTHENTICATED, PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED, RESOURCE_EXHAUSTED",
      "UNAVAILABLE, UNAVAILABLE",
      "INTERNAL, UNAVAILABLE",
      "NOT_FOUND, NOT_FOUND"})
  void gcpStatuses_reachTheCallerAsTheBrokersCodes_withSafeMessages(Status.Code gcpCode, ErrorCode expected) {
    backend.write(WriteRequest.put(run, value("hunter2")));
    server.fake().failNext(Status.fromCode(gcpCode).withDescription("internal detail xyzzy"), 1);
    try {
      backend.read(SecretRef.current(run));
      throw new AssertionError("expected a failure");
    } catch (BackendException e) {
      assertThat(e.code()).isEqualTo(expected);
      assertThat(e.getMessage()).contains(run).doesNotContain("xyzzy").doesNotContain("hunter2");
    }
  }

  @Test
  void clientRetriesAreOff_oneUnavailableAnswerIsOneAttempt() {
    backend.write(WriteRequest.put(run, value("one")));
    int before = server.fake().calls("GetSecret");
    server.fake().failNext(Status.UNAVAILABLE, 1);
    assertThat(codeOf(() -> backend.read(SecretRef.current(run)))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(server.fake().calls("GetSecret")).isEqualTo(before + 1);
    assertThat(text(backend, SecretRef.current(run))).isEqualTo("one");
  }

  @Test
  void slowService_timesOutAfterTheConfiguredTimeout_asUnavailable() {
    SecretBackend impatient = open(Map.of("timeout", "300ms"));
    CountDownLatch gate = new CountDownLatch(1);
    server.fake().stallUntil(gate);
    long start = System.nanoTime();
    try {
      assertThat(codeOf(() -> impatient.read(SecretRef.current(run)))).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    } finally {
      gate.countDown();
    }
  }

  @Test
  void healthy_followsTheOutcomeOfTheLastCall() {
    backend.write(WriteRequest.put(run, value("one")));
    assertThat(backend.healthy()).isTrue();
    server.fake().failNext(Status.UNAVAILABLE, 1);
    codeOf(() -> backend.read(SecretRef.current(run)));
    assertThat(backend.healthy()).isFalse();
    backend.read(SecretRef.current(run));
    assertThat(backend.healthy()).isTrue();
    server.fake().failNext(Status.PERMISSION_DENIED, 1);
    codeOf(() -> backend.read(SecretRef.current(run)));
    assertThat(backend.healthy()).as("the service answered, so it is up").isTrue();
  }
}
