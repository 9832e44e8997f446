package io.secretsbroker.backend.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.WriteRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local backend's own cases on an H2 file database (the default state database). */
class LocalBackendH2Test extends LocalBackendStorageCases {
  @TempDir static Path folder;
  private static TestDatabase.H2 database;

  @BeforeAll
  static void openDatabase() {
    database = (TestDatabase.H2) TestDatabase.h2(folder);
  }

  @AfterAll
  static void closeDatabase() throws SQLException {
    database.close();
  }

  @Override
  protected TestDatabase database() {
    return database;
  }

  @Test
  void databaseFiles_neverHoldThePlaintext() throws Exception {
    String marker = "PLAINTEXT-MARKER-" + UUID.randomUUID();
    try (SecretBackend backend = backend()) {
      for (int i = 0; i < 3; i++) {
        backend.write(WriteRequest.put("db", value(marker)));
      }
    }
    database.shutdown();

    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        byte[] bytes = Files.readAllBytes(file);
        if (file.getFileName().toString().endsWith(".mv.db")) {
          assertThat(indexOf(bytes, mount.getBytes(UTF_8))).as("%s holds the rows", file).isNotNegative();
        }
        assertThat(indexOf(bytes, marker.getBytes(UTF_8))).as(file.toString()).isNegative();
      }
    }
    database.restart();
  }

  @Test
  void databaseOutage_isUnavailable_andHealthFollowsTheLastCall() {
    OutageDataSource dataSource = new OutageDataSource(database.dataSource());
    try (SecretBackend backend = Backends.create(mount, dataDir, dataSource, clock, Map.of())) {
      backend.write(WriteRequest.put("db", value("one")));
      assertThat(backend.healthy()).isTrue();

      dataSource.setDown(true);
      BackendException e = failure(() -> backend.read(SecretRef.current("db")));
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).isEqualTo("local backend: the state database is unavailable while reading 'db'");
      assertThat(backend.healthy()).isFalse();

      dataSource.setDown(false);
      assertThat(text(backend, SecretRef.current("db"))).isEqualTo("one");
      assertThat(backend.healthy()).isTrue();
    }
  }
}
