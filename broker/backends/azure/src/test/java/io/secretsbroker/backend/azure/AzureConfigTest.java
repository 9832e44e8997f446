package io.secretsbroker.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.Settings;
import io.secretsbroker.testkit.FakeClock;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureConfigTest {
  private static final String PATH = "mounts[2].backend";

  private static Settings settings(Object... pairs) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("type", "azure");
    for (int i = 0; i < pairs.length; i += 2) {
      values.put((String) pairs[i], pairs[i + 1]);
    }
    return new Settings(PATH, values);
  }

  @Test
  void onlyTheVaultUrl_givesTheDefaults() {
    AzureConfig config = AzureConfig.from(settings("vault-url", "https://my-vault.vault.azure.net/"));

    assertThat(config.vaultUrl()).isEqualTo(URI.create("https://my-vault.vault.azure.net"));
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxValueBytes()).isEqualTo(25_600);
    assertThat(config.namePrefix()).isEmpty();
  }

  @Test
  void everyField_isRead() {
    AzureConfig config = AzureConfig.from(settings("vault-url", "https://Vault.Example:8443", "timeout", "2500ms",
        "max-value-bytes", 4096, "name-prefix", "Payments-"));

    assertThat(config.vaultUrl()).isEqualTo(URI.create("https://vault.example:8443"));
    assertThat(config.timeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(config.maxValueBytes()).isEqualTo(4096);
    assertThat(config.namePrefix()).isEqualTo("payments-");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "vault-url|http://my-vault.vault.azure.net|mounts[2].backend.vault-url: must be an https:// URL",
      "vault-url|my-vault.vault.azure.net|mounts[2].backend.vault-url: must be an https:// URL",
      "vault-url|https://my-vault.vault.azure.net/secrets|mounts[2].backend.vault-url: must name only the vault",
      "vault-url|https://my-vault.vault.azure.net?x=1|mounts[2].backend.vault-url: must name only the vault",
      "vault-url|https://user@my-vault.vault.azure.net|mounts[2].backend.vault-url: must be https://<host>",
      "vault-url|https://exa mple|mounts[2].backend.vault-url: not a URL",
      "timeout|soon|mounts[2].backend.timeout: expected a duration",
      "timeout|1ms|mounts[2].backend.timeout: must be between",
      "timeout|1h|mounts[2].backend.timeout: must be between",
      "max-value-bytes|25601|mounts[2].backend.max-value-bytes: must be between 1 and 25600",
      "max-value-bytes|0|mounts[2].backend.max-value-bytes: must be between 1 and 25600",
      "max-value-bytes|lots|mounts[2].backend.max-value-bytes: expected an integer",
      "name-prefix|sb_|mounts[2].backend.name-prefix: must be 1 to 64 of [0-9a-zA-Z-]",
      "region|westeurope|mounts[2].backend.region: unknown key",
  })
  void badSetting_isRejectedNamingItsKeyPath(String key, String value, String message) {
    Settings s = key.equals("vault-url") ? settings(key, value)
        : settings("vault-url", "https://v.vault.azure.net", key, value);
    assertThatThrownBy(() -> AzureConfig.from(s)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
  }

  @Test
  void missingVaultUrl_isRequired() {
    assertThatThrownBy(() -> AzureConfig.from(settings()))
        .isInstanceOf(ConfigException.class).hasMessage("mounts[2].backend.vault-url: required");
  }

  @Test
  void provider_isFoundByServiceLoader_andBuildsAnAzureBackendWithoutTouchingTheNetwork() {
    BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::get).filter(p -> p.kind().equals("azure")).findFirst().orElseThrow();

    SecretBackend backend = provider.create(new BackendContext("payments/",
        settings("vault-url", "https://my-vault.vault.azure.net"), null, null, new FakeClock()));

    assertThat(backend.kind()).isEqualTo("azure");
    assertThat(backend.capabilities()).containsExactlyInAnyOrder(Capability.VERSIONING, Capability.STAGE_LABELS);
    backend.close();
  }

  @Test
  void provider_rejectsBadSettingsBeforeBuildingAClient() {
    assertThatThrownBy(() -> new AzureBackendProvider().create(new BackendContext("", settings(
        "vault-url", "http://insecure"), null, null, new FakeClock())))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("mounts[2].backend.vault-url:");
  }
}
