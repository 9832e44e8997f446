package io.secretsbroker.core.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The broker's state database: a pooled {@link DataSource} whose schema is migrated at open. Thread-safe.
 */
public final class StateStore implements AutoCloseable {

  /** Work done with one connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final HikariDataSource dataSource;
  private final String kind;

  private StateStore(HikariDataSource dataSource, String kind) {
    this.dataSource = dataSource;
    this.kind = kind;
  }

  /**
   * Opens (and migrates) the state database.
   *
   * @throws BrokerException {@link Failure#UNAVAILABLE} when the database cannot be reached or migrated, with
   *     a message saying why (e.g. the database is newer than this binary)
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
      hc.setJdbcUrl("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000");
      hc.setUsername("sa");
      hc.setPassword("");
    } else {
      hc.setJdbcUrl(settings.url());
      hc.setUsername(settings.username());
      if (settings.password() != null) {
        hc.setPassword(settings.password());
      }
    }
    HikariDataSource ds = new HikariDataSource(hc);
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/state")
          .table("sb_state_schema_history")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    } catch (FlywayException e) {
      ds.close();
      String why = e.getMessage() != null && e.getMessage().contains("applied migration")
          ? "the state database was migrated by a newer Secrets Broker; upgrade this binary"
          : "cannot open or migrate the state database";
      throw new BrokerException(Failure.UNAVAILABLE, why + " (" + settings.kind() + ")", e);
    } catch (RuntimeException e) {
      ds.close();
      throw new BrokerException(Failure.UNAVAILABLE,
          "cannot open the state database (" + settings.kind() + "): " + rootMessage(e), e);
    }
    return new StateStore(ds, settings.kind());
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
    return kind;
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
