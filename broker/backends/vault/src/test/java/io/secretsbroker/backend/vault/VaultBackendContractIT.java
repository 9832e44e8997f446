package io.secretsbroker.backend.vault;

import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.SecretBackendContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared contract against the strict fake Vault, token auth, default mount, outage by stopping the fake. */
class VaultBackendContractIT extends SecretBackendContract {
  private static final String TOKEN = "hvs.contract-root";
  private static FakeVault fake;

  @BeforeAll
  static void startFake() throws Exception {
    fake = FakeVault.start("secret").addToken(TOKEN);
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @Override
  protected SecretBackend createBackend() {
    return TestVault.tokenBackend(fake, TOKEN);
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
    fake.start();
  }
}
