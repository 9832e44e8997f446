package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.backend.aws.AwsFixture;
import io.secretsbroker.backend.gcp.GcpFixture;
import io.secretsbroker.backend.vault.VaultFixture;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.ListSecretsRequest;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.RevokeSecretVersionRequest;
import io.secretsbroker.proto.v1.SecretSummary;
import io.secretsbroker.proto.v1.SecretsServiceGrpc.SecretsServiceBlockingStub;
import io.secretsbroker.proto.v1.VersionInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * One team, secrets in several clouds: a real broker with {@code ""} on the local store, {@code trading/} on Vault,
 * {@code payments/} on AWS Secrets Manager (us-east-1) and {@code analytics/} on GCP Secret Manager — each served
 * by its backend module's strict fake or emulator on loopback — read and written through the gRPC API with the
 * same caching, policies, audit and revocation everywhere.
 *
 * <p>Azure ({@code legacy/}) is not mounted here: the {@code azure} backend always authenticates with
 * {@code DefaultAzureCredential}, trusts the JVM's trust store and verifies that Key Vault's challenge names a
 * resource in the vault's own domain; a fake on 127.0.0.1 cannot satisfy that from configuration, and the broker
 * deliberately has no setting that would turn those checks off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiMountIT {
  private static final String VAULT_TOKEN = "hvs.multi-mount-" + UUID.randomUUID();
  /** Mount prefix → backend kind, as configured below. */
  private static final Map<String, String> MOUNTS = new LinkedHashMap<>();

  static {
    MOUNTS.put("", "local");
    MOUNTS.put("trading/", "vault");
    MOUNTS.put("payments/", "aws");
    MOUNTS.put("analytics/", "gcp");
  }

  @TempDir
  static Path tmp;
  static VaultFixture vault;
  static AwsFixture aws;
  static GcpFixture gcp;
  static TestBroker broker;
  static String root;
  static SecretsServiceBlockingStub secrets;
  static Map<String, String> savedAwsProperties = new LinkedHashMap<>();

  @BeforeAll
  static void startClouds_andBroker() throws Exception {
    for (String key : List.of("aws.accessKeyId", "aws.secretAccessKey")) {
      savedAwsProperties.put(key, System.getProperty(key));
      System.setProperty(key, "test"); // the SDK's default chain; moto accepts any credentials
    }
    vault = VaultFixture.start("secret").addToken(VAULT_TOKEN);
    gcp = GcpFixture.start();
    aws = AwsFixture.start();

    Path tokenFile = tmp.resolve("vault-token");
    Files.writeString(tokenFile, VAULT_TOKEN);
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(policies.resolve("payments-reader.hcl"), """
        path "secret/data/payments/*" { capabilities = ["read"] }
        """);
    Path data = tmp.resolve("data");
    String yaml = """
        auth:
          root-token-file: %s
        policies:
          dir: %s
        mounts:
          - prefix: ""
            backend: { type: local }
          - prefix: trading/
            backend:
              type: vault
              address: %s
              mount: secret
              timeout: 5s
              auth: { method: token, token-file: %s }
          - prefix: payments/
            backend: { type: aws, region: us-east-1, endpoint: "%s", timeout: 5s }
          - prefix: analytics/
            backend: { type: gcp, project: %s, endpoint: "%s", plaintext: true, timeout: 2s }
            resilience: { max-attempts: 2, initial-backoff: 10ms, max-backoff: 20ms, open-duration: 200ms }
        """.formatted(data.resolve("root-token"), policies, vault.address(), tokenFile, aws.endpoint(),
        gcp.project(), gcp.endpoint());
    broker = TestBroker.start(data, yaml, Clock.systemUTC());
    root = broker.rootToken();
    secrets = broker.secrets(root);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    try (AutoCloseable v = vault; AutoCloseable g = gcp; AutoCloseable a = aws; AutoCloseable b = broker) {
      // closed in reverse order: the broker first, then each cloud (null when its start failed: skipped)
    } finally {
      savedAwsProperties.forEach((key, value) -> {
        if (value == null) {
          System.clearProperty(key);
        } else {
          System.setProperty(key, value);
        }
      });
    }
  }

  @Test
  void everyMount_takesWritesAndReads_describesItsBackend_andOneListingSpansThemAll() throws Exception {
    Map<String, String> written = new LinkedHashMap<>();
    for (Map.Entry<String, String> mount : MOUNTS.entrySet()) {
      String name = mount.getKey() + "team/service-credential";
      String value = "value-for-" + mount.getValue() + "-" + UUID.randomUUID();
      String version = put(name, value);
      written.put(name, value);

      assertThat(get(secrets, name).getValue().toStringUtf8()).isEqualTo(value);
      DescribeSecretResponse d = secrets.describeSecret(DescribeSecretRequest.newBuilder().setName(name).build());
      assertThat(d.getMount()).isEqualTo(mount.getKey());
      assertThat(d.getBackend()).isEqualTo(mount.getValue());
      assertThat(d.getVersionsList()).extracting(VersionInfo::getVersion).contains(version);
    }

    // The values really live in each cloud, under the name relative to the mount.
    assertThat(awsCurrentValue("team/service-credential")).isEqualTo(written.get("payments/team/service-credential"));
    assertThat(vaultData("team/service-credential")).contains(written.get("trading/team/service-credential"));

    List<String> everything = list("");
    assertThat(everything).containsAll(written.keySet());
    assertThat(list("payments/")).contains("payments/team/service-credential")
        .allMatch(n -> n.startsWith("payments/"));
    assertThat(list("analytics/team/")).containsExactly("analytics/team/service-credential");
  }

  @Test
  void aPaymentsOnlyPolicy_readsPayments_isRefusedTrading_andTheRefusalIsAudited() {
    String card = "payments/card-processor-key";
    String fix = "trading/fix-session-password";
    put(card, "card-" + UUID.randomUUID());
    put(fix, "fix-" + UUID.randomUUID());
    String token = broker.admin(root).createToken(CreateTokenRequest.newBuilder().setPrincipal("svc-payments")
        .addPolicies("payments-reader").build()).getToken();
    SecretsServiceBlockingStub payments = broker.secrets(token);

    assertThat(get(payments, card).getName()).isEqualTo(card);
    StatusRuntimeException denied = failure(() -> get(payments, fix));
    assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(denied.getStatus().getDescription()).contains("secret/data/" + fix);
    assertThat(failure(() -> payments.putSecret(PutSecretRequest.newBuilder().setName(card)
        .setValue(ByteString.copyFromUtf8("x")).build())).getStatus().getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);

    List<AuditRecord> records = broker.audit(root).queryAuditLog(QueryAuditLogRequest.newBuilder()
        .setPrincipal("token:svc-payments").build()).getRecordsList();
    assertThat(records).anySatisfy(r -> {
      assertThat(r.getName()).isEqualTo(fix);
      assertThat(r.getMethod()).endsWith("GetSecret");
      assertThat(r.getOutcome()).isEqualTo("PERMISSION_DENIED");
    });
    assertThat(records).anySatisfy(r -> {
      assertThat(r.getName()).isEqualTo(card);
      assertThat(r.getOutcome()).isEqualTo("OK");
    });
  }

  @Test
  void theSecondReadOfASecret_isACacheHit_onEveryMount_inTheAuditAndTheMetrics() throws Exception {
    double hitsBefore = counter("secrets_cache_hits_total");
    for (Map.Entry<String, String> mount : MOUNTS.entrySet()) {
      String name = mount.getKey() + "cache/probe";
      String version = put(name, "cached-" + UUID.randomUUID());
      int gcpReadsBefore = gcp.calls("AccessSecretVersion");
      get(secrets, name);
      int gcpReadsAfterMiss = gcp.calls("AccessSecretVersion");
      get(secrets, name);

      List<AuditRecord> reads = broker.audit(root).queryAuditLog(QueryAuditLogRequest.newBuilder()
          .setNamePrefix(name).setMethod("GetSecret").build()).getRecordsList();
      assertThat(reads).as("reads of %s, newest first", name)
          .extracting(AuditRecord::getCacheHit).containsExactly(true, false);
      assertThat(reads).extracting(AuditRecord::getVersion).containsOnly(version);
      if (mount.getValue().equals("gcp")) {
        assertThat(gcpReadsAfterMiss).isGreaterThan(gcpReadsBefore);
        assertThat(gcp.calls("AccessSecretVersion")).as("GCP reads after the cached read")
            .isEqualTo(gcpReadsAfterMiss);
      }
    }
    assertThat(counter("secrets_cache_hits_total") - hitsBefore).isEqualTo(MOUNTS.size());
  }

  @Test
  void aRevokedAwsVersion_isRefusedAtOnce_evenWhenCached_andANewVersionServesAgain() {
    String name = "payments/settlement-api-key";
    String first = put(name, "first-" + UUID.randomUUID());
    get(secrets, name);
    assertThat(get(secrets, name).getVersion()).isEqualTo(first); // now in the cache

    broker.revocation(root).revokeSecretVersion(RevokeSecretVersionRequest.newBuilder().setName(name)
        .setVersion(first).setReason("key leaked in a build log").build());

    StatusRuntimeException refused = failure(() -> get(secrets, name));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).contains("revoked");
    assertThat(failure(() -> secrets.getSecret(GetSecretRequest.newBuilder().setName(name).setVersion(first)
        .build())).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(secrets.describeSecret(DescribeSecretRequest.newBuilder().setName(name).build()).getVersionsList())
        .filteredOn(VersionInfo::getRevoked).extracting(VersionInfo::getVersion).containsExactly(first);

    String second = put(name, "second-" + UUID.randomUUID());
    assertThat(get(secrets, name).getVersion()).isEqualTo(second);
  }

  @Test
  void aGcpOutage_failsUncachedReadsSafely_keepsServingCachedOnes_andReadsWorkOnceItIsBack() throws Exception {
    String cached = "analytics/warehouse-password";
    String uncached = "analytics/export-signing-key";
    String cachedValue = "warehouse-" + UUID.randomUUID();
    String uncachedValue = "export-" + UUID.randomUUID();
    put(cached, cachedValue);
    put(uncached, uncachedValue);
    get(secrets, cached);

    gcp.stopService();
    try {
      StatusRuntimeException down = failure(() -> get(secrets, uncached));
      assertThat(down.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(down.getStatus().getDescription())
          .containsAnyOf("GCP Secret Manager is unavailable", "circuit open")
          .contains("analytics/")
          .doesNotContain("io.grpc", "Exception", "onnection refused", "127.0.0.1", "\tat ", uncachedValue);

      assertThat(get(secrets, cached).getValue().toStringUtf8()).isEqualTo(cachedValue);
      List<AuditRecord> reads = broker.audit(root).queryAuditLog(QueryAuditLogRequest.newBuilder()
          .setNamePrefix(cached).setMethod("GetSecret").build()).getRecordsList();
      assertThat(reads.get(0).getCacheHit()).isTrue();
    } finally {
      gcp.startService();
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        assertThat(get(secrets, uncached).getValue().toStringUtf8()).isEqualTo(uncachedValue);
        break;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // waiting for the client to reconnect and the circuit to close, not for time to pass
      }
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private static String put(String name, String value) {
    return secrets.putSecret(PutSecretRequest.newBuilder().setName(name).setValue(ByteString.copyFromUtf8(value))
        .build()).getVersion().getVersion();
  }

  private static GetSecretResponse get(SecretsServiceBlockingStub stub, String name) {
    return stub.getSecret(GetSecretRequest.newBuilder().setName(name).build());
  }

  private static List<String> list(String prefix) {
    return secrets.listSecrets(ListSecretsRequest.newBuilder().setPrefix(prefix)
        .setPage(PageRequest.newBuilder().setPageSize(1000)).build()).getSecretsList().stream()
        .map(SecretSummary::getName).toList();
  }

  private static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("expected the call to fail");
  }

  private static double counter(String name) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(broker.scrapeMetrics());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** The current value of an AWS secret, read with a plain SDK client past the broker. */
  private static String awsCurrentValue(String awsName) {
    try (SecretsManagerClient client = SecretsManagerClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(aws.endpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.builder().build())
        .build()) {
      return client.getSecretValue(r -> r.secretId(awsName).versionStage("AWSCURRENT")).secretString();
    }
  }

  /** The raw KV v2 data of a Vault secret (newest version), read over HTTP past the broker. */
  private static String vaultData(String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(vault.address() + "/v1/secret/data/" + path)).header("X-Vault-Token", VAULT_TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
