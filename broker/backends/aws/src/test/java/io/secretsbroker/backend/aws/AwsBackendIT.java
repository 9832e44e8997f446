package io.secretsbroker.backend.aws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.UpdateSecretVersionStageRequest;
import software.amazon.awssdk.services.secretsmanager.model.UpdateSecretVersionStageResponse;

/**
 * What the contract suite cannot see: how the backend lays secrets out in AWS (looked at with a plain SDK client),
 * the check-and-set race made deterministic, deprecated versions, the name prefix, listing order across AWS pages,
 * health and timeouts. Each test works under its own name-prefix.
 */
@Timeout(60)
class AwsBackendIT {
  private static MotoServer moto;
  private static TcpProxy proxy;
  private static SecretsManagerClient raw;

  private final FakeClock clock = new FakeClock();
  private final List<AwsBackend> backends = new ArrayList<>();
  private String namePrefix;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = MotoServer.start();
    proxy = TcpProxy.start(moto.port());
    raw = AwsTestSupport.rawClient(moto.url());
  }

  @AfterAll
  static void stopMoto() throws Exception {
    if (raw != null) {
      raw.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void choosePrefix() {
    namePrefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "/";
  }

  @AfterEach
  void closeBackends() {
    backends.forEach(AwsBackend::close);
  }

  private AwsBackend backend(SecretsManagerClient client, int awsPageSize, String... settings) {
    Object[] all = new Object[settings.length + 4];
    all[0] = "name-prefix";
    all[1] = namePrefix;
    all[2] = "endpoint";
    all[3] = proxy.url();
    System.arraycopy(settings, 0, all, 4, settings.length);
    AwsConfig config = AwsConfig.from(AwsTestSupport.settings(all));
    AwsBackend backend = new AwsBackend(config, client, List.of(client), clock, awsPageSize);
    backends.add(backend);
    return backend;
  }

  private AwsBackend backend() {
    return backend(AwsTestSupport.rawClient(proxy.url()), AwsBackend.AWS_PAGE_SIZE);
  }

  private static SecretValue value(String s) {
    return SecretValue.of(s.getBytes(UTF_8));
  }

  private static ErrorCode codeOf(Runnable call) {
    try {
      call.run();
    } catch (BackendException e) {
      return e.code();
    }
    throw new AssertionError("expected a BackendException");
  }

  private List<SecretVersionsListEntry> awsVersions(String name) {
    return raw.listSecretVersionIds(b -> b.secretId(namePrefix + name).includeDeprecated(true)).versions();
  }

  // ---- check-and-set ------------------------------------------------------------------------------------

  @Test
  void checkAndSet_losingTheRace_isConflict_andTheLosersVersionIsDeprecated() {
    AtomicBoolean raced = new AtomicBoolean();
    InterposingClient client = new InterposingClient(AwsTestSupport.rawClient(proxy.url()));
    AwsBackend backend = backend(client, AwsBackend.AWS_PAGE_SIZE);
    VersionInfo v1 = backend.write(WriteRequest.put("db", value("one")));
    // Another writer's put lands after our check but before our move of AWSCURRENT.
    client.beforeCurrentMove = () -> {
      if (raced.compareAndSet(false, true)) {
        raw.putSecretValue(b -> b.secretId(namePrefix + "db").secretString("other"));
      }
    };

    assertThat(codeOf(() -> backend.write(WriteRequest.put("db", value("mine")).expectingCurrent(v1.version()))))
        .isEqualTo(ErrorCode.CONFLICT);

    assertThat(raced).isTrue();
    assertThat(new String(backend.read(SecretRef.current("db")).value().bytes(), UTF_8)).isEqualTo("other");
    assertThat(backend.describe("db").versions()).hasSize(2);
    assertThat(awsVersions("db")).hasSize(3)
        .filteredOn(v -> v.versionStages().isEmpty()).as("the loser's version, deprecated").hasSize(1);
  }

  @Test
  void checkAndSet_winner_leavesNoPrivateLabelBehind() {
    AwsBackend backend = backend();
    VersionInfo v1 = backend.write(WriteRequest.put("db", value("one")));
    VersionInfo v2 = backend.write(WriteRequest.put("db", value("two")).expectingCurrent(v1.version()));

    assertThat(awsVersions("db")).allSatisfy(v -> assertThat(v.versionStages()).doesNotContain(AwsBackend.CAS_LABEL));
    assertThat(backend.describe("db").current()).map(VersionInfo::version).contains(v2.version());
    assertThat(backend.describe("db").withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains(v1.version());
  }

  @Test
  void emulator_refusesToMoveCurrentFromAVersionThatDoesNotHoldIt() {
    String id = namePrefix + "cas";
    String v1 = raw.createSecret(b -> b.name(id).secretString("one")).versionId();
    String v2 = raw.putSecretValue(b -> b.secretId(id).secretString("two").versionStages("other")).versionId();
    String v3 = raw.putSecretValue(b -> b.secretId(id).secretString("three").versionStages("again")).versionId();

    assertThatThrownBy(() -> raw.updateSecretVersionStage(b -> b.secretId(id).versionStage(AwsStages.CURRENT)
        .moveToVersionId(v3).removeFromVersionId(v2))).isInstanceOf(InvalidParameterException.class);
    assertThat(raw.describeSecret(b -> b.secretId(id)).versionIdsToStages().get(v1))
        .containsExactly(AwsStages.CURRENT);
  }

  // ---- values -------------------------------------------------------------------------------------------

  @Test
  void textIsStoredAsSecretString_andOtherBytesAsSecretBinary() {
    AwsBackend backend = backend();
    byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28};
    backend.write(WriteRequest.put("text", value("pässwörd")));
    backend.write(WriteRequest.put("binary", SecretValue.of(binary)));

    GetSecretValueResponse text = raw.getSecretValue(b -> b.secretId(namePrefix + "text").versionStage("AWSCURRENT"));
    GetSecretValueResponse bin = raw.getSecretValue(b -> b.secretId(namePrefix + "binary").versionStage("AWSCURRENT"));
    assertThat(text.secretString()).isEqualTo("pässwörd");
    assertThat(text.secretBinary()).isNull();
    assertThat(bin.secretString()).isNull();
    assertThat(bin.secretBinary().asByteArray()).isEqualTo(binary);
  }

  @Test
  void valuesWrittenOutsideTheBroker_areReadFromEitherField() {
    AwsBackend backend = backend();
    raw.createSecret(b -> b.name(namePrefix + "s").secretString("{\"user\":\"app\"}"));
    raw.createSecret(b -> b.name(namePrefix + "b").secretBinary(SdkBytes.fromByteArray(new byte[] {1, 2, 3})));

    assertThat(backend.read(SecretRef.current("s")).value().bytes()).isEqualTo("{\"user\":\"app\"}".getBytes(UTF_8));
    assertThat(backend.read(SecretRef.current("b")).value().bytes()).containsExactly(1, 2, 3);
  }

  @Test
  void emptyValue_isInvalidArgument_andNothingIsWritten() {
    AwsBackend backend = backend();
    assertThat(codeOf(() -> backend.write(WriteRequest.put("empty", SecretValue.of(new byte[0])))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> backend.describe("empty"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void valueOverConfiguredMaximum_isInvalidArgument() {
    AwsBackend backend = backend(AwsTestSupport.rawClient(proxy.url()), 100, "max-value-bytes", "8");
    assertThat(codeOf(() -> backend.write(WriteRequest.put("big", value("123456789")))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    backend.write(WriteRequest.put("small", value("12345678")));
  }

  // ---- names and listing --------------------------------------------------------------------------------

  @Test
  void namePrefix_isPrependedInAws_andListingsShowOnlyMappableNamesUnderIt() {
    AwsBackend backend = backend();
    backend.write(WriteRequest.put("team/db", value("x")));
    raw.createSecret(b -> b.name(namePrefix + "team/ok").secretString("x"));
    raw.createSecret(b -> b.name(namePrefix + "team/not+mappable").secretString("x"));
    raw.createSecret(b -> b.name(namePrefix + "team//empty-segment").secretString("x"));
    raw.createSecret(b -> b.name("other-" + namePrefix + "team/outside").secretString("x"));

    assertThat(raw.describeSecret(b -> b.secretId(namePrefix + "team/db")).name()).isEqualTo(namePrefix + "team/db");
    assertThat(backend.list("", PageRequest.first(100)).items()).extracting(SecretSummary::name)
        .containsExactly("team/db", "team/ok");
  }

  @Test
  void nameTooLongForAwsWithThePrefix_isInvalidArgument() {
    AwsBackend backend = backend();
    String name = "a".repeat(AwsNames.AWS_MAX_NAME_LENGTH - namePrefix.length() + 1);
    assertThat(codeOf(() -> backend.write(WriteRequest.put(name, value("x"))))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void list_isInNameOrder_acrossManyAwsPages() {
    AwsBackend backend = backend(AwsTestSupport.rawClient(proxy.url()), 2);
    for (String n : List.of("e", "d", "c/x", "b", "a", "c/a")) {
      backend.write(WriteRequest.put(n, value(n)));
    }
    List<String> seen = new ArrayList<>();
    PageRequest request = PageRequest.first(2);
    for (int pages = 0; pages < 10; pages++) {
      Page<SecretSummary> page = backend.list("", request);
      page.items().forEach(s -> seen.add(s.name()));
      if (!page.hasNext()) {
        break;
      }
      request = new PageRequest(2, page.nextPageToken());
    }
    assertThat(seen).containsExactly("a", "b", "c/a", "c/x", "d", "e");
  }

  @Test
  void list_withATokenItDidNotIssue_isInvalidArgument() {
    AwsBackend backend = backend();
    backend.write(WriteRequest.put("a/x", value("x")));
    String tokenForA = AwsNames.pageToken("a/x");
    assertThat(codeOf(() -> backend.list("", new PageRequest(10, "not-a-token")))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> backend.list("b/", new PageRequest(10, tokenForA)))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  // ---- versions and stages ------------------------------------------------------------------------------

  @Test
  void describe_hidesDeprecatedVersions_whichStayReadableById() {
    AwsBackend backend = backend();
    VersionInfo v1 = backend.write(WriteRequest.put("db", value("one")));
    VersionInfo v2 = backend.write(WriteRequest.put("db", value("two")));
    VersionInfo v3 = backend.write(WriteRequest.put("db", value("three")));

    assertThat(backend.describe("db").versions()).extracting(VersionInfo::version)
        .containsExactly(v2.version(), v3.version());
    var old = backend.read(SecretRef.ofVersion("db", v1.version()));
    assertThat(old.value().bytes()).isEqualTo("one".getBytes(UTF_8));
    assertThat(old.info().stages()).isEmpty();
  }

  @Test
  void moveStage_canPromoteADeprecatedVersion() {
    AwsBackend backend = backend();
    VersionInfo v1 = backend.write(WriteRequest.put("db", value("one")));
    backend.write(WriteRequest.put("db", value("two")));
    VersionInfo v3 = backend.write(WriteRequest.put("db", value("three")));

    backend.moveStage("db", Stage.CURRENT, v1.version());

    assertThat(backend.read(SecretRef.current("db")).info().version()).isEqualTo(v1.version());
    assertThat(backend.read(SecretRef.ofStage("db", Stage.PREVIOUS)).info().version()).isEqualTo(v3.version());
  }

  @Test
  void clearStage_ofCurrent_isInvalidArgument_andChangesNothing() {
    AwsBackend backend = backend();
    VersionInfo v1 = backend.write(WriteRequest.put("db", value("one")));
    assertThat(codeOf(() -> backend.clearStage("db", Stage.CURRENT))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> backend.clearStage("nope", Stage.CURRENT))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.read(SecretRef.current("db")).info().version()).isEqualTo(v1.version());
  }

  @Test
  void pendingWrite_toUnknownSecret_isNotFound_andCreatesNothing() {
    AwsBackend backend = backend();
    assertThat(codeOf(() -> backend.write(WriteRequest.pending("db", value("x"))))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.describe("db"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void secretScheduledForDeletionByAnotherTool_isNotFound() {
    AwsBackend backend = backend();
    backend.write(WriteRequest.put("db", value("one")));
    raw.deleteSecret(b -> b.secretId(namePrefix + "db").recoveryWindowInDays(7L));

    assertThat(codeOf(() -> backend.read(SecretRef.current("db")))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.describe("db"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.delete("db"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.list("", PageRequest.first(10)).items()).isEmpty();
  }

  // ---- health and timeouts ------------------------------------------------------------------------------

  @Test
  void healthy_followsWhetherAwsAnswers() throws Exception {
    AwsBackend backend = backend();
    backend.write(WriteRequest.put("db", value("one")));
    assertThat(backend.healthy()).isTrue();
    proxy.stop();
    try {
      assertThat(codeOf(() -> backend.read(SecretRef.current("db")))).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(backend.healthy()).isFalse();
    } finally {
      proxy.restart();
    }
    backend.read(SecretRef.current("db"));
    assertThat(backend.healthy()).isTrue();
  }

  @Test
  void serverThatNeverAnswers_isUnavailableOnceTheTimeoutPasses() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
      AwsConfig config = AwsConfig.from(AwsTestSupport.settings("endpoint", endpoint, "timeout", "500ms"));
      AwsTestSupport.useDummyCredentials();
      try (AwsBackend backend = AwsBackend.connect(config, clock)) {
        long start = System.nanoTime();
        assertThat(codeOf(() -> backend.read(SecretRef.current("db")))).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(400L, 5_000L);
      }
    }
  }

  /** Delegates to a real client, running {@link #beforeCurrentMove} before each move of {@code AWSCURRENT}. */
  private static final class InterposingClient implements SecretsManagerClient {
    private final SecretsManagerClient delegate;
    volatile Runnable beforeCurrentMove = () -> { };

    InterposingClient(SecretsManagerClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public UpdateSecretVersionStageResponse updateSecretVersionStage(UpdateSecretVersionStageRequest request) {
      if (AwsStages.CURRENT.equals(request.versionStage())) {
        beforeCurrentMove.run();
      }
      return delegate.updateSecretVersionStage(request);
    }

    @Override
    public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
      return delegate.getSecretValue(request);
    }

    @Override
    public PutSecretValueResponse putSecretValue(PutSecretValueRequest request) {
      return delegate.putSecretValue(request);
    }

    @Override
    public CreateSecretResponse createSecret(CreateSecretRequest request) {
      return delegate.createSecret(request);
    }

    @Override
    public DescribeSecretResponse describeSecret(DescribeSecretRequest request) {
      return delegate.describeSecret(request);
    }

    @Override
    public ListSecretVersionIdsResponse listSecretVersionIds(ListSecretVersionIdsRequest request) {
      return delegate.listSecretVersionIds(request);
    }

    @Override
    public ListSecretsResponse listSecrets(ListSecretsRequest request) {
      return delegate.listSecrets(request);
    }

    @Override
    public DeleteSecretResponse deleteSecret(DeleteSecretRequest request) {
      return delegate.deleteSecret(request);
    }

    @Override
    public String serviceName() {
      return delegate.serviceName();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
