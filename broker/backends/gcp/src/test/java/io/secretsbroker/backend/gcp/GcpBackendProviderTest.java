package io.secretsbroker.backend.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.Settings;
import io.secretsbroker.testkit.FakeClock;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class GcpBackendProviderTest {
  private static BackendContext context(Map<String, Object> settings) {
    return new BackendContext("gcp/", new Settings("mounts[3].backend", settings), null, null, new FakeClock());
  }

  @Test
  void serviceLoader_findsTheGcpProvider() {
    assertThat(ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(p -> assertThat(p.kind()).isEqualTo("gcp"));
  }

  @Test
  void badSettings_failBeforeAnyClientIsBuilt() {
    assertThatThrownBy(() -> new GcpBackendProvider().create(context(Map.of("type", "gcp"))))
        .isInstanceOf(ConfigException.class).hasMessage("mounts[3].backend.project: required");
  }

  @Test
  void plaintextBackend_isBuiltWithoutConnecting_andReportsItsCapabilities() {
    SecretBackend backend = new GcpBackendProvider().create(context(Map.of("type", "gcp", "project", "my-project",
        "endpoint", "127.0.0.1:9", "plaintext", true)));
    try {
      assertThat(backend.kind()).isEqualTo("gcp");
      assertThat(backend.capabilities()).containsExactlyInAnyOrder(Capability.VERSIONING,
          Capability.STAGE_LABELS, Capability.ATOMIC_CHECK_AND_SET);
      assertThat(backend.healthy()).isTrue();
    } finally {
      backend.close();
    }
  }
}
