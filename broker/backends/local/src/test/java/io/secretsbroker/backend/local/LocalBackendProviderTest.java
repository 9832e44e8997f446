package io.secretsbroker.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBackendProviderTest {
  @TempDir Path dataDir;
  private TestDatabase database;

  @BeforeEach
  void openDatabase() {
    database = TestDatabase.h2(dataDir);
  }

  @AfterEach
  void closeDatabase() throws Exception {
    database.close();
  }

  private BackendContext context(String mount, Map<String, ?> settings) {
    return new BackendContext(mount, Backends.settings(settings), dataDir, database.dataSource(), new FakeClock());
  }

  @Test
  void serviceLoader_findsTheLocalProvider() {
    List<String> kinds = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class).forEach(p -> kinds.add(p.kind()));
    assertThat(kinds).contains("local");
  }

  @Test
  void backend_reportsItsKindAndCapabilities_andCreatesTheKeyFile() {
    try (SecretBackend backend = new LocalBackendProvider().create(context("", Map.of()))) {
      assertThat(backend.kind()).isEqualTo("local");
      assertThat(backend.capabilities()).containsExactlyInAnyOrder(
          Capability.VERSIONING, Capability.STAGE_LABELS, Capability.ATOMIC_CHECK_AND_SET);
      assertThat(backend.toString()).startsWith("LocalBackend[mount=, keyId=");
    }
    assertThat(Files.exists(dataDir.resolve("master.key"))).isTrue();
  }

  @Test
  void noStateDatabase_isAConfigError() {
    BackendContext noDatabase = new BackendContext("", Backends.settings(Map.of()), dataDir, null, new FakeClock());
    assertThatThrownBy(() -> new LocalBackendProvider().create(noDatabase))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mounts[0].backend: the local backend needs the broker's state database, and none was given");
  }

  @Test
  void unsafeKeyFile_isRefusedBeforeTheDatabaseIsTouched() throws Exception {
    Path key = dataDir.resolve("master.key");
    Files.writeString(key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> new LocalBackendProvider().create(context("", Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key.toString())
        .hasMessageContaining("mode 0644");
    assertThat(tables()).doesNotContain("SB_LOCAL_VERSION");
  }

  @Test
  void unreachableDatabaseAtStart_isUnavailable() {
    OutageDataSource down = new OutageDataSource(database.dataSource());
    down.setDown(true);
    BackendContext context = new BackendContext("", Backends.settings(Map.of()), dataDir, down, new FakeClock());

    assertThatThrownBy(() -> new LocalBackendProvider().create(context))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
        .hasMessage("local backend: cannot prepare its tables in the state database");
  }

  @Test
  void databaseThatAlreadyHoldsTheBrokersTables_stillGetsTheBackendsTables() throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY)");
      s.execute("CREATE TABLE sb_audit (id BIGINT PRIMARY KEY)");
    }

    try (SecretBackend backend = new LocalBackendProvider().create(context("", Map.of()))) {
      backend.write(WriteRequest.put("db", SecretValue.of(new byte[] {1, 2, 3})));
      assertThat(backend.read(SecretRef.current("db")).value().bytes()).containsExactly(1, 2, 3);
    }
    try (SecretBackend again = new LocalBackendProvider().create(context("", Map.of()))) {
      assertThat(again.read(SecretRef.current("db")).value().bytes()).containsExactly(1, 2, 3);
    }
    assertThat(tables()).contains("FLYWAY_SCHEMA_HISTORY", "SB_AUDIT", "sb_local_schema_history",
        "SB_LOCAL_SECRET", "SB_LOCAL_VERSION", "SB_LOCAL_STAGE", "SB_LOCAL_STAGE_WORD");
  }

  @Test
  void overlongMount_isAConfigError() {
    assertThatThrownBy(() -> new LocalBackendProvider().create(context("m".repeat(513) + "/", Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend: the local backend stores mount prefixes of at most 512 bytes");
  }

  private List<String> tables() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = database.dataSource().getConnection();
        ResultSet r = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
      while (r.next()) {
        names.add(r.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
