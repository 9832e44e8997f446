package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.proto.v1.AccessSummaryRequest;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.DueRotation;
import io.secretsbroker.proto.v1.Generator;
import io.secretsbroker.proto.v1.GetRotationStatusRequest;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.ListDueRotationsRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.RotateSecretRequest;
import io.secretsbroker.proto.v1.RotateSecretResponse;
import io.secretsbroker.proto.v1.RotationPolicy;
import io.secretsbroker.proto.v1.RotationServiceGrpc;
import io.secretsbroker.proto.v1.RotationServiceGrpc.RotationServiceBlockingStub;
import io.secretsbroker.proto.v1.RotationStatus;
import io.secretsbroker.proto.v1.SecretAccessSummary;
import io.secretsbroker.proto.v1.SecretsServiceGrpc.SecretsServiceBlockingStub;
import io.secretsbroker.proto.v1.SetRotationPolicyRequest;
import io.secretsbroker.proto.v1.Stage;
import io.secretsbroker.testkit.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation end to end: a dev-mode broker (local backend, H2) on a loopback port with a fake clock, driven through
 * the generated stubs; time passes by advancing the clock and the scheduler scans when the test says so.
 */
class RotationIT {
  @TempDir
  Path tmp;
  final FakeClock clock = new FakeClock();
  TestBroker broker;
  SecretsServiceBlockingStub secrets;
  RotationServiceBlockingStub rotation;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start(tmp.resolve("data"), null, clock);
    String token = broker.rootToken();
    secrets = broker.secrets(token);
    rotation = RotationServiceGrpc.newBlockingStub(broker.channel()).withCallCredentials(TestBroker.bearer(token))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private String put(String name, String value) {
    return secrets.putSecret(PutSecretRequest.newBuilder().setName(name).setValue(ByteString.copyFromUtf8(value))
        .build()).getVersion().getVersion();
  }

  private String value(String name, Stage stage) {
    return secrets.getSecret(GetSecretRequest.newBuilder().setName(name).setStage(stage).build()).getValue()
        .toStringUtf8();
  }

  private String version(String name, Stage stage) {
    return secrets.getSecret(GetSecretRequest.newBuilder().setName(name).setStage(stage).build()).getVersion();
  }

  private static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  private static Instant instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).build();
  }

  @Test
  void dueSecret_isRotatedByTheScheduler_andItsPreviousVersionRetiredAfterTheGrace() throws Exception {
    String first = put("app/db", "initial");
    Instant written = clock.instant();
    DescribeSecretResponse before = secrets.describeSecret(DescribeSecretRequest.newBuilder().setName("app/db")
        .build());
    assertThat(before.getRotationPolicy().getInterval().getSeconds()).isEqualTo(Duration.ofDays(90).getSeconds());
    assertThat(before.getRotationPolicy().getGracePeriod().getSeconds()).isEqualTo(Duration.ofHours(24).getSeconds());
    assertThat(before.getRotationPolicy().getGenerator().getKind()).isEqualTo(Generator.Kind.KIND_PASSWORD);
    assertThat(instant(before.getNextRotationTime())).isEqualTo(written.plus(Duration.ofDays(90)));
    assertThat(before.hasLastRotatedTime()).isFalse();

    clock.advance(Duration.ofDays(91));
    assertThat(rotation.listDueRotations(ListDueRotationsRequest.getDefaultInstance()).getDueList())
        .extracting(DueRotation::getName, DueRotation::getOverdue, DueRotation::getAgeDays)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app/db", true, 91L));
    broker.server().rotationScheduler().runOnce();

    String second = version("app/db", Stage.STAGE_CURRENT);
    assertThat(second).isNotEqualTo(first);
    assertThat(value("app/db", Stage.STAGE_CURRENT)).hasSize(32).isNotEqualTo("initial");
    assertThat(version("app/db", Stage.STAGE_PREVIOUS)).isEqualTo(first);
    assertThat(value("app/db", Stage.STAGE_PREVIOUS)).isEqualTo("initial");
    RotationStatus status = rotation.getRotationStatus(GetRotationStatusRequest.newBuilder().setName("app/db")
        .build());
    assertThat(status.getState()).isEqualTo("idle");
    assertThat(status.getLastError()).isEmpty();
    assertThat(instant(status.getLastRotatedTime())).isEqualTo(clock.instant());
    assertThat(instant(status.getNextRotationTime())).isEqualTo(clock.instant().plus(Duration.ofDays(90)));
    assertThat(secrets.describeSecret(DescribeSecretRequest.newBuilder().setName("app/db").build())
        .hasLastRotatedTime()).isTrue();
    assertThat(rotation.listDueRotations(ListDueRotationsRequest.getDefaultInstance()).getDueCount()).isZero();

    clock.advance(Duration.ofHours(23));
    broker.server().rotationScheduler().runOnce();
    assertThat(value("app/db", Stage.STAGE_PREVIOUS)).isEqualTo("initial");

    clock.advance(Duration.ofHours(1));
    broker.server().rotationScheduler().runOnce();
    assertThat(failure(() -> value("app/db", Stage.STAGE_PREVIOUS)).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(value("app/db", Stage.STAGE_CURRENT)).hasSize(32);

    assertThat(broker.scrapeMetrics()).contains("secrets_rotated_total{backend=\"local\"} 1.0")
        .contains("secrets_rotation_overdue 0.0");
    assertThat(broker.audit(broker.rootToken()).queryAuditLog(QueryAuditLogRequest.newBuilder()
        .setPrincipal("system:rotation-scheduler").build()).getRecordsList())
        .extracting(AuditRecord::getName, AuditRecord::getVersion, AuditRecord::getOutcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app/db", second, "OK"));
  }

  @Test
  void rotateSecret_onDemand_withAnExternalGenerator_needsAndPromotesTheSuppliedValue() {
    String first = put("app/api-key", "issued-by-vendor-1");
    RotationStatus set = rotation.setRotationPolicy(SetRotationPolicyRequest.newBuilder().setName("app/api-key")
        .setPolicy(RotationPolicy.newBuilder().setGenerator(Generator.newBuilder()
            .setKind(Generator.Kind.KIND_EXTERNAL)))
        .build());
    assertThat(set.getPolicy().getGenerator().getKind()).isEqualTo(Generator.Kind.KIND_EXTERNAL);
    assertThat(set.getPolicy().getInterval().getSeconds()).isEqualTo(Duration.ofDays(90).getSeconds());

    StatusRuntimeException noValue = failure(() -> rotation.rotateSecret(RotateSecretRequest.newBuilder()
        .setName("app/api-key").build()));
    assertThat(noValue.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(noValue.getStatus().getDescription()).contains("external generator requires RotateSecret.value");

    RotateSecretResponse r = rotation.rotateSecret(RotateSecretRequest.newBuilder().setName("app/api-key")
        .setValue(ByteString.copyFromUtf8("issued-by-vendor-2")).build());

    assertThat(r.getPreviousVersion()).isEqualTo(first);
    assertThat(version("app/api-key", Stage.STAGE_CURRENT)).isEqualTo(r.getNewVersion());
    assertThat(value("app/api-key", Stage.STAGE_CURRENT)).isEqualTo("issued-by-vendor-2");
    assertThat(value("app/api-key", Stage.STAGE_PREVIOUS)).isEqualTo("issued-by-vendor-1");

    clock.advance(Duration.ofDays(100));
    broker.server().rotationScheduler().runOnce();
    assertThat(value("app/api-key", Stage.STAGE_CURRENT)).isEqualTo("issued-by-vendor-2");
    assertThat(rotation.listDueRotations(ListDueRotationsRequest.getDefaultInstance()).getDueList())
        .extracting(DueRotation::getName).containsExactly("app/api-key");
  }

  @Test
  void accessSummary_judgesRotationDueByEachSecretsOwnInterval() throws Exception {
    put("app/short", "x");
    put("app/long", "x");
    rotation.setRotationPolicy(SetRotationPolicyRequest.newBuilder().setName("app/short")
        .setPolicy(RotationPolicy.newBuilder().setInterval(duration(Duration.ofDays(1)))).build());
    clock.advance(Duration.ofDays(2));

    assertThat(broker.audit(broker.rootToken()).accessSummary(AccessSummaryRequest.newBuilder().setPrefix("app/")
        .build()).getSecretsList())
        .extracting(SecretAccessSummary::getName, SecretAccessSummary::getRotationDue)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app/long", false),
            org.assertj.core.groups.Tuple.tuple("app/short", true));
  }

  @Test
  void setRotationPolicy_rejectsBadFields_namingThem() {
    put("app/db", "initial");
    StatusRuntimeException shortInterval = failure(() -> rotation.setRotationPolicy(SetRotationPolicyRequest
        .newBuilder().setName("app/db").setPolicy(RotationPolicy.newBuilder()
            .setInterval(duration(Duration.ofMinutes(30)))).build()));
    assertThat(shortInterval.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(shortInterval.getStatus().getDescription()).isEqualTo("policy.interval: must be at least 1h, was 30m");

    StatusRuntimeException badClass = failure(() -> rotation.setRotationPolicy(SetRotationPolicyRequest.newBuilder()
        .setName("app/db").setPolicy(RotationPolicy.newBuilder().setGenerator(Generator.newBuilder()
            .setKind(Generator.Kind.KIND_PASSWORD).addCharacterClasses("lower").addCharacterClasses("emoji")))
        .build()));
    assertThat(badClass.getStatus().getDescription())
        .startsWith("policy.generator.character_classes[1]: unknown character class 'emoji'");

    assertThat(failure(() -> rotation.setRotationPolicy(SetRotationPolicyRequest.newBuilder().setName("nope")
        .build())).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

    RotationStatus ok = rotation.setRotationPolicy(SetRotationPolicyRequest.newBuilder().setName("app/db")
        .setPolicy(RotationPolicy.newBuilder().setInterval(duration(Duration.ofDays(7)))
            .setGenerator(Generator.newBuilder().setKind(Generator.Kind.KIND_RANDOM_BYTES).setLength(48)))
        .build());
    assertThat(ok.getPolicy().getInterval().getSeconds()).isEqualTo(Duration.ofDays(7).getSeconds());
    assertThat(ok.getPolicy().getGracePeriod().getSeconds()).isEqualTo(Duration.ofHours(24).getSeconds());

    RotateSecretResponse r = rotation.rotateSecret(RotateSecretRequest.newBuilder().setName("app/db").build());
    assertThat(java.util.Base64.getDecoder().decode(value("app/db", Stage.STAGE_CURRENT))).hasSize(48);
    assertThat(r.getNewVersion()).isEqualTo(version("app/db", Stage.STAGE_CURRENT));
  }
}
