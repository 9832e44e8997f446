package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultBackendProviderTest {
  @TempDir
  Path dir;

  private static BackendProvider provider() {
    return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.kind().equals("vault")).findFirst().orElseThrow();
  }

  private static BackendContext context(Map<String, Object> settings) {
    return new BackendContext("apps/", new Settings("mounts[0].backend", settings), null, null, Clock.systemUTC());
  }

  @Test
  void serviceLoader_findsTheVaultProvider() {
    assertThat(provider()).isInstanceOf(VaultBackendProvider.class);
  }

  @Test
  void create_buildsABackend_withoutContactingVault() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "hvs.x");
    try (SecretBackend backend = provider().create(context(Map.of("type", "vault",
        "address", "http://127.0.0.1:1", "auth", Map.of("method", "token", "token-file", token.toString()))))) {
      assertThat(backend.kind()).isEqualTo("vault");
      assertThat(backend.capabilities()).containsExactlyInAnyOrder(Capability.VERSIONING, Capability.STAGE_LABELS,
          Capability.ATOMIC_CHECK_AND_SET);
    }
  }

  @Test
  void create_withBadSettings_failsNamingTheKey() {
    assertThatThrownBy(() -> provider().create(context(Map.of("type", "vault", "adress", "http://x"))))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("mounts[0].backend.adress: unknown key");
  }
}
