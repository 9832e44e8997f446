package io.secretsbroker.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.SecretBackendContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract against {@link FakeKeyVault}, a strict HTTPS fake of the Key Vault secrets API. */
class AzureBackendContractIT extends SecretBackendContract {
  /**
   * Key Vault stores at most 25,600 bytes, and a binary value takes 4/3 of its size as base64, so the largest
   * value of any content is 19,200 bytes. The mount sets {@code max-value-bytes} to that, which makes the limit the
   * same for text and binary values, as this suite expects; the default limit (text up to 25,600 bytes) is tested in
   * {@code AzureBackendIT}.
   */
  private static final int ANY_CONTENT_LIMIT = AzureConfig.KEY_VAULT_MAX_VALUE_BYTES / 4 * 3;

  private static TestPki pki;
  private static FakeKeyVault fake;

  @BeforeAll
  static void startFake() throws Exception {
    pki = TestPki.create("contract test CA");
    fake = new FakeKeyVault(pki.serverContext()).start();
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @AfterEach
  void clientSentNothingKeyVaultWouldReject() {
    assertThat(fake.violations()).isEmpty();
  }

  @Override
  protected SecretBackend createBackend() {
    return FakeVaults.backend(fake, pki, "max-value-bytes", ANY_CONTENT_LIMIT);
  }

  @Override
  protected boolean supportsOutage() {
    return true;
  }

  @Override
  protected void stopService() {
    fake.stop();
  }

  @Override
  protected void startService() throws Exception {
    fake.restart();
  }

  @Override
  protected int maxValueSize() {
    return ANY_CONTENT_LIMIT;
  }
}
