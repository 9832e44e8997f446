package io.secretsbroker.server.grpc;

import com.google.protobuf.Timestamp;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import java.time.Duration;
import java.time.Instant;

/** Conversions between the proto messages and the core's types. */
final class Protos {
  private Protos() {}

  static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  static io.secretsbroker.proto.v1.Stage stage(Stage s) {
    return switch (s) {
      case CURRENT -> io.secretsbroker.proto.v1.Stage.STAGE_CURRENT;
      case PREVIOUS -> io.secretsbroker.proto.v1.Stage.STAGE_PREVIOUS;
      case PENDING -> io.secretsbroker.proto.v1.Stage.STAGE_PENDING;
    };
  }

  static Stage stage(io.secretsbroker.proto.v1.Stage s, String field) {
    return switch (s) {
      case STAGE_UNSPECIFIED, STAGE_CURRENT -> Stage.CURRENT;
      case STAGE_PREVIOUS -> Stage.PREVIOUS;
      case STAGE_PENDING -> Stage.PENDING;
      default -> throw BrokerException.invalid(field, "unknown stage value " + s.getNumber());
    };
  }

  static io.secretsbroker.proto.v1.VersionInfo version(VersionInfo v, boolean revoked) {
    io.secretsbroker.proto.v1.VersionInfo.Builder b = io.secretsbroker.proto.v1.VersionInfo.newBuilder()
        .setVersion(v.version()).setCreatedTime(ts(v.createdAt())).setRevoked(revoked);
    v.stages().stream().sorted().forEach(s -> b.addStages(stage(s)));
    return b.build();
  }

  /** The core's page request from the proto's, validating the size. */
  static PageRequest page(io.secretsbroker.proto.v1.PageRequest p) {
    int size = p.getPageSize();
    if (size < 0 || size > PageRequest.MAX_SIZE) {
      throw BrokerException.invalid("page.page_size", "must be between 0 and " + PageRequest.MAX_SIZE);
    }
    return new PageRequest(size == 0 ? PageRequest.DEFAULT_SIZE : size, p.getPageToken());
  }
}
