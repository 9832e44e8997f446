package io.secretsbroker.core.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * The broker's state database: a pooled {@link DataSource} whose schema is migrated at open. Thread-safe.
 *
 * <p>Migrations live in {@code db/state} when their SQL is the same for H2 and PostgreSQL, and in
 * {@code db/state-h2} / {@code db/state-postgresql} (one variant each, same version) when it must differ. A
 * database that holds a migration this binary does not know was migrated by a newer broker and is refused.
 *
 * <p>On PostgreSQL (several replicas sharing one database) every session, pooled or {@linkplain
 * #openDedicatedConnection() dedicated}, is opened so that a dead peer cannot hold locks for long: the server
 * ends a session idle inside a transaction after 60 s and probes idle clients with TCP keepalives (15 s idle, then
 * every 5 s, 3 probes), and the client gives up on a silent socket after 60 s for pooled sessions (unless the URL
 * sets {@code socketTimeout} itself). URL parameters take precedence over these connection defaults.
 */
public final class StateStore implements AutoCloseable {
  /** The Flyway history table of the broker's own migrations. */
  public static final String HISTORY_TABLE = "sb_state_schema_history";
  /** A PostgreSQL session idle inside a transaction this long is ended by the server, releasing its locks. */
  static final int IDLE_IN_TRANSACTION_SECONDS = 60;
  /** Default client-side limit on waiting for the PostgreSQL server to answer. */
  static final int SOCKET_TIMEOUT_SECONDS = 60;
  private static final String SESSION_SETTINGS = "SELECT set_config('idle_in_transaction_session_timeout', '"
      + IDLE_IN_TRANSACTION_SECONDS * 1000 + "', false), set_config('tcp_keepalives_idle', '15', false),"
      + " set_config('tcp_keepalives_interval', '5', false), set_config('tcp_keepalives_count', '3', false)";

  /** Work done with one connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final HikariDataSource dataSource;
  private final StateSettings settings;

  private StateStore(HikariDataSource dataSource, StateSettings settings) {
    this.dataSource = dataSource;
    this.settings = settings;
  }

  /**
   * Opens (and migrates) the state database.
   *
   * @throws BrokerException {@link Failure#UNAVAILABLE} when the database cannot be reached or migrated, with
   *     a message saying why; {@link Failure#FAILED_PRECONDITION} when the database was migrated by a newer
   *     Secrets Broker than this one (upgrade this binary)
   */
  public static StateStore open(StateSettings settings) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("state");
    hc.setMaximumPoolSize(settings.poolSize());
    hc.setConnectionTimeout(5_000);
    hc.setValidationTimeout(2_000);
    hc.setInitializationFailTimeout(-1);
    if (settings.kind().equals("h2")) {
      String file = settings.dataDir().resolve("state").toAbsolutePath().toString();
      // WRITE_DELAY=0: every commit is written to the file before it returns, so a committed audit record or
      // revocation survives a crash of the process (H2's default flushes up to 500 ms later). Power-loss
      // durability (fsync per commit) is PostgreSQL's job: see docs/ha.md.
      hc.setJdbcUrl("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000;WRITE_DELAY=0;COMPRESS=TRUE");
      hc.setUsername("sa");
      hc.setPassword("");
    } else {
      hc.setJdbcUrl(settings.url());
      hc.setUsername(settings.username());
      if (settings.password() != null) {
        hc.setPassword(settings.password());
      }
      postgresProperties(settings).forEach((k, v) -> hc.addDataSourceProperty(k.toString(), v));
      hc.setConnectionInitSql(SESSION_SETTINGS);
      hc.setKeepaliveTime(60_000);
    }
    HikariDataSource ds = new HikariDataSource(hc);
    try {
      Flyway flyway = Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/state", "classpath:db/state-" + settings.kind())
          .table(HISTORY_TABLE)
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load();
      refuseNewerSchema(flyway, settings.kind());
      flyway.migrate();
    } catch (BrokerException e) {
      ds.close();
      throw e;
    } catch (FlywayException e) {
      ds.close();
      throw new BrokerException(Failure.UNAVAILABLE, "cannot open or migrate the state database ("
          + settings.kind() + "): " + rootMessage(e), e);
    } catch (RuntimeException e) {
      ds.close();
      throw new BrokerException(Failure.UNAVAILABLE,
          "cannot open the state database (" + settings.kind() + "): " + rootMessage(e), e);
    }
    return new StateStore(ds, settings);
  }

  /**
   * Refuses a database that holds migrations this binary does not know: Flyway itself only warns about them
   * (its default ignores "future" migrations), and running old code on a newer schema could corrupt it.
   */
  private static void refuseNewerSchema(Flyway flyway, String kind) {
    MigrationInfo[] future = Arrays.stream(flyway.info().all())
        .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
        .toArray(MigrationInfo[]::new);
    if (future.length == 0) {
      return;
    }
    String known = Arrays.stream(flyway.info().all())
        .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED
            && m.getVersion() != null)
        .map(m -> m.getVersion().getVersion()).reduce((a, b) -> b).orElse("none");
    String newer = Arrays.stream(future).map(m -> m.getVersion() == null ? "?" : m.getVersion().getVersion())
        .collect(Collectors.joining(", "));
    throw new BrokerException(Failure.FAILED_PRECONDITION, "the state database (" + kind + ") was migrated by a"
        + " newer Secrets Broker: it has schema version(s) " + newer + " and this binary knows up to " + known
        + "; upgrade this binary (never run an older broker against a newer database)");
  }

  /** Connection properties for PostgreSQL; parameters in the URL take precedence. */
  private static Properties postgresProperties(StateSettings settings) {
    Properties p = new Properties();
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("connectTimeout", "5");
    p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    p.setProperty("ApplicationName", "secrets-broker");
    return p;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }

  /** The pooled data source (backends such as {@code local} keep their own tables in it). */
  public DataSource dataSource() {
    return dataSource;
  }

  /** {@code h2} or {@code postgresql}. */
  public String kind() {
    return settings.kind();
  }

  /** Whether this is a PostgreSQL database, which several replicas may share. */
  public boolean shared() {
    return settings.kind().equals("postgresql");
  }

  /**
   * Opens a new PostgreSQL connection outside the pool (autocommit on), for sessions that must live apart from
   * pooled work: {@code LISTEN} and session-level advisory locks. The caller closes it.
   *
   * @param socketTimeoutSeconds how long a call may wait for the server before the connection is given up
   * @throws SQLException when the database cannot be reached
   * @throws IllegalStateException on H2 (one broker per embedded database needs no such session)
   */
  public Connection openDedicatedConnection(int socketTimeoutSeconds) throws SQLException {
    if (!shared()) {
      throw new IllegalStateException("dedicated sessions exist only for a PostgreSQL state database");
    }
    Properties p = postgresProperties(settings);
    p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
    p.setProperty("user", settings.username());
    if (settings.password() != null) {
      p.setProperty("password", settings.password());
    }
    Connection c = DriverManager.getConnection(settings.url(), p);
    try (var s = c.createStatement()) {
      s.execute(SESSION_SETTINGS);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws.
   *
   * @throws BrokerException {@link Failure#UNAVAILABLE} when the database fails
   */
  public <T> T inTransaction(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new BrokerException(Failure.UNAVAILABLE, "state database unavailable", e);
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
