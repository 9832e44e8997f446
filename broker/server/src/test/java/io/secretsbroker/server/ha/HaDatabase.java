package io.secretsbroker.server.ha;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database in the real PostgreSQL ({@code PGHOST}:{@code PGPORT}, default 127.0.0.1:5432, user
 * {@code postgres}), created through the {@code test} database and dropped by {@link #close()}. The test is skipped,
 * saying why, when PostgreSQL cannot be reached.
 */
final class HaDatabase implements AutoCloseable {
  final String name;

  private HaDatabase(String name) {
    this.name = name;
  }

  static HaDatabase create() {
    String name = "sb_ha_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      assumeTrue(false, "PostgreSQL not reachable at " + host() + ":" + port() + " (set PGHOST/PGPORT): "
          + e.getSQLState());
    }
    return new HaDatabase(name);
  }

  static String host() {
    String h = System.getenv("PGHOST");
    return h == null || h.isBlank() ? "127.0.0.1" : h;
  }

  static int port() {
    String p = System.getenv("PGPORT");
    return p == null || p.isBlank() ? 5432 : Integer.parseInt(p);
  }

  static InetSocketAddress address() {
    return new InetSocketAddress(host(), port());
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/test?connectTimeout=3",
        "postgres", "");
  }

  /**
   * The JDBC URL of this database through {@code port} on loopback (a proxy), with server-side prepared
   * statements off so every statement's text crosses the wire (the proxy recognises the audit index batch by it).
   */
  String urlVia(int port) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?prepareThreshold=0";
  }

  /** A direct connection to this database (not through any proxy). */
  Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/" + name, "postgres", "");
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
