package io.secretsbroker.core.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered record of changes to secrets, kept in the state database so every replica sees every change.
 * {@link #publish} records a change and tells this replica's subscribers at once; {@link #poll()} (called on a
 * schedule, and when another replica signals) delivers changes other replicas recorded. Each event reaches each
 * subscriber once. On PostgreSQL, recording a change also sends {@code NOTIFY} on {@value #CHANNEL} in the same
 * transaction, so other replicas' {@link ChangeListener}s poll as soon as it commits. Thread-safe.
 */
public final class ChangeFeed {
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
  /** Events are re-scanned this far back, so ids committed out of order by concurrent writers are not missed. */
  private static final long RESCAN_WINDOW = 1_000;
  private static final int SEEN_LIMIT = 20_000;
  /** The PostgreSQL notification channel; the payload is the event id. */
  static final String CHANNEL = "sb_changes";

  private final StateStore store;
  private final Clock clock;
  private final List<Consumer<ChangeEvent>> subscribers = new CopyOnWriteArrayList<>();
  private final Map<Long, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > SEEN_LIMIT;
    }
  };
  private long highWater;

  public ChangeFeed(StateStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.highWater = store.inTransaction(c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(event_id) FROM sb_events")) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** Adds a subscriber; it is called on the publishing or polling thread and must not block. */
  public void subscribe(Consumer<ChangeEvent> subscriber) {
    subscribers.add(subscriber);
  }

  /** Removes a subscriber. */
  public void unsubscribe(Consumer<ChangeEvent> subscriber) {
    subscribers.remove(subscriber);
  }

  /**
   * Records a change and delivers it to this replica's subscribers.
   *
   * @return the event
   * @throws io.secretsbroker.core.BrokerException UNAVAILABLE when the database fails (nothing recorded)
   */
  public ChangeEvent publish(ChangeEvent.Type type, String name, String version) {
    return publishIf(type, name, version, c -> true).orElseThrow();
  }

  /**
   * Runs {@code work} and, when it returns true, records a change in the same transaction, then delivers the
   * change to this replica's subscribers: the change is recorded if and only if the work is committed.
   *
   * @return the event, or empty when {@code work} returned false (nothing recorded, work still committed)
   * @throws io.secretsbroker.core.BrokerException UNAVAILABLE when the database fails (nothing committed)
   */
  public Optional<ChangeEvent> publishIf(ChangeEvent.Type type, String name, String version,
      StateStore.Work<Boolean> work) {
    Instant now = clock.instant();
    String v = version == null ? "" : version;
    Long id = store.inTransaction(c -> work.run(c) ? insert(c, type, name, v, now) : null);
    if (id == null) {
      return Optional.empty();
    }
    ChangeEvent event = new ChangeEvent(id, type, name, v, now);
    if (markSeen(id)) {
      deliver(event);
    }
    return Optional.of(event);
  }

  private long insert(Connection c, ChangeEvent.Type type, String name, String version, Instant now)
      throws SQLException {
    long id;
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO sb_events (event_type, name, version, created_ms) VALUES (?, ?, ?, ?)",
        Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, type.name());
      ps.setString(2, name);
      ps.setString(3, version);
      ps.setLong(4, now.toEpochMilli());
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        id = keys.getLong(1);
      }
    }
    if (store.shared()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        ps.setString(1, CHANNEL);
        ps.setString(2, Long.toString(id));
        ps.execute();
      }
    }
    return id;
  }

  /** Delivers changes recorded by other replicas since the last poll; returns how many were new. */
  public int poll() {
    long from;
    synchronized (this) {
      from = Math.max(0, highWater - RESCAN_WINDOW);
    }
    List<ChangeEvent> events = since(from, 10_000);
    int delivered = 0;
    for (ChangeEvent e : events) {
      if (markSeen(e.id())) {
        deliver(e);
        delivered++;
      }
    }
    return delivered;
  }

  /** Events with id greater than {@code afterId}, oldest first, at most {@code max}. */
  public List<ChangeEvent> since(long afterId, int max) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT event_id, event_type, name, version, created_ms FROM sb_events WHERE event_id > ?"
              + " ORDER BY event_id FETCH FIRST " + max + " ROWS ONLY")) {
        ps.setLong(1, afterId);
        List<ChangeEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new ChangeEvent(rs.getLong(1), ChangeEvent.Type.valueOf(rs.getString(2)), rs.getString(3),
                rs.getString(4), Instant.ofEpochMilli(rs.getLong(5))));
          }
        }
        return out;
      }
    });
  }

  /** The highest event id this replica has seen. */
  public synchronized long highWater() {
    return highWater;
  }

  private synchronized boolean markSeen(long id) {
    highWater = Math.max(highWater, id);
    return seen.put(id, Boolean.TRUE) == null;
  }

  private void deliver(ChangeEvent event) {
    for (Consumer<ChangeEvent> s : subscribers) {
      try {
        s.accept(event);
      } catch (RuntimeException e) {
        log.warn("change subscriber failed on event {}", event.id(), e);
      }
    }
  }
}
