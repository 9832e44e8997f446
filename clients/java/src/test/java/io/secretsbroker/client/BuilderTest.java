package io.secretsbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuilderTest {
  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:7700", "127.1.2.3:1", "localhost:7700", "LOCALHOST:7700", "[::1]:7700"})
  void plaintext_isAllowedForLoopback(String address) {
    SecretsClient.builder().address(address).plaintext().build().close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.5:7700", "broker.internal:7700", "[2001:db8::1]:7700", "0.0.0.0:7700",
      "localhost.evil.example:7700"})
  void plaintext_isRefusedForOtherAddresses(String address) {
    assertThatThrownBy(() -> SecretsClient.builder().address(address).plaintext().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plaintext is allowed only for loopback addresses");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "host:port", "a b:1", "::1:7700"})
  void address_mustBeHostAndPort(String address) {
    assertThatThrownBy(() -> SecretsClient.builder().address(address).plaintext().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("address must be host:port");
  }

  @Test
  void address_defaultsToTheEnvironment_thenToLoopback7700() {
    assertThat(Address.parse(SecretsClient.DEFAULT_ADDRESS)).isEqualTo(new Address("127.0.0.1", 7700));
    assertThatThrownBy(() -> SecretsClient.builder()
        .environment(Map.of(SecretsClient.ADDRESS_ENV, "10.1.1.1:7700")::get).plaintext().build())
        .hasMessageContaining("10.1.1.1:7700");
    SecretsClient.builder().environment(Map.<String, String>of()::get).plaintext().build().close();
  }

  @Test
  void transport_canBeChosenOnce() {
    assertThatThrownBy(() -> SecretsClient.builder().plaintext().tls())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("transport was already set to plaintext");
  }

  @Test
  void tls_withUnreadableFiles_namesTheFile() {
    Path missing = Path.of("does-not-exist-ca.pem");

    assertThatThrownBy(() -> SecretsClient.builder().address("10.0.0.1:7700").tls(missing).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does-not-exist-ca.pem");
  }

  @Test
  void tls_withAPemThatDoesNotParse_isRefused(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca.pem");
    java.nio.file.Files.writeString(ca, "not a certificate");

    assertThatThrownBy(() -> SecretsClient.builder().address("10.0.0.1:7700").tls(ca).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ca.pem");
  }

  @Test
  void settings_areRangeChecked() {
    SecretsClient.Builder b = SecretsClient.builder();
    assertThatThrownBy(() -> b.maxRetries(-1)).hasMessageContaining("maxRetries must be in [0, 10]");
    assertThatThrownBy(() -> b.maxRetries(11)).hasMessageContaining("maxRetries must be in [0, 10]");
    assertThatThrownBy(() -> b.deadline(Duration.ZERO)).hasMessageContaining("deadline must be positive");
    assertThatThrownBy(() -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("less than initial backoff");
    assertThatThrownBy(() -> b.token("  ")).hasMessage("token must not be blank");
  }
}
