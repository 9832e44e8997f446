package io.secretsbroker.backend.local;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Runs the local backend's statements on the broker's state database: one connection per call, writes in
 * one transaction, and every failure turned into a {@link BackendException} with a safe message (the cause
 * keeps the details, for the log).
 *
 * <p>Thread-safe.
 */
final class StateDatabase {
  /** How often a write is tried when it lost a race the database reports as an error. */
  static final int WRITE_ATTEMPTS = 5;

  /** Unique violation, serialization failure, deadlock, H2's concurrent update: the write raced another. */
  private static final Set<String> RACE_STATES = Set.of("23505", "40001", "40P01", "90131");
  /** Other states that mean the database is down, restarting, overloaded or timed out. */
  private static final Set<String> UNAVAILABLE_STATES = Set.of(
      "57014", "57P01", "57P02", "57P03", "HYT00", "90067", "90098", "90121");

  private final DataSource dataSource;
  private final int timeoutSeconds;
  private final AtomicBoolean lastCallSucceeded = new AtomicBoolean(true);

  StateDatabase(DataSource dataSource, int timeoutSeconds) {
    this.dataSource = dataSource;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** Work done on one connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on a connection in auto-commit mode (each statement sees one consistent snapshot).
   *
   * @param action what is being done, for the error message ("reading")
   * @param name the secret or prefix concerned, for the error message
   */
  <T> T read(String action, String name, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      T result = work.run(connection);
      lastCallSucceeded.set(true);
      return result;
    } catch (SQLException e) {
      throw failure(e, action, name);
    } catch (BackendException e) {
      lastCallSucceeded.set(true);
      throw e;
    } catch (RuntimeException e) {
      throw internal(e, action, name);
    }
  }

  /**
   * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws; tries
   * again (up to {@value #WRITE_ATTEMPTS} times) when the database reports a lost race such as two first
   * writes of one name, and reports {@code CONFLICT} when the races go on.
   */
  <T> T write(String action, String name, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = dataSource.getConnection()) {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
          T result = work.run(connection);
          connection.commit();
          lastCallSucceeded.set(true);
          return result;
        } catch (SQLException | RuntimeException | Error e) {
          rollbackQuietly(connection, e);
          throw e;
        } finally {
          restoreQuietly(connection, autoCommit);
        }
      } catch (SQLException e) {
        if (e.getSQLState() != null && RACE_STATES.contains(e.getSQLState())) {
          if (attempt < WRITE_ATTEMPTS) {
            continue;
          }
          lastCallSucceeded.set(true);
          throw new BackendException(ErrorCode.CONFLICT,
              "local backend: " + action + " '" + name + "' kept racing other writers; try again", e);
        }
        throw failure(e, action, name);
      } catch (BackendException e) {
        lastCallSucceeded.set(true);
        throw e;
      } catch (RuntimeException e) {
        throw internal(e, action, name);
      }
    }
  }

  /** Prepares {@code sql} with this backend's statement timeout. */
  PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    statement.setQueryTimeout(timeoutSeconds);
    return statement;
  }

  /** Whether the last call reached the database (true before the first call). */
  boolean healthy() {
    return lastCallSucceeded.get();
  }

  private BackendException failure(SQLException e, String action, String name) {
    if (isUnavailable(e)) {
      lastCallSucceeded.set(false);
      return BackendException.unavailable(
          "local backend: the state database is unavailable while " + action + " '" + name + "'", e);
    }
    lastCallSucceeded.set(true);
    return new BackendException(ErrorCode.INTERNAL,
        "local backend: the state database failed while " + action + " '" + name + "'", e);
  }

  private static BackendException internal(RuntimeException e, String action, String name) {
    return new BackendException(ErrorCode.INTERNAL, "local backend: internal error while " + action + " '" + name
        + "'", e);
  }

  /** Whether {@code e} means the database is unreachable, restarting, overloaded or timed out. */
  static boolean isUnavailable(SQLException e) {
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
      return true;
    }
    String state = e.getSQLState();
    if (state == null) {
      return false;
    }
    return state.startsWith("08") || state.startsWith("53") || RACE_STATES.contains(state)
        || UNAVAILABLE_STATES.contains(state);
  }

  private static void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private static void restoreQuietly(Connection connection, boolean autoCommit) {
    try {
      connection.setAutoCommit(autoCommit);
    } catch (SQLException | RuntimeException e) {
      // The connection is broken; closing it is all that is left.
    }
  }
}
