package io.secretsbroker.core.rotation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.secretsbroker.core.state.StateStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LeaderLock} of brokers sharing a PostgreSQL state database: a session-level advisory lock
 * ({@code pg_try_advisory_lock}) held by a dedicated session outside the connection pool.
 *
 * <p>The lock lives exactly as long as that session. When the session ends — network cut, database restart,
 * this broker stopped — PostgreSQL releases the lock and another broker's next {@link #tryAcquire()} takes it.
 * {@link #tryAcquire()} checks that the session is still alive before it answers "held", so a broker whose session
 * died stops acting as leader at its next check (the scheduler checks before every scan and every rotation); the
 * rotations themselves are fenced independently by conditional updates on their rows, so even a leader that has
 * not noticed yet cannot rotate a secret twice. The server notices a silent (not closed) client through TCP
 * keepalives within about 30 seconds. The lock key is derived from the current schema: brokers in separate
 * schemas of one database elect separate leaders. Thread-safe.
 */
public final class PostgresLeaderLock implements LeaderLock {
  private static final Logger log = LoggerFactory.getLogger(PostgresLeaderLock.class);
  private static final String KEY =
      "hashtextextended('secrets-broker:rotation-leader:' || coalesce(current_schema(), ''), 0)";
  private static final int CHECK_SECONDS = 2;
  private static final int SOCKET_TIMEOUT_SECONDS = 10;

  private final StateStore store;
  private final AtomicInteger heldGauge = new AtomicInteger();
  private Connection session;
  private boolean held;

  /**
   * @throws IllegalArgumentException when {@code store} is not PostgreSQL
   */
  public PostgresLeaderLock(StateStore store, MeterRegistry registry) {
    if (!store.shared()) {
      throw new IllegalArgumentException("an advisory leader lock needs a PostgreSQL state database");
    }
    this.store = store;
    Gauge.builder("secrets.rotation.leader", heldGauge, AtomicInteger::get)
        .description("1 while this broker holds the rotation leader lock, else 0").register(registry);
  }

  @Override
  public synchronized boolean tryAcquire() {
    if (held) {
      if (alive()) {
        return true;
      }
      log.warn("lost the rotation leader lock: its database session ended; this broker stops rotating");
      drop();
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      boolean reused = session != null;
      try {
        if (session == null) {
          session = store.openDedicatedConnection(SOCKET_TIMEOUT_SECONDS);
        }
        try (Statement s = session.createStatement();
            ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + KEY + ")")) {
          held = rs.next() && rs.getBoolean(1);
        }
        if (held) {
          heldGauge.set(1);
          log.info("this broker now holds the rotation leader lock");
        }
        return held;
      } catch (SQLException e) {
        drop();
        if (!reused) {
          log.debug("cannot reach the state database for the leader lock: {}", e.getClass().getSimpleName());
          return false;
        }
      }
    }
    return false;
  }

  private boolean alive() {
    try {
      return session != null && session.isValid(CHECK_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Releases the lock (if held) and ends the session. */
  @Override
  public synchronized void release() {
    if (held && session != null) {
      try (Statement s = session.createStatement()) {
        s.execute("SELECT pg_advisory_unlock(" + KEY + ")");
        log.info("released the rotation leader lock");
      } catch (SQLException e) {
        log.debug("releasing the leader lock failed; ending its session releases it: {}",
            e.getClass().getSimpleName());
      }
    }
    drop();
  }

  private void drop() {
    held = false;
    heldGauge.set(0);
    if (session != null) {
      try {
        session.close();
      } catch (SQLException e) {
        log.debug("closing the leader lock's session failed: {}", e.getClass().getSimpleName());
      }
      session = null;
    }
  }

  @Override
  public String toString() {
    return "postgresql-advisory-lock";
  }
}
