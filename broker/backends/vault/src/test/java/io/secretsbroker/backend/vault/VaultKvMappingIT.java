package io.secretsbroker.backend.vault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How broker secrets, versions and stages are laid out in KV v2, and how the backend reads what others wrote. */
class VaultKvMappingIT {
  private static final String TOKEN = "hvs.mapping-root";
  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeVault fake;
  private VaultBackend backend;

  @BeforeEach
  void start() throws Exception {
    fake = FakeVault.start("secret").addToken(TOKEN);
    backend = TestVault.tokenBackend(fake, TOKEN);
  }

  @AfterEach
  void stop() {
    backend.close();
    fake.close();
  }

  private static SecretValue text(String s) {
    return SecretValue.of(s.getBytes(UTF_8));
  }

  private static String text(SecretVersion v) {
    return new String(v.value().bytes(), UTF_8);
  }

  private static ErrorCode codeOf(Runnable call) {
    try {
      call.run();
    } catch (BackendException e) {
      return e.code();
    }
    throw new AssertionError("expected a BackendException");
  }

  @Test
  void stagesLiveInCustomMetadata_nextToTheOperatorsOwnKeys() {
    backend.write(WriteRequest.put("db", text("one")));
    Map<String, String> afterFirst = fake.customMetadata("db");
    assertThat(afterFirst).containsEntry("sb-stage-current", "1").containsEntry("sb-applied", "1")
        .containsKey("sb-epoch").doesNotContainKeys("sb-stage-previous", "sb-stage-pending");

    Map<String, String> withOwner = new HashMap<>(afterFirst);
    withOwner.put("owner", "team-a");
    fake.setCustomMetadata("db", withOwner);
    backend.write(WriteRequest.put("db", text("two")));
    backend.write(WriteRequest.pending("db", text("three")));

    assertThat(fake.customMetadata("db")).containsEntry("owner", "team-a")
        .containsEntry("sb-stage-current", "2").containsEntry("sb-stage-previous", "1")
        .containsEntry("sb-stage-pending", "3").containsEntry("sb-applied", "3");
  }

  @Test
  void valuesAreStoredAsTextOrBase64_andPendingWritesCarryTheirIntent() {
    backend.write(WriteRequest.put("v", text("hunter2")));
    backend.write(WriteRequest.put("v", SecretValue.of(new byte[] {0, (byte) 0xff})));
    backend.write(WriteRequest.pending("v", text("next")));

    assertThat(fake.data("v", 1).toString()).isEqualTo("{\"value\":\"hunter2\"}");
    assertThat(fake.data("v", 2).toString()).isEqualTo("{\"value_base64\":\"AP8=\"}");
    assertThat(fake.data("v", 3).toString()).isEqualTo("{\"value\":\"next\",\"sb-stage\":\"pending\"}");
  }

  @Test
  void pendingVersionIsKvLatest_butReadsGoByExplicitVersion() {
    backend.write(WriteRequest.put("db", text("one")));
    backend.write(WriteRequest.pending("db", text("two")));
    fake.clearRequests();

    assertThat(text(backend.read(SecretRef.current("db")))).isEqualTo("one");

    assertThat(fake.requestLines()).containsExactly(
        "GET /v1/secret/metadata/db",
        "GET /v1/secret/data/db?version=1");
  }

  @Test
  void everyDataWrite_sendsCheckAndSetWithTheKvVersionItRead() {
    backend.write(WriteRequest.put("db", text("one")));
    backend.write(WriteRequest.pending("db", text("two")));
    backend.write(WriteRequest.put("db", text("three")));

    List<String> bodies = fake.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/v1/secret/data/db"))
        .map(FakeVault.Request::body).toList();
    assertThat(bodies).hasSize(3);
    assertThat(bodies.get(0)).endsWith("\"options\":{\"cas\":0}}");
    assertThat(bodies.get(1)).endsWith("\"options\":{\"cas\":1}}");
    assertThat(bodies.get(2)).endsWith("\"options\":{\"cas\":2}}");
  }

  @Test
  void checkAndSet_comparesWithTheBrokersCurrent_notKvLatest() {
    VersionInfo v1 = backend.write(WriteRequest.put("db", text("one")));
    backend.write(WriteRequest.pending("db", text("two")));

    VersionInfo v3 = backend.write(WriteRequest.put("db", text("three")).expectingCurrent(v1.version()));

    assertThat(v3.version()).isEqualTo("3");
    assertThat(backend.describe("db").withStage(Stage.PENDING)).map(VersionInfo::version).contains("2");
  }

  @Test
  void secretWrittenByAnotherVaultClient_isCurrent_andReadsAsItsJson() throws Exception {
    fake.putExternally("ext/db", JSON.readTree("{\"username\":\"app\",\"password\":\"p4ss\"}"));

    SecretVersion read = backend.read(SecretRef.current("ext/db"));
    assertThat(text(read)).isEqualTo("{\"username\":\"app\",\"password\":\"p4ss\"}");
    assertThat(read.info().stages()).containsExactly(Stage.CURRENT);

    backend.write(WriteRequest.put("ext/db", text("rotated")));
    fake.putExternally("ext/db", JSON.readTree("{\"value\":\"put by vault kv put\"}"));

    SecretMetadata meta = backend.describe("ext/db");
    assertThat(meta.current()).map(VersionInfo::version).contains("3");
    assertThat(meta.withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains("2");
    assertThat(text(backend.read(SecretRef.current("ext/db")))).isEqualTo("put by vault kv put");
  }

  @Test
  void writerThatDiedBeforeRecordingStages_isRolledForwardByTheNextReaderAndWriter() throws Exception {
    backend.write(WriteRequest.put("db", text("one")));
    fake.putExternally("db", JSON.readTree("{\"value\":\"two\",\"sb-stage\":\"pending\"}"));

    assertThat(text(backend.read(SecretRef.ofStage("db", Stage.PENDING)))).isEqualTo("two");
    assertThat(backend.read(SecretRef.current("db")).info().version()).isEqualTo("1");

    backend.write(WriteRequest.put("db", text("three")));
    assertThat(fake.customMetadata("db")).containsEntry("sb-stage-current", "3")
        .containsEntry("sb-stage-previous", "1").containsEntry("sb-stage-pending", "2")
        .containsEntry("sb-applied", "3");
  }

  @Test
  void snapshotLeftFromAnEarlierSecretOfTheSameName_isIgnored() {
    backend.write(WriteRequest.put("db", text("old-1")));
    backend.write(WriteRequest.put("db", text("old-2")));
    Map<String, String> stale = fake.customMetadata("db");
    backend.delete("db");
    fake.setCustomMetadata("db", stale); // a delayed metadata write recreates the entry

    assertThat(codeOf(() -> backend.describe("db"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.list("", PageRequest.first(10)).items()).isEmpty();

    VersionInfo v1 = backend.write(WriteRequest.put("db", text("new")));
    assertThat(v1.version()).isEqualTo("1");
    SecretVersion current = backend.read(SecretRef.current("db"));
    assertThat(text(current)).isEqualTo("new");
    assertThat(current.info().stages()).containsExactly(Stage.CURRENT);
    assertThat(codeOf(() -> backend.read(SecretRef.ofStage("db", Stage.PREVIOUS)))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void softDeletedVersions_readAsNotFound_andLeaveDescribe() {
    backend.write(WriteRequest.put("db", text("one")));
    backend.write(WriteRequest.put("db", text("two")));
    fake.softDelete("db", 1);

    assertThat(codeOf(() -> backend.read(SecretRef.ofVersion("db", "1")))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.read(SecretRef.ofStage("db", Stage.PREVIOUS)))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.describe("db").versions()).extracting(VersionInfo::version).containsExactly("2");

    fake.softDelete("db", 2);
    assertThat(codeOf(() -> backend.read(SecretRef.current("db")))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.describe("db"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void pathPrefix_scopesStorageAndListing() throws Exception {
    fake.putExternally("outside/x", JSON.readTree("{\"value\":\"x\"}"));
    Map<String, Object> settings = TestVault.tokenSettings(fake.address());
    settings.put("path-prefix", "broker/apps");
    try (VaultBackend scoped = TestVault.backend(settings, Map.of("VAULT_TEST_TOKEN", TOKEN), Clock.systemUTC())) {
      scoped.write(WriteRequest.put("db", text("v")));
      scoped.write(WriteRequest.put("team/api", text("v")));

      assertThat(fake.paths()).contains("broker/apps/db", "broker/apps/team/api", "outside/x");
      assertThat(scoped.list("", PageRequest.first(10)).items()).extracting(SecretSummary::name)
          .containsExactly("db", "team/api");
      assertThat(scoped.list("te", PageRequest.first(10)).items()).extracting(SecretSummary::name)
          .containsExactly("team/api");
    }
  }

  @Test
  void listing_ordersNamesAcrossFolders_likeAStringSort() {
    for (String n : List.of("c0", "c", "c/d", "c-x", "c.y", "b/z/q")) {
      backend.write(WriteRequest.put(n, text("v")));
    }
    assertThat(backend.list("", PageRequest.first(100)).items()).extracting(SecretSummary::name)
        .containsExactly("b/z/q", "c", "c-x", "c.y", "c/d", "c0");
  }

  @Test
  void configuredValueLimit_rejectsBeforeAnyRequest() {
    Map<String, Object> settings = TestVault.tokenSettings(fake.address());
    settings.put("max-value-bytes", 8);
    try (VaultBackend small = TestVault.backend(settings, Map.of("VAULT_TEST_TOKEN", TOKEN), Clock.systemUTC())) {
      assertThat(codeOf(() -> small.write(WriteRequest.put("db", SecretValue.of(new byte[9])))))
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
      small.write(WriteRequest.put("db", SecretValue.of(new byte[8])));
    }
    assertThat(fake.requests()).filteredOn(r -> r.method().equals("POST") && r.path().startsWith("/v1/secret/data/"))
        .hasSize(1);
  }

  @Test
  void namesVaultWouldReadAsPathSteps_areInvalidArgument() {
    assertThat(codeOf(() -> backend.write(WriteRequest.put("a/./b", text("v")))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(fake.requests()).isEmpty();
  }
}
