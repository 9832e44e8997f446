package io.secretsbroker.backend.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.FakeClock;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class AwsBackendProviderTest {

  private static BackendProvider provider() {
    return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.kind().equals("aws")).findFirst().orElseThrow();
  }

  @Test
  void serviceLoader_findsTheAwsProvider() {
    assertThat(provider()).isInstanceOf(AwsBackendProvider.class);
  }

  @Test
  void create_withoutCallingAws_reportsVersioningAndStageLabelsButNotAtomicCas() {
    try (SecretBackend backend = provider().create(new BackendContext("payments/",
        AwsTestSupport.settings("endpoint", "http://127.0.0.1:9"), null, null, new FakeClock()))) {
      assertThat(backend.kind()).isEqualTo("aws");
      assertThat(backend.capabilities()).containsExactlyInAnyOrder(Capability.VERSIONING, Capability.STAGE_LABELS);
      assertThat(backend.healthy()).isTrue();
    }
  }

  @Test
  void create_withBadSettings_failsNamingTheKeyPath() {
    assertThatThrownBy(() -> provider().create(new BackendContext("payments/",
        AwsTestSupport.settings("timeout", "forever"), null, null, new FakeClock())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend.timeout: ");
  }
}
