package io.secretsbroker.backend.local;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that can be switched off: while down, every new connection fails the way a JDBC
 * driver reports a refused connection (SQLState 08001). Stands in for an embedded database, which cannot be
 * taken down on its own.
 */
final class OutageDataSource implements DataSource {
  private final DataSource delegate;
  private final AtomicBoolean down = new AtomicBoolean();

  OutageDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  void setDown(boolean value) {
    down.set(value);
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (down.get()) {
      throw new SQLNonTransientConnectionException("connection refused (test outage)", "08001");
    }
    return delegate.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
