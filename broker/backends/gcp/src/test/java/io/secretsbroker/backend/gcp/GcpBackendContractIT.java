package io.secretsbroker.backend.gcp;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.Settings;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.testkit.SecretBackendContract;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract against the strict fake, served over a real loopback port. */
class GcpBackendContractIT extends SecretBackendContract {
  private static FakeSecretManagerServer server;

  @BeforeAll
  static void startFake() throws Exception {
    server = FakeSecretManagerServer.start();
  }

  @AfterAll
  static void stopFake() throws Exception {
    server.close();
  }

  @Override
  protected SecretBackend createBackend() {
    return new GcpBackendProvider().create(context(server, Map.of()));
  }

  @Override
  protected boolean supportsOutage() {
    return true;
  }

  @Override
  protected void stopService() throws Exception {
    server.stop();
  }

  @Override
  protected void startService() throws Exception {
    server.restart();
  }

  /** A mount's context pointing at {@code server}, with {@code extra} settings on top. */
  static BackendContext context(FakeSecretManagerServer server, Map<String, Object> extra) {
    Map<String, Object> settings = new java.util.LinkedHashMap<>();
    settings.put("type", "gcp");
    settings.put("project", FakeSecretManagerServer.PROJECT_ID);
    settings.put("endpoint", server.endpoint());
    settings.put("plaintext", true);
    settings.put("timeout", "5s");
    settings.putAll(extra);
    return new BackendContext("gcp/", new Settings("mounts[0].backend", settings), null, null, new FakeClock());
  }
}
