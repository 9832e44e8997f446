package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.WriteRequest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An https Vault whose certificate is trusted only through {@code ca-file}. */
class VaultTlsIT {
  private static final String TOKEN = "hvs.tls-root";
  private static final char[] PASSWORD = "test-only".toCharArray();

  @TempDir
  static Path dir;

  private static FakeVault fake;
  private static Path caFile;

  @BeforeAll
  static void start() throws Exception {
    Path keystore = dir.resolve("server.p12");
    caFile = dir.resolve("ca.pem");
    keytool("-genkeypair", "-alias", "vault", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD);
    }
    Files.writeString(caFile, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(ks.getCertificate("vault").getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    fake = FakeVault.start("secret", Clock.systemUTC(), tls).addToken(TOKEN);
  }

  @AfterAll
  static void stop() {
    if (fake != null) {
      fake.close();
    }
  }

  private static void keytool(String... args) throws Exception {
    Path tool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new java.util.ArrayList<>(List.of(tool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  @Test
  void caFile_makesTheServerTrusted() {
    Map<String, Object> settings = TestVault.tokenSettings(fake.address());
    settings.put("ca-file", caFile.toString());
    try (VaultBackend b = TestVault.backend(settings, Map.of("VAULT_TEST_TOKEN", TOKEN), Clock.systemUTC())) {
      b.write(WriteRequest.put("tls/db", SecretValue.of(new byte[] {1, 2})));
      assertThat(b.read(SecretRef.current("tls/db")).value().bytes()).containsExactly(1, 2);
    }
  }

  @Test
  void withoutCaFile_anUntrustedServerIsUnavailable() {
    Map<String, Object> settings = TestVault.tokenSettings(fake.address());
    try (VaultBackend b = TestVault.backend(settings, Map.of("VAULT_TEST_TOKEN", TOKEN), Clock.systemUTC())) {
      b.read(SecretRef.current("tls/db"));
      throw new AssertionError("expected the TLS handshake to fail");
    } catch (BackendException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).contains("cannot reach Vault at https://127.0.0.1:");
    }
  }
}
