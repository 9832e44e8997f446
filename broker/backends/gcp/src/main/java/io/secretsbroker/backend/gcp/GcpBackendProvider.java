package io.secretsbroker.backend.gcp;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.SecretBackend;
import java.io.IOException;

/**
 * Builds GCP Secret Manager backends ({@code type: gcp}). Found through {@link java.util.ServiceLoader}.
 *
 * <p>Settings: {@code project} (required), {@code endpoint}, {@code plaintext}, {@code timeout},
 * {@code max-value-bytes} and {@code id-prefix}; see {@code docs/backends/gcp.md}.
 */
public final class GcpBackendProvider implements BackendProvider {

  /** The provider {@link java.util.ServiceLoader} instantiates. */
  public GcpBackendProvider() {}

  @Override
  public String kind() {
    return "gcp";
  }

  /**
   * Builds a backend for one mount.
   *
   * @throws ConfigException naming the key path when a setting is missing, unknown or invalid, or naming the
   *     section when the GCP client cannot be built (no Application Default Credentials)
   */
  @Override
  public SecretBackend create(BackendContext context) {
    GcpConfig config = GcpConfig.from(context.settings());
    try {
      return GcpBackend.open(config, context.clock());
    } catch (IOException e) {
      throw new ConfigException(context.settings().path() + ": cannot build the GCP Secret Manager client"
          + " (are Application Default Credentials available?)", e);
    }
  }
}
