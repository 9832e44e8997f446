package io.secretsbroker.core.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes other replicas' changes arrive within milliseconds on PostgreSQL: a dedicated session outside the pool
 * runs {@code LISTEN} on the change feed's channel, and each notification (sent by {@link ChangeFeed} in the
 * transaction that records a change) triggers {@link ChangeFeed#poll()} at once.
 *
 * <p>Notifications only speed things up; they are never trusted to arrive. The broker keeps polling the feed on
 * its schedule, so a lost notification costs at most one poll interval. When the session breaks, the listener
 * reconnects with jittered exponential backoff (100 ms doubling up to 5 s) and polls once after each reconnect to
 * catch up; a session that stays silent is probed every 10 s so a dead network path is noticed. Thread-safe.
 */
public final class ChangeListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);
  static final long INITIAL_BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 5_000;
  static final long PROBE_MILLIS = 10_000;
  private static final int WAIT_MILLIS = 1_000;
  private static final int SOCKET_TIMEOUT_SECONDS = 15;

  private final StateStore store;
  private final ChangeFeed feed;
  private final Thread thread;
  private final AtomicInteger connected = new AtomicInteger();
  private final Counter notifications;
  private final Counter reconnects;
  private volatile boolean running = true;

  private ChangeListener(StateStore store, ChangeFeed feed, MeterRegistry registry) {
    this.store = store;
    this.feed = feed;
    Gauge.builder("secrets.state.listener.connected", connected, AtomicInteger::get)
        .description("1 while the change listener's LISTEN session is up, else 0 (replicas then rely on polling)")
        .register(registry);
    this.notifications = Counter.builder("secrets.state.notifications")
        .description("Change notifications received from other replicas").register(registry);
    this.reconnects = Counter.builder("secrets.state.listener.reconnects")
        .description("Times the change listener lost its session and reconnected").register(registry);
    this.thread = new Thread(this::run, "change-listener");
    this.thread.setDaemon(true);
  }

  /**
   * Starts listening in a background thread.
   *
   * @throws IllegalArgumentException when {@code store} is not PostgreSQL
   */
  public static ChangeListener start(StateStore store, ChangeFeed feed, MeterRegistry registry) {
    if (!store.shared()) {
      throw new IllegalArgumentException("change notifications exist only on a PostgreSQL state database");
    }
    ChangeListener l = new ChangeListener(store, feed, registry);
    l.thread.start();
    return l;
  }

  /** Whether the LISTEN session is up now. */
  public boolean connected() {
    return connected.get() == 1;
  }

  private void run() {
    long backoff = INITIAL_BACKOFF_MILLIS;
    boolean down = false;
    while (running) {
      try (Connection c = store.openDedicatedConnection(SOCKET_TIMEOUT_SECONDS)) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + ChangeFeed.CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        connected.set(1);
        if (down) {
          log.info("change listener is listening again");
          down = false;
        }
        backoff = INITIAL_BACKOFF_MILLIS;
        poll();
        listen(c, pg);
      } catch (SQLException | RuntimeException e) {
        connected.set(0);
        if (!running) {
          return;
        }
        if (!down) {
          log.warn("change listener lost its database session ({}); reconnecting, and other replicas' changes"
              + " arrive by polling meanwhile", e.getClass().getSimpleName());
          down = true;
        }
        reconnects.increment();
        try {
          Thread.sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
    connected.set(0);
  }

  private void listen(Connection c, PGConnection pg) throws SQLException {
    long lastHeard = System.nanoTime();
    while (running) {
      PGNotification[] received = pg.getNotifications(WAIT_MILLIS);
      long now = System.nanoTime();
      if (received != null && received.length > 0) {
        notifications.increment(received.length);
        poll();
        lastHeard = now;
      } else if (Duration.ofNanos(now - lastHeard).toMillis() >= PROBE_MILLIS) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        lastHeard = now;
      }
    }
  }

  private void poll() {
    try {
      feed.poll();
    } catch (RuntimeException e) {
      log.debug("change feed poll after a notification failed; the scheduled poll retries: {}", e.getMessage());
    }
  }

  /** Stops listening and closes the session (waits at most a few seconds). */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(WAIT_MILLIS + 2_000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
