package io.secretsbroker.server.grpc;

import io.secretsbroker.audit.Anchor;
import io.secretsbroker.audit.DirectoryAnchor;
import io.secretsbroker.spi.ConfigException;
import java.nio.file.Path;

/** Builds the audit anchor (and archive) named by a config location: a directory or {@code s3://bucket/prefix}. */
final class AuditStores {
  private AuditStores() {}

  static Anchor anchor(String location) {
    if (location.startsWith("s3://")) {
      throw new ConfigException("audit.anchor: s3:// anchors are not supported by this build");
    }
    return new DirectoryAnchor(Path.of(location));
  }
}
