package io.secretsbroker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a real Netty server on loopback that requires mutual TLS. */
class TlsIT {
  @TempDir
  static Path dir;

  static TestPki pki;
  static FakeBroker fake;

  @BeforeAll
  static void start() throws IOException {
    pki = TestPki.create(dir);
    fake = FakeBroker.mutualTls(pki);
    fake.seed("app/db", "pw");
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @Test
  void mtls_connectsAndSendsTheToken() {
    try (SecretsClient client = SecretsClient.builder()
        .address(fake.address())
        .mtls(pki.ca, pki.clientCert, pki.clientKey)
        .token("tls-token")
        .build()) {
      assertThat(client.get("app/db").valueAsString()).isEqualTo("pw");
    }
    assertThat(fake.calls("GetSecret")).last().satisfies(c -> assertThat(c.authorization).isEqualTo("Bearer tls-token"));
  }

  @Test
  void tlsWithoutAClientCertificate_isRefusedByAServerRequiringOne() {
    try (SecretsClient client = SecretsClient.builder()
        .address(fake.address())
        .tls(pki.ca)
        .maxRetries(0)
        .deadline(Duration.ofSeconds(5))
        .build()) {
      assertThatThrownBy(() -> client.get("app/db")).isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  void tls_doesNotTrustAServerOutsideTheGivenCa(@TempDir Path other) {
    TestPki stranger = TestPki.create(other);
    try (SecretsClient client = SecretsClient.builder()
        .address(fake.address())
        .mtls(stranger.ca, pki.clientCert, pki.clientKey)
        .maxRetries(0)
        .build()) {
      assertThatThrownBy(() -> client.get("app/db")).isInstanceOf(UnavailableException.class);
    }
  }
}
