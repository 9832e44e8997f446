package io.secretsbroker.backend.vault;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.SecretBackend;

/**
 * Creates {@code vault} backends: secrets in a HashiCorp Vault KV version 2 mount. Found through
 * {@link java.util.ServiceLoader}; see {@code docs/backends/vault.md} for the settings.
 */
public final class VaultBackendProvider implements BackendProvider {

  @Override
  public String kind() {
    return "vault";
  }

  /**
   * Builds a backend from {@code context.settings()}; reads credentials from the environment variables and files
   * the settings name, never from the settings themselves. Makes no network call.
   *
   * @throws io.secretsbroker.spi.ConfigException naming the key path of a missing, unknown or invalid setting
   */
  @Override
  public SecretBackend create(BackendContext context) {
    VaultConfig config = VaultConfig.parse(context.settings(), System::getenv);
    return new VaultBackend(config, context.clock(), System::getenv);
  }
}
