package io.secretsbroker.backend.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.DestroySecretVersionRequest;
import com.google.cloud.secretmanager.v1.DisableSecretVersionRequest;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsRequest;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.ListSecretsResponse;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc.SecretManagerServiceBlockingStub;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.cloud.secretmanager.v1.UpdateSecretRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Proves the fake is strict: it rejects what GCP rejects, with GCP's codes, over a real gRPC connection. */
class FakeSecretManagerIT {
  private static final String PROJECT = "projects/" + FakeSecretManagerServer.PROJECT_ID;
  private static final Replication AUTOMATIC =
      Replication.newBuilder().setAutomatic(Replication.Automatic.getDefaultInstance()).build();

  private static FakeSecretManagerServer server;
  private static ManagedChannel channel;
  private static SecretManagerServiceBlockingStub gcp;
  private String id;

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
  void freshId() {
    id = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  private Secret create(String secretId) {
    return gcp.createSecret(CreateSecretRequest.newBuilder().setParent(PROJECT).setSecretId(secretId)
        .setSecret(Secret.newBuilder().setReplication(AUTOMATIC)).build());
  }

  private String name(String secretId) {
    return PROJECT + "/secrets/" + secretId;
  }

  private SecretVersion add(String secretId, String data) {
    return gcp.addSecretVersion(AddSecretVersionRequest.newBuilder().setParent(name(secretId))
        .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFromUtf8(data))).build());
  }

  private static Status.Code codeOf(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(StatusRuntimeException.class);
    try {
      call.call();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
    throw new AssertionError("unreachable");
  }

  // ---- names and ids ----------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "a.b", "a b", "ü"})
  void createSecret_withIdOutsideGcpsCharset_isInvalidArgument(String badId) {
    assertThat(codeOf(() -> create(badId))).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void createSecret_withEmptyOrOverlongId_isInvalidArgument() {
    assertThat(codeOf(() -> create(""))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> create("a".repeat(256)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(create("a" + id + "x".repeat(255 - 1 - id.length())).getName()).endsWith("x");
  }

  @Test
  void malformedResourceNames_areInvalidArgument() {
    assertThat(codeOf(() -> gcp.createSecret(CreateSecretRequest.newBuilder().setParent("project/x")
        .setSecretId(id).setSecret(Secret.newBuilder().setReplication(AUTOMATIC)).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> gcp.getSecret(GetSecretRequest.newBuilder().setName(PROJECT + "/secret/" + id).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    create(id);
    add(id, "v");
    for (String version : List.of("", "0", "-1", "1.0")) {
      assertThat(codeOf(() -> gcp.accessSecretVersion(AccessSecretVersionRequest.newBuilder()
          .setName(name(id) + "/versions/" + version).build()))).as(version).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
    assertThat(codeOf(() -> gcp.accessSecretVersion(AccessSecretVersionRequest.newBuilder()
        .setName(name(id)).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void anotherProject_isPermissionDenied() {
    assertThat(codeOf(() -> gcp.getSecret(GetSecretRequest.newBuilder()
        .setName("projects/someone-else/secrets/" + id).build()))).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void resourceNames_comeBackWithTheProjectNumber_andTheNumberIsAccepted() {
    Secret s = create(id);
    assertThat(s.getName()).isEqualTo("projects/" + FakeSecretManagerServer.PROJECT_NUMBER + "/secrets/" + id);
    assertThat(gcp.getSecret(GetSecretRequest.newBuilder().setName(s.getName()).build()).getName())
        .isEqualTo(s.getName());
  }

  // ---- secrets ----------------------------------------------------------------------------------------

  @Test
  void createSecret_withoutReplication_isInvalidArgument() {
    assertThat(codeOf(() -> gcp.createSecret(CreateSecretRequest.newBuilder().setParent(PROJECT).setSecretId(id)
        .setSecret(Secret.getDefaultInstance()).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void createSecret_twice_isAlreadyExists() {
    create(id);
    assertThat(codeOf(() -> create(id))).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void labelsAndAnnotations_breakingGcpsRules_areInvalidArgument() {
    for (Secret.Builder bad : List.of(
        Secret.newBuilder().putLabels("Upper", "x"),
        Secret.newBuilder().putLabels("ok", "Upper"),
        Secret.newBuilder().putAnnotations("-starts-with-dash", "x"),
        Secret.newBuilder().putAnnotations("big", "x".repeat(16 * 1024)))) {
      assertThat(codeOf(() -> gcp.createSecret(CreateSecretRequest.newBuilder().setParent(PROJECT).setSecretId(id)
          .setSecret(bad.setReplication(AUTOMATIC)).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void updateSecret_needsAFieldMaskOfUpdatablePaths() {
    Secret s = create(id);
    Secret change = Secret.newBuilder().setName(s.getName()).putAnnotations("k", "v").build();
    assertThat(codeOf(() -> gcp.updateSecret(UpdateSecretRequest.newBuilder().setSecret(change).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    for (String path : List.of("name", "replication", "create_time", "annotation")) {
      assertThat(codeOf(() -> gcp.updateSecret(UpdateSecretRequest.newBuilder().setSecret(change)
          .setUpdateMask(FieldMask.newBuilder().addPaths(path)).build()))).as(path)
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void updateSecret_withStaleEtag_isFailedPrecondition_andChangesNothing() {
    Secret s = create(id);
    FieldMask annotations = FieldMask.newBuilder().addPaths("annotations").build();
    Secret first = gcp.updateSecret(UpdateSecretRequest.newBuilder().setUpdateMask(annotations)
        .setSecret(Secret.newBuilder().setName(s.getName()).setEtag(s.getEtag()).putAnnotations("k", "1")).build());
    assertThat(first.getEtag()).isNotEqualTo(s.getEtag()).startsWith("\"").endsWith("\"");

    assertThat(codeOf(() -> gcp.updateSecret(UpdateSecretRequest.newBuilder().setUpdateMask(annotations)
        .setSecret(Secret.newBuilder().setName(s.getName()).setEtag(s.getEtag()).putAnnotations("k", "2")).build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(gcp.getSecret(GetSecretRequest.newBuilder().setName(s.getName()).build()).getAnnotationsMap())
        .containsEntry("k", "1");
  }

  @Test
  void updateSecret_replacesOnlyTheMaskedFields() {
    Secret s = gcp.createSecret(CreateSecretRequest.newBuilder().setParent(PROJECT).setSecretId(id)
        .setSecret(Secret.newBuilder().setReplication(AUTOMATIC).putLabels("team", "a").putAnnotations("old", "x"))
        .build());
    Secret updated = gcp.updateSecret(UpdateSecretRequest.newBuilder()
        .setUpdateMask(FieldMask.newBuilder().addPaths("annotations"))
        .setSecret(Secret.newBuilder().setName(s.getName()).putAnnotations("new", "y").putLabels("ignored", "z"))
        .build());
    assertThat(updated.getAnnotationsMap()).containsOnlyKeys("new");
    assertThat(updated.getLabelsMap()).containsOnlyKeys("team");
  }

  @Test
  void addingAVersion_doesNotChangeTheSecretsEtag() {
    Secret s = create(id);
    add(id, "v1");
    assertThat(gcp.getSecret(GetSecretRequest.newBuilder().setName(name(id)).build()).getEtag())
        .isEqualTo(s.getEtag());
  }

  @Test
  void deleteSecret_ofUnknown_isNotFound_andWithStaleEtag_isFailedPrecondition() {
    assertThat(codeOf(() -> gcp.deleteSecret(DeleteSecretRequest.newBuilder().setName(name(id)).build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    create(id);
    assertThat(codeOf(() -> gcp.deleteSecret(DeleteSecretRequest.newBuilder().setName(name(id))
        .setEtag("\"stale\"").build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  // ---- versions ---------------------------------------------------------------------------------------

  @Test
  void addVersion_toUnknownSecret_isNotFound() {
    assertThat(codeOf(() -> add(id, "v"))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void payloadOverSixtyFourKiB_isInvalidArgument_andExactlySixtyFourKiB_isStored() {
    create(id);
    ByteString max = ByteString.copyFrom(new byte[64 * 1024]);
    ByteString over = ByteString.copyFrom(new byte[64 * 1024 + 1]);
    assertThat(codeOf(() -> gcp.addSecretVersion(AddSecretVersionRequest.newBuilder().setParent(name(id))
        .setPayload(SecretPayload.newBuilder().setData(over)).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(gcp.addSecretVersion(AddSecretVersionRequest.newBuilder().setParent(name(id))
        .setPayload(SecretPayload.newBuilder().setData(max)).build()).getName()).endsWith("/versions/1");
  }

  @Test
  void payloadWithWrongCrc32c_isInvalidArgument_andWithRightOne_isMarkedChecked() {
    create(id);
    ByteString data = ByteString.copyFromUtf8("hunter2");
    CRC32C crc = new CRC32C();
    crc.update(data.toByteArray());
    assertThat(codeOf(() -> gcp.addSecretVersion(AddSecretVersionRequest.newBuilder().setParent(name(id))
        .setPayload(SecretPayload.newBuilder().setData(data).setDataCrc32C(crc.getValue() + 1)).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    SecretVersion v = gcp.addSecretVersion(AddSecretVersionRequest.newBuilder().setParent(name(id))
        .setPayload(SecretPayload.newBuilder().setData(data).setDataCrc32C(crc.getValue())).build());
    assertThat(v.getClientSpecifiedPayloadChecksum()).isTrue();
    assertThat(gcp.accessSecretVersion(AccessSecretVersionRequest.newBuilder().setName(v.getName()).build())
        .getPayload().getDataCrc32C()).isEqualTo(crc.getValue());
  }

  @Test
  void versions_areNumberedFromOne_andLatestIsTheNewest() {
    create(id);
    assertThat(add(id, "a").getName()).endsWith("/versions/1");
    assertThat(add(id, "b").getName()).endsWith("/versions/2");
    assertThat(gcp.accessSecretVersion(AccessSecretVersionRequest.newBuilder()
        .setName(name(id) + "/versions/latest").build()).getPayload().getData().toStringUtf8()).isEqualTo("b");
    assertThat(codeOf(() -> gcp.accessSecretVersion(AccessSecretVersionRequest.newBuilder()
        .setName(name(id) + "/versions/3").build()))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(() -> gcp.accessSecretVersion(AccessSecretVersionRequest.newBuilder()
        .setName(name(id) + "/versions/noSuchAlias").build()))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void disabledAndDestroyedVersions_cannotBeAccessed() {
    create(id);
    SecretVersion v1 = add(id, "a");
    SecretVersion v2 = add(id, "b");
    gcp.disableSecretVersion(DisableSecretVersionRequest.newBuilder().setName(v1.getName()).build());
    SecretVersion destroyed =
        gcp.destroySecretVersion(DestroySecretVersionRequest.newBuilder().setName(v2.getName()).build());

    assertThat(destroyed.getState()).isEqualTo(SecretVersion.State.DESTROYED);
    assertThat(destroyed.hasDestroyTime()).isTrue();
    for (SecretVersion v : List.of(v1, v2)) {
      assertThat(codeOf(() -> gcp.accessSecretVersion(AccessSecretVersionRequest.newBuilder()
          .setName(v.getName()).build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    }
    assertThat(codeOf(() -> gcp.disableSecretVersion(DisableSecretVersionRequest.newBuilder()
        .setName(v2.getName()).build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void listSecretVersions_isNewestFirst_andRejectsFiltersItDoesNotKnow() {
    create(id);
    add(id, "a");
    add(id, "b");
    assertThat(gcp.listSecretVersions(ListSecretVersionsRequest.newBuilder().setParent(name(id)).build())
        .getVersionsList()).extracting(SecretVersion::getName)
        .containsExactly(name2(id) + "/versions/2", name2(id) + "/versions/1");
    assertThat(codeOf(() -> gcp.listSecretVersions(ListSecretVersionsRequest.newBuilder().setParent(name(id))
        .setFilter("state:ENABLED").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  private static String name2(String secretId) {
    return "projects/" + FakeSecretManagerServer.PROJECT_NUMBER + "/secrets/" + secretId;
  }

  // ---- listing ----------------------------------------------------------------------------------------

  @Test
  void listSecrets_pagesWithItsOwnTokens_andRejectsOthers() {
    for (String suffix : List.of("c", "a", "b")) {
      gcp.createSecret(CreateSecretRequest.newBuilder().setParent(PROJECT).setSecretId(id + suffix)
          .setSecret(Secret.newBuilder().setReplication(AUTOMATIC).putLabels("run", id)).build());
    }
    String filter = "labels.run=" + id;
    List<String> seen = new ArrayList<>();
    ListSecretsResponse page = gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT)
        .setFilter(filter).setPageSize(2).build());
    page.getSecretsList().forEach(s -> seen.add(s.getName()));
    assertThat(page.getNextPageToken()).isNotEmpty();
    String token = page.getNextPageToken();
    page = gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT).setFilter(filter).setPageSize(2)
        .setPageToken(token).build());
    page.getSecretsList().forEach(s -> seen.add(s.getName()));
    assertThat(page.getNextPageToken()).isEmpty();
    assertThat(seen).containsExactly(name2(id + "c"), name2(id + "a"), name2(id + "b"));

    assertThat(codeOf(() -> gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT)
        .setFilter("labels.run=other").setPageToken(token).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT)
        .setPageToken("garbage").build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(() -> gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT)
        .setPageSize(-1).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void listSecrets_filtersByLabelAndNameSubstring_andRejectsFiltersItDoesNotKnow() {
    gcp.createSecret(CreateSecretRequest.newBuilder().setParent(PROJECT).setSecretId(id + "-one")
        .setSecret(Secret.newBuilder().setReplication(AUTOMATIC).putLabels("run", id)).build());
    gcp.createSecret(CreateSecretRequest.newBuilder().setParent(PROJECT).setSecretId(id + "-two")
        .setSecret(Secret.newBuilder().setReplication(AUTOMATIC)).build());

    assertThat(gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT)
        .setFilter("labels.run=" + id + " AND name:\"" + id + "\"").build()).getSecretsList())
        .extracting(Secret::getName).containsExactly(name2(id + "-one"));
    assertThat(gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT)
        .setFilter("name:" + id).build()).getSecretsList()).hasSize(2);
    for (String bad : List.of("name ~ \"x.*\"", "labels.run=" + id + " AND", "create_time<2021-01-01", "nonsense")) {
      assertThat(codeOf(() -> gcp.listSecrets(ListSecretsRequest.newBuilder().setParent(PROJECT)
          .setFilter(bad).build()))).as(bad).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void regionalSecrets_areNotModelled() {
    assertThat(codeOf(() -> gcp.getSecret(GetSecretRequest.newBuilder()
        .setName(PROJECT + "/locations/us-east1/secrets/" + id).build()))).isEqualTo(Status.Code.UNIMPLEMENTED);
  }
}
