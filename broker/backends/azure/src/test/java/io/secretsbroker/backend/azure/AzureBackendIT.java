package io.secretsbroker.backend.azure;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

/** What the contract suite does not cover: Key Vault's protocol, limits, names, errors and deletes. */
class AzureBackendIT {
  private static TestPki pki;
  private static FakeKeyVault fake;

  private AzureBackend backend;
  private String prefix;

  @BeforeAll
  static void startFake() throws Exception {
    pki = TestPki.create("backend test CA");
    fake = new FakeKeyVault(pki.serverContext()).start();
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @BeforeEach
  void setUp() {
    backend = FakeVaults.backend(fake, pki);
    prefix = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "/";
    fake.allowPurge(true);
    fake.deleteLatency(0);
  }

  @AfterEach
  void clientSentNothingKeyVaultWouldReject() {
    assertThat(fake.violations()).isEmpty();
  }

  private static SecretValue text(String s) {
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

  // ---- protocol -------------------------------------------------------------------------------------

  @Test
  void firstRequest_isChallenged_thenTokenIsAskedForVaultScopeAndTenant() throws Exception {
    try (FakeKeyVault fresh = new FakeKeyVault(pki.serverContext()).start()) {
      TestCredential credential = TestCredential.accepted();
      AzureBackend b = AzureBackendProvider.create(FakeVaults.config(fresh), Clock.systemUTC(),
          FakeVaults.transport(pki, credential));

      b.write(WriteRequest.put("db", text("one")));

      assertThat(fresh.challengesSent()).isEqualTo(1);
      assertThat(credential.requests()).isNotEmpty();
      TokenRequestContext request = credential.requests().get(0);
      assertThat(request.getScopes()).containsExactly("https://vault.azure.net/.default");
      assertThat(request.getTenantId()).isEqualTo(FakeKeyVault.TENANT);
      assertThat(fresh.apiVersionsSeen()).containsExactly("7.6");
    }
  }

  @Test
  void reads_alwaysNameAVersion_neverKeyVaultsLatest() {
    backend.write(WriteRequest.put(prefix + "db", text("one")));
    backend.write(WriteRequest.pending(prefix + "db", text("two")));
    fake.clearRequests();

    assertThat(new String(backend.read(SecretRef.current(prefix + "db")).value().bytes(), UTF_8)).isEqualTo("one");

    String latestPath = "/secrets/" + AzureNames.encode(prefix + "db") + "/";
    assertThat(fake.requests()).noneMatch(r -> r.equals("GET " + latestPath));
    assertThat(fake.requests()).anyMatch(r -> r.matches("GET " + latestPath + "[0-9a-f]{32}"));
  }

  @Test
  void textValues_areStoredAsText_binaryAsBase64_withBrokerTags() {
    byte[] binary = {0, (byte) 0xff, (byte) 0xfe, 1};
    backend.write(WriteRequest.put(prefix + "txt", text("pässwörd")));
    backend.write(WriteRequest.put(prefix + "bin", SecretValue.of(binary)));

    String txt = AzureNames.encode(prefix + "txt");
    assertThat(fake.latest(txt)).containsEntry("value", "pässwörd").containsEntry("contentType", StoredValue.TEXT);
    assertThat(fake.latest(AzureNames.encode(prefix + "bin")))
        .containsEntry("value", "AP/+AQ==").containsEntry("contentType", StoredValue.BASE64);
    assertThat(fake.tags(txt).values()).singleElement()
        .satisfies(tags -> assertThat(tags).containsEntry(SecretState.TAG_NAME, prefix + "txt")
            .containsKey(SecretState.TAG_SEQ).containsKey(SecretState.tagOf(Stage.CURRENT)));
    assertThat(backend.read(SecretRef.current(prefix + "bin")).value().bytes()).isEqualTo(binary);
  }

  @Test
  void namesDifferingOnlyInCase_areDistinctSecrets() {
    backend.write(WriteRequest.put(prefix + "DbPass", text("upper")));
    backend.write(WriteRequest.put(prefix + "dbpass", text("lower")));
    backend.write(WriteRequest.put(prefix + "db-pass", text("dash")));

    assertThat(new String(backend.read(SecretRef.current(prefix + "DbPass")).value().bytes(), UTF_8))
        .isEqualTo("upper");
    assertThat(new String(backend.read(SecretRef.current(prefix + "dbpass")).value().bytes(), UTF_8))
        .isEqualTo("lower");
    assertThat(backend.list(prefix, PageRequest.first(10)).items()).extracting(SecretSummary::name)
        .containsExactly(prefix + "DbPass", prefix + "db-pass", prefix + "dbpass");
  }

  @Test
  void nameTooLongForKeyVault_isInvalidArgument_andNothingIsSent() {
    fake.clearRequests();
    String name = prefix + "x".repeat(AzureNames.MAX_KEY_VAULT_NAME_LENGTH);
    assertThatThrownBy(() -> backend.write(WriteRequest.put(name, text("v"))))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(name).hasMessageContaining("127")
        .extracting(e -> ((BackendException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(fake.requests()).isEmpty();
  }

  // ---- value limits ---------------------------------------------------------------------------------

  @Test
  void defaultLimit_textUpTo25600Bytes_roundTrips() {
    String big = "a".repeat(AzureConfig.KEY_VAULT_MAX_VALUE_BYTES);
    backend.write(WriteRequest.put(prefix + "big", text(big)));
    assertThat(backend.read(SecretRef.current(prefix + "big")).value().bytes()).hasSize(big.length());
  }

  @Test
  void defaultLimit_textOver25600Bytes_isRejected() {
    String tooBig = "a".repeat(AzureConfig.KEY_VAULT_MAX_VALUE_BYTES + 1);
    assertThat(codeOf(() -> backend.write(WriteRequest.put(prefix + "big", text(tooBig)))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> backend.describe(prefix + "big"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void defaultLimit_binaryWhoseBase64Exceeds25600_isRejectedNamingTheRule() {
    byte[] binary = new byte[AzureConfig.KEY_VAULT_MAX_VALUE_BYTES / 4 * 3 + 1];
    new SecureRandom().nextBytes(binary);
    binary[0] = (byte) 0xff;
    assertThatThrownBy(() -> backend.write(WriteRequest.put(prefix + "bin", SecretValue.of(binary))))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("base64")
        .hasMessageContaining(prefix + "bin")
        .extracting(e -> ((BackendException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void configuredLimit_appliesToTheValueBytes() {
    AzureBackend small = FakeVaults.backend(fake, pki, "max-value-bytes", 10);
    small.write(WriteRequest.put(prefix + "ok", text("0123456789")));
    assertThatThrownBy(() -> small.write(WriteRequest.put(prefix + "no", text("0123456789x"))))
        .isInstanceOf(BackendException.class).hasMessageContaining("at most 10");
  }

  // ---- paging ---------------------------------------------------------------------------------------

  @Test
  void moreVersionsThanOneKeyVaultPage_areAllDescribedOldestFirst() {
    List<String> written = new ArrayList<>();
    for (int i = 0; i < FakeKeyVault.MAX_PAGE + 3; i++) {
      written.add(backend.write(WriteRequest.put(prefix + "many", text("v" + i))).version());
    }
    SecretMetadata meta = backend.describe(prefix + "many");
    assertThat(meta.versions()).extracting(VersionInfo::version).containsExactlyElementsOf(written);
    assertThat(meta.current()).map(VersionInfo::version).contains(written.get(written.size() - 1));
    assertThat(meta.withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains(written.get(written.size() - 2));
  }

  @Test
  void moreSecretsThanOneKeyVaultPage_areAllListed() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < FakeKeyVault.MAX_PAGE + 2; i++) {
      String n = prefix + String.format("s%02d", i);
      backend.write(WriteRequest.put(n, text("v")));
      names.add(n);
    }
    assertThat(backend.list(prefix, PageRequest.first(1000)).items()).extracting(SecretSummary::name)
        .containsExactlyElementsOf(names);
  }

  @Test
  void pageTokenNotIssuedByThisBackend_isInvalidArgument() {
    assertThat(codeOf(() -> backend.list(prefix, new PageRequest(10, "garbage"))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  // ---- name prefix and foreign secrets ---------------------------------------------------------------

  @Test
  void namePrefixes_keepMountsSharingAVaultApart() {
    AzureBackend a = FakeVaults.backend(fake, pki, "name-prefix", "mountA-");
    AzureBackend b = FakeVaults.backend(fake, pki, "name-prefix", "mountB-");
    a.write(WriteRequest.put(prefix + "db", text("a")));
    b.write(WriteRequest.put(prefix + "db", text("b")));

    assertThat(fake.names()).contains("mounta-" + AzureNames.encode(prefix + "db"),
        "mountb-" + AzureNames.encode(prefix + "db"));
    assertThat(new String(a.read(SecretRef.current(prefix + "db")).value().bytes(), UTF_8)).isEqualTo("a");
    assertThat(a.list(prefix, PageRequest.first(10)).items()).hasSize(1);
    assertThat(codeOf(() -> backend.read(SecretRef.current(prefix + "db")))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void secretNotWrittenByTheBroker_isInvisible_andNeverOverwrittenOrDeleted() {
    String name = prefix + "foreign";
    fake.putForeign(AzureNames.encode(name), "someone else's");

    assertThat(codeOf(() -> backend.read(SecretRef.current(name)))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.describe(name))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.list(prefix, PageRequest.first(10)).items()).isEmpty();
    assertThat(codeOf(() -> backend.write(WriteRequest.put(name, text("mine"))))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(codeOf(() -> backend.delete(name))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(fake.tags(AzureNames.encode(name))).hasSize(1);
  }

  // ---- delete ---------------------------------------------------------------------------------------

  @Test
  void delete_waitsForSoftDelete_thenPurges() {
    backend.write(WriteRequest.put(prefix + "db", text("one")));
    fake.deleteLatency(3);

    backend.delete(prefix + "db");

    assertThat(fake.isSoftDeleted(AzureNames.encode(prefix + "db"))).isFalse();
    backend.write(WriteRequest.put(prefix + "db", text("again")));
  }

  @Test
  void delete_whenPurgeIsRefused_isPermissionDenied_andAfterwardsFinishesThePurge() {
    String name = prefix + "db";
    backend.write(WriteRequest.put(name, text("one")));
    fake.allowPurge(false);

    assertThatThrownBy(() -> backend.delete(name))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("purge").hasMessageContaining(name)
        .extracting(e -> ((BackendException) e).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    assertThat(codeOf(() -> backend.read(SecretRef.current(name)))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThatThrownBy(() -> backend.write(WriteRequest.put(name, text("two"))))
        .isInstanceOf(BackendException.class).hasMessageContaining("soft-deleted")
        .extracting(e -> ((BackendException) e).code()).isEqualTo(ErrorCode.CONFLICT);

    fake.allowPurge(true);
    backend.delete(name);
    backend.write(WriteRequest.put(name, text("two")));
    assertThat(backend.describe(name).versions()).hasSize(1);
  }

  // ---- errors ---------------------------------------------------------------------------------------

  @ParameterizedTest(name = "HTTP {0} {1}/{2} -> {3}")
  @CsvSource({
      "400, BadParameter, , INVALID_ARGUMENT",
      "401, Unauthorized, , PERMISSION_DENIED",
      "403, Forbidden, ForbiddenByPolicy, PERMISSION_DENIED",
      "404, SecretNotFound, , NOT_FOUND",
      "409, Conflict, ObjectIsBeingDeleted, UNAVAILABLE",
      "409, Conflict, ObjectIsDeletedButRecoverable, CONFLICT",
      "429, Throttled, , RESOURCE_EXHAUSTED",
      "500, InternalServerError, , UNAVAILABLE",
      "503, ServiceUnavailable, , UNAVAILABLE",
      "418, Teapot, , INTERNAL",
  })
  void keyVaultErrors_mapToTheClosedSet(int status, String code, String inner, ErrorCode expected) {
    backend.write(WriteRequest.put(prefix + "db", text("one")));
    fake.failNext(status, code, inner);

    BackendException e = catchBackend(() -> backend.read(SecretRef.current(prefix + "db")));

    assertThat(e.code()).isEqualTo(expected);
    assertThat(e.getMessage()).contains(prefix + "db").doesNotContain("injected");
    assertThat(backend.healthy()).isEqualTo(expected != ErrorCode.UNAVAILABLE);
  }

  @Test
  void sdkDoesNotRetry_theBrokerDoes() {
    backend.write(WriteRequest.put(prefix + "db", text("one")));
    fake.clearRequests();
    fake.failNext(503, "ServiceUnavailable", null);

    assertThat(codeOf(() -> backend.read(SecretRef.current(prefix + "db")))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void wrongToken_isPermissionDenied() {
    AzureBackend b = AzureBackendProvider.create(FakeVaults.config(fake), Clock.systemUTC(),
        FakeVaults.transport(pki, new TestCredential("not-the-token")));
    assertThat(codeOf(() -> b.read(SecretRef.current(prefix + "db")))).isEqualTo(ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void credentialThatCannotGetAToken_isPermissionDenied() {
    TokenCredential failing = request -> Mono.error(new ClientAuthenticationException("no identity here", null));
    AzureBackend b = AzureBackendProvider.create(FakeVaults.config(fake), Clock.systemUTC(),
        FakeVaults.transport(pki, failing));
    assertThat(codeOf(() -> b.write(WriteRequest.put(prefix + "db", text("v")))))
        .isEqualTo(ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void serverSlowerThanTheTimeout_isUnavailable() {
    AzureBackend b = FakeVaults.backend(fake, pki, "timeout", "300ms");
    b.write(WriteRequest.put(prefix + "db", text("v")));
    fake.stallNext(3_000);
    long start = System.nanoTime();

    assertThat(codeOf(() -> b.read(SecretRef.current(prefix + "db")))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void serverCertificateFromAnotherCa_isRefused() {
    TestPki other = TestPki.create("some other CA");
    AzureBackend b = AzureBackendProvider.create(FakeVaults.config(fake), Clock.systemUTC(),
        FakeVaults.transport(other, TestCredential.accepted()));
    fake.clearRequests();

    assertThat(codeOf(() -> b.read(SecretRef.current(prefix + "db")))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void valuesNeverAppearInErrors() {
    String name = prefix + "db";
    fake.failNext(500, "InternalServerError", null);
    BackendException e = catchBackend(() -> backend.write(WriteRequest.put(name, text("hunter2-secret"))));
    assertThat(e.getMessage()).doesNotContain("hunter2");
  }

  private static BackendException catchBackend(Runnable call) {
    try {
      call.run();
    } catch (BackendException e) {
      return e;
    }
    throw new AssertionError("expected a BackendException");
  }

  @Test
  void stagesSurviveANewBackendInstance() {
    String name = prefix + "db";
    VersionInfo v1 = backend.write(WriteRequest.put(name, text("one")));
    VersionInfo v2 = backend.write(WriteRequest.pending(name, text("two")));
    backend.moveStage(name, Stage.CURRENT, v2.version());

    AzureBackend other = FakeVaults.backend(fake, pki);
    Map<Stage, String> holders = Map.of(
        Stage.CURRENT, other.describe(name).current().orElseThrow().version(),
        Stage.PREVIOUS, other.describe(name).withStage(Stage.PREVIOUS).orElseThrow().version());
    assertThat(holders).containsEntry(Stage.CURRENT, v2.version()).containsEntry(Stage.PREVIOUS, v1.version());
    assertThat(other.describe(name).withStage(Stage.PENDING)).isEmpty();
    assertThat(other.capabilities()).containsExactlyInAnyOrder(Capability.VERSIONING, Capability.STAGE_LABELS);
  }
}
