package io.secretsbroker.backend.vault;

import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.SecretBackendContract;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared contract again, with every path-changing setting in use: AppRole login at a custom auth mount, a
 * Vault namespace, a nested KV mount and a path prefix.
 */
class VaultAppRoleNamespaceContractIT extends SecretBackendContract {
  private static FakeVault fake;

  @BeforeAll
  static void startFake() throws Exception {
    fake = FakeVault.start("team/kv").addAppRole("apps/approle", "broker-role", "broker-secret-id");
    fake.requireNamespace("admin/team-a");
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @Override
  protected SecretBackend createBackend() {
    Map<String, Object> settings = TestVault.tokenSettings(fake.address());
    settings.put("mount", "team/kv");
    settings.put("path-prefix", "broker/prod");
    settings.put("namespace", "admin/team-a");
    settings.put("auth", Map.of("method", "approle", "role-id", "broker-role", "secret-id-env", "SB_SECRET_ID",
        "auth-mount", "apps/approle"));
    return TestVault.backend(settings, Map.of("SB_SECRET_ID", "broker-secret-id"), Clock.systemUTC());
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
