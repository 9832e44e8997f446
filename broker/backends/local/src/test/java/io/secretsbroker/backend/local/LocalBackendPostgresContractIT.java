package io.secretsbroker.backend.local;

import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.testkit.SecretBackendContract;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on the real PostgreSQL (HA mode), in a schema of its own. The backend reaches the server
 * through a loopback relay, which the outage case stops and starts.
 */
class LocalBackendPostgresContractIT extends SecretBackendContract {
  @TempDir static Path folder;
  private static TestDatabase.Postgres database;
  private static TcpProxy proxy;
  private static SecretBackend shared;

  @BeforeAll
  static void openDatabase() throws Exception {
    database = (TestDatabase.Postgres) TestDatabase.postgres("contract");
    proxy = new TcpProxy(new InetSocketAddress(TestDatabase.postgresHost(), TestDatabase.postgresPort())).start();
  }

  @AfterAll
  static void closeDatabase() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (database != null) {
      database.close();
    }
  }

  /** One backend for the class (its {@code close()} releases nothing); each test has its own prefix. */
  @Override
  protected SecretBackend createBackend() {
    if (shared == null) {
      shared = Backends.create("", folder, database.newDataSource("127.0.0.1", proxy.port()), new FakeClock(),
          Map.of());
    }
    return shared;
  }

  @Override
  protected boolean supportsOutage() {
    return true;
  }

  @Override
  protected void stopService() {
    proxy.stop();
  }

  @Override
  protected void startService() throws Exception {
    proxy.start();
  }
}
