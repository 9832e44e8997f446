package io.secretsbroker.client;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.VersionInfo;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Conversions between wire messages and SDK types. */
final class Protos {
  private Protos() {}

  static Instant instant(boolean present, Timestamp timestamp) {
    return present ? Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()) : null;
  }

  static java.time.Duration duration(Duration duration) {
    return java.time.Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }

  static Duration duration(java.time.Duration duration) {
    return Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
  }

  static Set<Stage> stages(List<io.secretsbroker.proto.v1.Stage> stages) {
    Set<Stage> result = EnumSet.noneOf(Stage.class);
    for (io.secretsbroker.proto.v1.Stage stage : stages) {
      Stage sdk = Stage.fromProto(stage);
      if (sdk != null) {
        result.add(sdk);
      }
    }
    return result;
  }

  static Secret secret(GetSecretResponse response) {
    return Secret.of(
        response.getName(),
        response.getValue().toByteArray(),
        response.getVersion(),
        stages(response.getStagesList()),
        response.hasCreatedTime() ? instant(true, response.getCreatedTime()) : Instant.EPOCH,
        duration(response.getCacheTtl()));
  }

  static VersionMetadata version(VersionInfo info) {
    return new VersionMetadata(
        info.getVersion(),
        stages(info.getStagesList()),
        instant(info.hasCreatedTime(), info.getCreatedTime()),
        info.getRevoked());
  }

  static SecretDescription description(DescribeSecretResponse r) {
    return new SecretDescription(
        r.getName(),
        r.getMount(),
        r.getBackend(),
        r.getVersionsList().stream().map(Protos::version).toList(),
        instant(r.hasCreatedTime(), r.getCreatedTime()),
        instant(r.hasUpdatedTime(), r.getUpdatedTime()),
        r.getRotationPolicy(),
        instant(r.hasLastRotatedTime(), r.getLastRotatedTime()),
        instant(r.hasNextRotationTime(), r.getNextRotationTime()));
  }

  static SecretEvent event(io.secretsbroker.proto.v1.SecretEvent e) {
    SecretEvent.Type type = switch (e.getType()) {
      case TYPE_UPDATED -> SecretEvent.Type.UPDATED;
      case TYPE_ROTATED -> SecretEvent.Type.ROTATED;
      case TYPE_REVOKED -> SecretEvent.Type.REVOKED;
      case TYPE_DELETED -> SecretEvent.Type.DELETED;
      default -> null;
    };
    return type == null
        ? null
        : new SecretEvent(e.getEventId(), type, e.getName(), e.getVersion(), instant(e.hasTime(), e.getTime()));
  }
}
