package io.secretsbroker.backend.aws;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.SecretBackend;

/**
 * Creates AWS Secrets Manager backends ({@code backend.type: aws}). Found through {@link java.util.ServiceLoader}.
 *
 * <p>Credentials come from the AWS SDK's default chain (system properties, environment, web identity, profile,
 * container or instance role); the config never holds them. See {@code docs/backends/aws.md} for the settings.
 */
public final class AwsBackendProvider implements BackendProvider {

  @Override
  public String kind() {
    return AwsBackend.KIND;
  }

  /**
   * Builds a backend for one mount. Makes no call to AWS: a wrong region or missing credentials show on the first
   * request, as {@code PERMISSION_DENIED} or {@code UNAVAILABLE}.
   *
   * @throws io.secretsbroker.spi.ConfigException naming the key path of a missing, unknown or invalid setting
   */
  @Override
  public SecretBackend create(BackendContext context) {
    return AwsBackend.connect(AwsConfig.from(context.settings()), context.clock());
  }
}
