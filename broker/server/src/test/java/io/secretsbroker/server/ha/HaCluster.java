package io.secretsbroker.server.ha;

import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.server.Poll;
import io.secretsbroker.server.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Broker replicas on one fresh PostgreSQL database, each in its own data folder and behind its own
 * {@link PgProxy}, sharing the local backend's master key file, the root token file and the audit key file. Each
 * replica keeps its own audit journal (in its data folder) under its own replica id ({@code replica-A}, ...) and
 * indexes it into the shared {@code sb_audit_index}. Mounts: {@code ""} is {@code local}; {@code rot/} is
 * {@code ha-gated} (local plus a crash gate) with a one-hour rotation interval.
 */
final class HaCluster implements AutoCloseable {
  final HaDatabase db;
  final List<Replica> replicas = new ArrayList<>();
  private final Path dir;
  private final Clock clock;

  /** One broker and its path to the database. */
  static final class Replica {
    final String name;
    final String auditReplica;
    final Path dataDir;
    final PgProxy proxy;
    TestBroker broker;

    Replica(String name, Path dataDir, PgProxy proxy) {
      this.name = name;
      this.auditReplica = "replica-" + name;
      this.dataDir = dataDir;
      this.proxy = proxy;
    }

    /** This replica's audit journal (the record of truth for its records). */
    AuditJournal journal() {
      return broker.server().audit().journal();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private HaCluster(HaDatabase db, Path dir, Clock clock) {
    this.db = db;
    this.dir = dir;
    this.clock = clock;
  }

  /** Starts {@code n} replicas one after another (the first one migrates the schema and makes the root token). */
  static HaCluster start(Path dir, int n, Clock clock) throws Exception {
    HaCluster c = new HaCluster(HaDatabase.create(), dir, clock);
    try {
      for (int i = 0; i < n; i++) {
        String name = String.valueOf((char) ('A' + i));
        Replica r = new Replica(name, dir.resolve("replica-" + name), new PgProxy(HaDatabase.address()));
        c.replicas.add(r);
        r.broker = TestBroker.start(r.dataDir, c.yaml(r), clock);
      }
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  Replica get(int i) {
    return replicas.get(i);
  }

  String yaml(Replica r) {
    String shared = dir.toAbsolutePath().toString();
    return String.join("\n",
        "state:",
        "  type: postgresql",
        "  url: \"" + db.urlVia(r.proxy.port()) + "\"",
        "  username: postgres",
        "  pool-size: 4",
        "mounts:",
        "  - prefix: \"\"",
        "    backend: {type: local, master-key-file: \"" + shared + "/master.key\"}",
        "  - prefix: \"rot/\"",
        "    backend: {type: ha-gated, master-key-file: \"" + shared + "/master.key\"}",
        "auth:",
        "  root-token-file: \"" + shared + "/root-token\"",
        "change-poll-interval: 1s",
        "shutdown-grace: 1s",
        "audit:",
        "  append-timeout: 2s",
        "  key-file: \"" + shared + "/audit.key\"",
        "  replica-id: " + r.auditReplica,
        "rotation:",
        "  scan-interval: 1h",
        "  max-jitter: 0s",
        "  prefixes:",
        "    - {prefix: \"rot/\", interval: 1h}",
        "");
  }

  String rootToken() throws Exception {
    return Files.readString(dir.resolve("root-token")).trim();
  }

  /**
   * One replica's rows in the audit index with sequences in ({@code after}, {@code upTo}], read directly.
   *
   * @param rows how many rows
   * @param requests how many distinct request ids they hold
   * @param first the lowest sequence (0 when none)
   * @param last the highest sequence (0 when none)
   */
  record IndexExtent(long rows, long requests, long first, long last) {}

  IndexExtent indexExtent(Replica r, long after, long upTo) {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*),"
        + " COUNT(DISTINCT request_id), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM sb_audit_index"
        + " WHERE replica = ? AND seq > ? AND seq <= ?")) {
      ps.setString(1, r.auditReplica);
      ps.setLong(2, after);
      ps.setLong(3, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new IndexExtent(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the audit index failed", e);
    }
  }

  /** One replica's whole index. */
  IndexExtent indexExtent(Replica r) {
    return indexExtent(r, 0, Long.MAX_VALUE);
  }

  /**
   * Waits until the index holds every record each replica's journal has made durable (indexers catch up
   * asynchronously, and only while they reach the database).
   *
   * @return how long it took, in milliseconds
   */
  long awaitIndexCaughtUp(Duration limit) {
    return Poll.until("every replica's audit index reaches the end of its journal", limit,
        () -> replicas.stream().allMatch(r -> indexExtent(r).last() >= r.journal().durableSequence()));
  }

  @Override
  public void close() throws Exception {
    GatedBackendProvider.disarmAll();
    for (Replica r : replicas) {
      try {
        if (r.broker != null) {
          r.broker.close();
        }
      } finally {
        r.proxy.close();
      }
    }
    db.close();
  }
}
