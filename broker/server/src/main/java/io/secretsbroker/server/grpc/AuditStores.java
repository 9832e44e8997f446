package io.secretsbroker.server.grpc;

import io.secretsbroker.audit.Anchor;
import io.secretsbroker.audit.ArchiveStore;
import io.secretsbroker.audit.DirectoryAnchor;
import io.secretsbroker.audit.DirectoryArchive;
import io.secretsbroker.audit.s3.S3Location;
import io.secretsbroker.audit.s3.S3Stores;
import io.secretsbroker.spi.ConfigException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the audit anchor and archive named by a config location: a directory, or {@code s3://bucket/prefix} (the
 * SDK's default credentials and region chains; {@code SECRETS_BROKER_AUDIT_S3_ENDPOINT} and {@code AWS_REGION} from
 * {@code env}). The S3 stores own a client: close them with the broker.
 */
final class AuditStores {
  private AuditStores() {}

  /**
   * The anchor at {@code location}.
   *
   * @throws ConfigException naming {@code audit.anchor} when the S3 location or its environment is not usable
   */
  static Anchor anchor(String location, Map<String, String> env) {
    if (!S3Location.isS3(location)) {
      return new DirectoryAnchor(Path.of(location));
    }
    try {
      return S3Stores.anchor(location, env);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("audit.anchor: " + e.getMessage(), e);
    }
  }

  /**
   * The archive at {@code location}.
   *
   * @throws ConfigException naming {@code audit.archive} when the S3 location or its environment is not usable
   */
  static ArchiveStore archive(String location, Map<String, String> env) {
    if (!S3Location.isS3(location)) {
      return new DirectoryArchive(Path.of(location));
    }
    try {
      return S3Stores.archive(location, env);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("audit.archive: " + e.getMessage(), e);
    }
  }
}
