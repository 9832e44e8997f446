package io.secretsbroker.core.audit;

import static io.secretsbroker.core.audit.AuditFixtures.GET;
import static io.secretsbroker.core.audit.AuditFixtures.everything;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditLogContract} on the real PostgreSQL ({@code PGHOST}:{@code PGPORT}, default 127.0.0.1:5432, user
 * {@code postgres}) in a database of its own, created for this class and dropped after it; plus PostgreSQL's monthly
 * partitions of the index. Skipped, saying why, when PostgreSQL cannot be reached.
 */
class AuditLogPostgresIT extends AuditLogContract {
  private static String database;

  private static String host() {
    String h = System.getenv("PGHOST");
    return h == null || h.isBlank() ? "127.0.0.1" : h;
  }

  private static String port() {
    String p = System.getenv("PGPORT");
    return p == null || p.isBlank() ? "5432" : p;
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/test?connectTimeout=3",
        "postgres", "");
  }

  @BeforeAll
  static void createDatabase() {
    String name = "sb_audit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      assumeTrue(false, "PostgreSQL not reachable at " + host() + ":" + port() + " (set PGHOST/PGPORT): "
          + e.getSQLState());
    }
    database = name;
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    if (database != null) {
      try (Connection c = admin(); Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  @Override
  StateSettings stateSettings(Path dataDir) {
    return new StateSettings("postgresql", "jdbc:postgresql://" + host() + ":" + port() + "/" + database, "postgres",
        null, 4, dataDir);
  }

  @Override
  void reset(StateStore store) {
    AuditFixtures.sql(store, "TRUNCATE sb_audit_index, sb_audit_index_position");
  }

  private String partitionOf(AuditRecord r) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT tableoid::regclass::text FROM sb_audit_index WHERE replica = ? AND seq = ?")) {
        ps.setString(1, r.replica());
        ps.setLong(2, r.sequence());
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("row of record " + r.sequence()).isTrue();
          return rs.getString(1);
        }
      }
    });
  }

  private boolean tableExists(String table) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
        ps.setString(1, table);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    });
  }

  @Test
  void recordsOfANewMonth_landInThatMonthsPartition() {
    Clock july = Clock.fixed(Instant.parse("2031-07-31T23:59:59.999Z"), ZoneOffset.UTC);
    Clock august = Clock.fixed(Instant.parse("2031-08-01T00:00:00Z"), ZoneOffset.UTC);
    assertThat(tableExists("sb_audit_index_p203107")).isFalse();
    assertThat(tableExists("sb_audit_index_p203108")).isFalse();

    AuditRecord inJuly = log.append(read(july));
    AuditRecord inAugust = log.append(read(august));
    List<AuditRecord> found = log.query(everything(10));

    assertThat(found).containsExactly(inAugust, inJuly);
    assertThat(tableExists("sb_audit_index_p203107")).isTrue();
    assertThat(tableExists("sb_audit_index_p203108")).isTrue();
    assertThat(partitionOf(inJuly)).isEqualTo("sb_audit_index_p203107");
    assertThat(partitionOf(inAugust)).isEqualTo("sb_audit_index_p203108");
    assertThat(log.verify(0, 0)).singleElement().satisfies(v -> assertThat(v.ok()).as(v.reason()).isTrue());
  }

  private static AuditEntry read(Clock clock) {
    return AuditEntry.builder(AuditEntry.Kind.ACCESS, clock.instant()).requestId("req-" + clock.millis())
        .principal("token:alice").authMethod("token").peer("10.0.0.1:5000").method(GET).name("app/db")
        .outcome("OK").build();
  }
}
