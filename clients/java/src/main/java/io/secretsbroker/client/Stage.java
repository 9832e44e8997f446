package io.secretsbroker.client;

/** A moving label on one version of a secret; at most one version of a secret holds each stage at a time. */
public enum Stage {
  /** The version served by default. */
  CURRENT,
  /** The version that was current before the last write or rotation, readable during the grace period. */
  PREVIOUS,
  /** A version created by a rotation that has not been promoted yet. */
  PENDING;

  io.secretsbroker.proto.v1.Stage toProto() {
    return switch (this) {
      case CURRENT -> io.secretsbroker.proto.v1.Stage.STAGE_CURRENT;
      case PREVIOUS -> io.secretsbroker.proto.v1.Stage.STAGE_PREVIOUS;
      case PENDING -> io.secretsbroker.proto.v1.Stage.STAGE_PENDING;
    };
  }

  /** The SDK stage of a wire stage, or {@code null} for unspecified or unknown values. */
  static Stage fromProto(io.secretsbroker.proto.v1.Stage stage) {
    return switch (stage) {
      case STAGE_CURRENT -> CURRENT;
      case STAGE_PREVIOUS -> PREVIOUS;
      case STAGE_PENDING -> PENDING;
      default -> null;
    };
  }
}
