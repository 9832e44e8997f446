package io.secretsbroker.backend.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GcpConfigTest {
  private static final String PATH = "mounts[0].backend";

  private static GcpConfig parse(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "gcp");
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return GcpConfig.from(new Settings(PATH, m));
  }

  @Test
  void onlyProject_givesTheDocumentedDefaults() {
    GcpConfig c = parse("project", "my-project");
    assertThat(c).isEqualTo(new GcpConfig("my-project", null, false, Duration.ofSeconds(10), 65_536, ""));
  }

  @Test
  void everySetting_isRead() {
    GcpConfig c = parse("project", "123456789012", "endpoint", "127.0.0.1:8085", "plaintext", true,
        "timeout", "2s", "max-value-bytes", 1024, "id-prefix", "payments");
    assertThat(c).isEqualTo(new GcpConfig("123456789012", "127.0.0.1:8085", true, Duration.ofSeconds(2), 1024,
        "payments"));
  }

  @Test
  void missingProject_isNamedByItsPath() {
    assertThatThrownBy(() -> parse()).isInstanceOf(ConfigException.class)
        .hasMessage(PATH + ".project: required");
  }

  @Test
  void unknownKey_isNamedByItsPath() {
    assertThatThrownBy(() -> parse("project", "my-project", "region", "us-east1"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + ".region: unknown key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"My-Project", "abc", "project-", "1project", "proj_ect", "0123"})
  void malformedProject_isRejected(String project) {
    assertThatThrownBy(() -> parse("project", project)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(PATH + ".project: expected a project id");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8085", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "host:port",
      "::1:8085", "a b:443", "example.com:443/v1"})
  void malformedEndpoint_isRejected(String endpoint) {
    assertThatThrownBy(() -> parse("project", "my-project", "endpoint", endpoint))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + ".endpoint: ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"secretmanager.europe-west1.rep.googleapis.com:443", "[::1]:8085", "localhost:1"})
  void wellFormedEndpoint_isAccepted(String endpoint) {
    assertThat(parse("project", "my-project", "endpoint", endpoint).endpoint()).isEqualTo(endpoint);
  }

  @Test
  void plaintextWithoutEndpoint_isRejected() {
    assertThatThrownBy(() -> parse("project", "my-project", "plaintext", true))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + ".plaintext: requires an endpoint");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1:8085", "secretmanager.googleapis.com:443", "128.0.0.1:80", "[::2]:80",
      "localhost:8085"})
  void plaintextToANonLoopbackEndpoint_isRejected(String endpoint) {
    assertThatThrownBy(() -> parse("project", "my-project", "endpoint", endpoint, "plaintext", true))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + ".plaintext: allowed only with a loopback");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:8085", "127.255.0.3:1", "[::1]:8085"})
  void plaintextToLoopback_isAccepted(String endpoint) {
    assertThat(parse("project", "my-project", "endpoint", endpoint, "plaintext", "true").plaintext()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({"max-value-bytes, 65537", "max-value-bytes, 0", "timeout, 50ms", "timeout, 6m", "timeout, soon",
      "plaintext, maybe", "id-prefix, has_underscore", "id-prefix, -dash-first", "id-prefix, with/slash"})
  void outOfRangeValue_isNamedByItsPath(String key, String value) {
    assertThatThrownBy(() -> parse("project", "my-project", key, value))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + "." + key + ": ");
  }

  @Test
  void idPrefixOfSixtyFourCharacters_isRejected() {
    assertThat(parse("project", "my-project", "id-prefix", "a".repeat(63)).idPrefix()).hasSize(63);
    assertThatThrownBy(() -> parse("project", "my-project", "id-prefix", "a".repeat(64)))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + ".id-prefix: ");
  }
}
