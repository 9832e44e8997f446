package io.secretsbroker.backend.local;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Creates and migrates the local backend's tables with Flyway, apart from the broker's own migrations: its
 * scripts live in {@value #LOCATION} and its history in the table {@value #HISTORY_TABLE}.
 */
final class Schema {
  /** Where the migration scripts are. */
  static final String LOCATION = "classpath:db/local";
  /** Flyway's history table for these scripts. */
  static final String HISTORY_TABLE = "sb_local_schema_history";

  private Schema() {}

  /**
   * Brings the tables up to date. Safe to call from several replicas at once (Flyway takes a lock).
   *
   * @throws SQLException when the database cannot be reached
   * @throws org.flywaydb.core.api.FlywayException when a migration fails
   */
  static void migrate(DataSource dataSource) throws SQLException {
    Flyway.configure(Schema.class.getClassLoader())
        .dataSource(dataSource)
        .locations(LOCATION)
        .table(HISTORY_TABLE)
        .failOnMissingLocations(true)
        // The schema may already hold the broker's tables: start this history at 0 so V1 still runs.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .placeholders(Map.of("name_collation", nameCollation(dataSource)))
        .load()
        .migrate();
  }

  /** The collation that sorts names by their bytes: H2 does by default, PostgreSQL needs "C". */
  private static String nameCollation(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      String product = connection.getMetaData().getDatabaseProductName();
      return "PostgreSQL".equalsIgnoreCase(product) ? "COLLATE \"C\"" : "";
    }
  }
}
