package io.secretsbroker.backend.local;

import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.testkit.SecretBackendContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on the default setup: an H2 file database in a temp folder. The outage is a data source that
 * refuses connections, as the driver would when the database is gone.
 */
class LocalBackendH2ContractTest extends SecretBackendContract {
  @TempDir static Path folder;
  private static TestDatabase database;
  private static OutageDataSource dataSource;
  private static SecretBackend shared;

  @BeforeAll
  static void openDatabase() {
    database = TestDatabase.h2(folder);
    dataSource = new OutageDataSource(database.dataSource());
  }

  @AfterAll
  static void closeDatabase() throws Exception {
    database.close();
  }

  /** One backend for the class (its {@code close()} releases nothing); each test has its own prefix. */
  @Override
  protected SecretBackend createBackend() {
    dataSource.setDown(false);
    if (shared == null) {
      shared = Backends.create("", folder, dataSource, new FakeClock(), Map.of());
    }
    return shared;
  }

  @Override
  protected boolean supportsOutage() {
    return true;
  }

  @Override
  protected void stopService() {
    dataSource.setDown(true);
  }

  @Override
  protected void startService() {
    dataSource.setDown(false);
  }
}
