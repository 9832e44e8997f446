package io.secretsbroker.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateDatabaseTest {

  @ParameterizedTest
  @ValueSource(strings = {"08001", "08006", "53300", "57P01", "57014", "40001", "40P01", "HYT00", "90098", "90121"})
  void downRestartingOverloadedOrTimedOut_isUnavailable(String state) {
    assertThat(StateDatabase.isUnavailable(new SQLException("x", state))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"42P01", "42S02", "23502", "22001", "XX000"})
  void bugsAndBadData_areNotUnavailable(String state) {
    assertThat(StateDatabase.isUnavailable(new SQLException("x", state))).isFalse();
  }

  @Test
  void transientExceptionTypes_areUnavailable_evenWithoutAState() {
    assertThat(StateDatabase.isUnavailable(new SQLTransientConnectionException("pool timeout"))).isTrue();
    assertThat(StateDatabase.isUnavailable(new SQLTimeoutException("statement timeout"))).isTrue();
    assertThat(StateDatabase.isUnavailable(new SQLException("no state"))).isFalse();
  }

  /** A data source whose every call fails with {@code failure}. */
  private static DataSource failingWith(SQLException failure) {
    return (DataSource) Proxy.newProxyInstance(StateDatabaseTest.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          throw failure;
        });
  }

  @Test
  void write_whenTheConnectionFailsWithoutASqlState_isABackendException() {
    StateDatabase poolTimedOut = new StateDatabase(failingWith(new SQLTransientConnectionException(
        "state - Connection is not available, request timed out after 5000ms")), 5);
    assertThatThrownBy(() -> poolTimedOut.write("writing", "db", c -> 1))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

    StateDatabase closed = new StateDatabase(failingWith(new SQLException("HikariDataSource has been closed.")), 5);
    assertThatThrownBy(() -> closed.write("writing", "db", c -> 1))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
  }
}
