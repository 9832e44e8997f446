package io.secretsbroker.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.proto.v1.BatchGetSecretsRequest;
import io.secretsbroker.proto.v1.DeleteSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.ListSecretsRequest;
import io.secretsbroker.proto.v1.ListSecretsResponse;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.PutSecretResponse;
import io.secretsbroker.proto.v1.SecretsServiceGrpc.SecretsServiceBlockingStub;
import io.secretsbroker.proto.v1.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The foundation, end to end: a dev-mode broker on a loopback port, driven through the generated stubs. */
class SecretsEndToEndIT {
  @TempDir
  Path tmp;
  TestBroker broker;
  SecretsServiceBlockingStub secrets;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.dev(tmp.resolve("data"));
    secrets = broker.secrets(broker.rootToken());
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private PutSecretResponse put(String name, String value) {
    return secrets.putSecret(PutSecretRequest.newBuilder().setName(name).setValue(ByteString.copyFromUtf8(value))
        .build());
  }

  private GetSecretResponse get(String name) {
    return secrets.getSecret(GetSecretRequest.newBuilder().setName(name).build());
  }

  private static Status.Code codeOf(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("expected a failure");
  }

  private static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void devMode_writesRootTokenAndMasterKeyOwnerOnly() throws Exception {
    Path token = broker.dataDir.resolve("root-token");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.dataDir.resolve("master.key"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.dataDir)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.dataDir.resolve("state.mv.db"))))
        .isEqualTo("rw-------");
  }

  @Test
  void putGetListDescribeDelete_roundTrip() {
    PutSecretResponse v1 = put("trading/db-password", "hunter2");
    PutSecretResponse v2 = put("trading/db-password", "hunter3");
    put("trading/api-key", "k");

    GetSecretResponse current = get("trading/db-password");
    assertThat(current.getValue().toStringUtf8()).isEqualTo("hunter3");
    assertThat(current.getVersion()).isEqualTo(v2.getVersion().getVersion());
    assertThat(current.getStagesList()).containsExactly(Stage.STAGE_CURRENT);
    assertThat(current.getCacheTtl().getSeconds()).isEqualTo(300);
    assertThat(current.hasCreatedTime()).isTrue();

    GetSecretResponse previous = secrets.getSecret(GetSecretRequest.newBuilder().setName("trading/db-password")
        .setStage(Stage.STAGE_PREVIOUS).build());
    assertThat(previous.getValue().toStringUtf8()).isEqualTo("hunter2");
    GetSecretResponse byVersion = secrets.getSecret(GetSecretRequest.newBuilder().setName("trading/db-password")
        .setVersion(v1.getVersion().getVersion()).build());
    assertThat(byVersion.getValue().toStringUtf8()).isEqualTo("hunter2");

    ListSecretsResponse list = secrets.listSecrets(ListSecretsRequest.newBuilder().setPrefix("trading/").build());
    assertThat(list.getSecretsList()).extracting(s -> s.getName())
        .containsExactly("trading/api-key", "trading/db-password");

    DescribeSecretResponse d = secrets.describeSecret(DescribeSecretRequest.newBuilder()
        .setName("trading/db-password").build());
    assertThat(d.getVersionsList()).hasSize(2);
    assertThat(d.getBackend()).isEqualTo("local");

    secrets.deleteSecret(DeleteSecretRequest.newBuilder().setName("trading/db-password").build());
    assertThat(codeOf(() -> get("trading/db-password"))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void listing_pagesThroughEveryName() {
    for (int i = 0; i < 7; i++) {
      put("p/s" + i, "v");
    }
    ListSecretsResponse first = secrets.listSecrets(ListSecretsRequest.newBuilder().setPrefix("p/")
        .setPage(PageRequest.newBuilder().setPageSize(3)).build());
    assertThat(first.getSecretsCount()).isEqualTo(3);
    assertThat(first.getNextPageToken()).isNotEmpty();
    int seen = first.getSecretsCount();
    String token = first.getNextPageToken();
    while (!token.isEmpty()) {
      ListSecretsResponse next = secrets.listSecrets(ListSecretsRequest.newBuilder().setPrefix("p/")
          .setPage(PageRequest.newBuilder().setPageSize(3).setPageToken(token)).build());
      seen += next.getSecretsCount();
      token = next.getNextPageToken();
    }
    assertThat(seen).isEqualTo(7);
  }

  @Test
  void restart_keepsEverySecret() throws Exception {
    put("keep/me", "still-here");
    broker.restart();
    secrets = broker.secrets(broker.rootToken());
    assertThat(get("keep/me").getValue().toStringUtf8()).isEqualTo("still-here");
  }

  @Test
  void badInputs_getPreciseStatusesAndWriteNothing() {
    StatusRuntimeException badName = failure(() -> get("bad name"));
    assertThat(badName.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(badName.getStatus().getDescription()).startsWith("name: ").contains("position 3");
    assertThat(failure(() -> get("a//b")).getStatus().getDescription()).contains("empty segment");
    assertThat(failure(() -> get("a/../b")).getStatus().getDescription()).contains("'..'");
    assertThat(failure(() -> get("")).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure(() -> get("x".repeat(513))).getStatus().getDescription()).contains("512 bytes");

    StatusRuntimeException tooBig = failure(() -> secrets.putSecret(PutSecretRequest.newBuilder().setName("big")
        .setValue(ByteString.copyFrom(new byte[64 * 1024 + 1])).build()));
    assertThat(tooBig.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(tooBig.getStatus().getDescription()).startsWith("value: ").contains("65536");
    assertThat(codeOf(() -> get("big"))).isEqualTo(Status.Code.NOT_FOUND);

    assertThat(failure(() -> get("nope")).getStatus().getDescription()).contains("'nope'").contains("not found");

    PutSecretResponse v1 = put("cas", "one");
    put("cas", "two");
    StatusRuntimeException cas = failure(() -> secrets.putSecret(PutSecretRequest.newBuilder().setName("cas")
        .setValue(ByteString.copyFromUtf8("three")).setExpectedCurrentVersion(v1.getVersion().getVersion()).build()));
    assertThat(cas.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(get("cas").getValue().toStringUtf8()).isEqualTo("two");
    assertThat(codeOf(() -> secrets.putSecret(PutSecretRequest.newBuilder().setName("cas")
        .setValue(ByteString.copyFromUtf8("x")).setExpectedCurrentVersion("").build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);

    assertThat(failure(() -> secrets.listSecrets(ListSecretsRequest.newBuilder()
        .setPage(PageRequest.newBuilder().setPageToken("garbage!")).build())).getStatus().getDescription())
        .startsWith("page.page_token");
    assertThat(codeOf(() -> secrets.getSecret(GetSecretRequest.newBuilder().setName("cas").setVersion("99")
        .build()))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(() -> secrets.batchGetSecrets(BatchGetSecretsRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void batchGet_reportsEachItemOnItsOwn() {
    put("b/one", "1");
    var resp = secrets.batchGetSecrets(BatchGetSecretsRequest.newBuilder()
        .addRequests(GetSecretRequest.newBuilder().setName("b/one"))
        .addRequests(GetSecretRequest.newBuilder().setName("b/missing"))
        .addRequests(GetSecretRequest.newBuilder().setName("bad name")).build());
    assertThat(resp.getResults(0).getSecret().getValue().toStringUtf8()).isEqualTo("1");
    assertThat(resp.getResults(1).getError().getCode()).isEqualTo("NOT_FOUND");
    assertThat(resp.getResults(2).getError().getCode()).isEqualTo("INVALID_ARGUMENT");
  }

  @Test
  void noOrBadCredentials_areUnauthenticated() {
    assertThat(codeOf(() -> broker.secretsAnonymous().getSecret(GetSecretRequest.newBuilder().setName("x").build())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(codeOf(() -> broker.secrets("sbt_not-a-real-token").getSecret(GetSecretRequest.newBuilder()
        .setName("x").build()))).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void metrics_showCountersMoving() throws Exception {
    put("m/one", "1");
    get("m/one");
    get("m/one");
    String text = broker.scrapeMetrics();
    assertThat(text).contains("secrets_accessed_total{backend=\"local\",secret_name=\"m/one\"} 2.0");
    assertThat(text).contains("secrets_cache_hits_total 1.0");
    assertThat(text).contains("secrets_cache_misses_total 1.0");
    assertThat(text).contains("secret_access_latency_seconds_bucket{backend=\"local\"");
    assertThat(text).doesNotContain("hunter");
  }

  @Test
  void valuesAreBinarySafe() {
    byte[] bin = new byte[] {0, 1, (byte) 0xff, 10, 13, 0};
    secrets.putSecret(PutSecretRequest.newBuilder().setName("bin").setValue(ByteString.copyFrom(bin)).build());
    assertThat(get("bin").getValue().toByteArray()).isEqualTo(bin);
    assertThat(new String(get("bin").getValue().toByteArray(), UTF_8)).hasSize(6);
  }
}
