package io.secretsbroker.backend.local;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A state database for tests: an H2 file database in a temp folder, or a fresh schema in the real PostgreSQL. */
interface TestDatabase extends AutoCloseable {

  /** The database, as the broker would hand it over. */
  DataSource dataSource();

  /** Closes the database where it can be closed and opens it again: the data must survive. */
  DataSource restart() throws SQLException;

  /** Whether this is PostgreSQL. */
  boolean postgres();

  /** Drops what the test made. */
  @Override
  void close() throws SQLException;

  /** An H2 2.x file database (default mode) in {@code folder}. */
  static TestDatabase h2(Path folder) {
    return new H2(folder.resolve("state"));
  }

  /**
   * A new schema in the PostgreSQL at {@code PGHOST}:{@code PGPORT} (default 127.0.0.1:5432), database
   * {@code test}, user {@code postgres}; dropped by {@link #close()}.
   */
  static TestDatabase postgres(String tag) throws SQLException {
    return new Postgres(tag);
  }

  /** The PostgreSQL host for tests. */
  static String postgresHost() {
    String host = System.getenv("PGHOST");
    return host == null || host.isBlank() ? "127.0.0.1" : host;
  }

  /** The PostgreSQL port for tests. */
  static int postgresPort() {
    String port = System.getenv("PGPORT");
    return port == null || port.isBlank() ? 5432 : Integer.parseInt(port);
  }

  /** The H2 implementation. */
  final class H2 implements TestDatabase {
    private final String url;
    private JdbcDataSource dataSource;

    private H2(Path file) {
      this.url = "jdbc:h2:file:" + file.toAbsolutePath() + ";DB_CLOSE_DELAY=-1";
      this.dataSource = newDataSource();
    }

    private JdbcDataSource newDataSource() {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL(url);
      ds.setUser("sa");
      return ds;
    }

    @Override
    public DataSource dataSource() {
      return dataSource;
    }

    @Override
    public DataSource restart() throws SQLException {
      shutdown();
      dataSource = newDataSource();
      return dataSource;
    }

    @Override
    public boolean postgres() {
      return false;
    }

    @Override
    public void close() throws SQLException {
      shutdown();
    }

    /** Closes the database, writing everything to its file. */
    void shutdown() throws SQLException {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }

  /** The PostgreSQL implementation. */
  final class Postgres implements TestDatabase {
    private final String schema;
    private PGSimpleDataSource dataSource;

    private Postgres(String tag) throws SQLException {
      this.schema = "sb_local_" + tag + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
      try (Connection c = admin(); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
      }
      this.dataSource = newDataSource(postgresHost(), postgresPort());
    }

    /** A data source on this schema through another host and port (e.g. a proxy). */
    PGSimpleDataSource newDataSource(String host, int port) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setServerNames(new String[] {host});
      ds.setPortNumbers(new int[] {port});
      ds.setDatabaseName("test");
      ds.setUser("postgres");
      ds.setCurrentSchema(schema);
      ds.setConnectTimeout(5);
      ds.setSocketTimeout(30);
      return ds;
    }

    String schema() {
      return schema;
    }

    @Override
    public DataSource dataSource() {
      return dataSource;
    }

    @Override
    public DataSource restart() {
      dataSource = newDataSource(postgresHost(), postgresPort());
      return dataSource;
    }

    @Override
    public boolean postgres() {
      return true;
    }

    @Override
    public void close() throws SQLException {
      try (Connection c = admin(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }

    private static Connection admin() throws SQLException {
      return DriverManager.getConnection(
          "jdbc:postgresql://" + postgresHost() + ":" + postgresPort() + "/test", "postgres", "");
    }
  }
}
