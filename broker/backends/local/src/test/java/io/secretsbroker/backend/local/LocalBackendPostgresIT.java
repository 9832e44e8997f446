package io.secretsbroker.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.SecretBackend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local backend's own cases on the real PostgreSQL (HA mode), in a schema of its own. */
class LocalBackendPostgresIT extends LocalBackendStorageCases {
  private static TestDatabase.Postgres database;

  @BeforeAll
  static void openDatabase() throws SQLException {
    database = (TestDatabase.Postgres) TestDatabase.postgres("storage");
  }

  @AfterAll
  static void closeDatabase() throws SQLException {
    if (database != null) {
      database.close();
    }
  }

  @Override
  protected TestDatabase database() {
    return database;
  }

  @Test
  void names_useTheByteOrderCollation_whateverTheDatabaseDefault() throws SQLException {
    try (SecretBackend created = backend()) {
      assertThat(created.kind()).isEqualTo("local");
    }
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT table_name, column_name, collation_name"
            + " FROM information_schema.columns WHERE table_schema = ? AND column_name IN ('mount', 'name')")) {
      s.setString(1, database.schema());
      int columns = 0;
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          columns++;
          assertThat(r.getString(3)).as("%s.%s", r.getString(1), r.getString(2)).isEqualTo("C");
        }
      }
      assertThat(columns).isEqualTo(6);
    }
  }
}
