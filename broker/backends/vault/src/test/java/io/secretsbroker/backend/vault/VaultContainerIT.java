package io.secretsbroker.backend.vault;

import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.SecretBackendContract;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.vault.VaultContainer;

/**
 * The shared contract against a real Vault in dev mode (KV v2 at {@code secret/}), where Docker works. Skipped,
 * and reported as skipped, on machines without a Docker engine. No outage case: the container cannot be restarted
 * on the same port. The dev server speaks plain http, which the backend accepts only to a loopback host: a local
 * Docker engine (Testcontainers host {@code localhost}) is assumed.
 */
@Testcontainers(disabledWithoutDocker = true)
class VaultContainerIT extends SecretBackendContract {
  private static final String TOKEN = "root-" + UUID.randomUUID();

  @Container
  private static final VaultContainer<?> VAULT =
      new VaultContainer<>(DockerImageName.parse("hashicorp/vault:1.18.3")).withVaultToken(TOKEN);

  @Override
  protected SecretBackend createBackend() {
    return TestVault.backend(TestVault.tokenSettings(VAULT.getHttpHostAddress()), Map.of("VAULT_TEST_TOKEN", TOKEN),
        Clock.systemUTC());
  }
}
