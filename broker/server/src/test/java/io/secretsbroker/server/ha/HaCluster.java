package io.secretsbroker.server.ha;

import io.secretsbroker.server.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Broker replicas on one fresh PostgreSQL database, each in its own data folder and behind its own
 * {@link PgProxy}, sharing the local backend's master key file and the root token file. Mounts: {@code ""} is
 * {@code local}; {@code rot/} is {@code ha-gated} (local plus a crash gate) with a one-hour rotation interval.
 */
final class HaCluster implements AutoCloseable {
  final HaDatabase db;
  final List<Replica> replicas = new ArrayList<>();
  private final Path dir;
  private final Clock clock;

  /** One broker and its path to the database. */
  static final class Replica {
    final String name;
    final Path dataDir;
    final PgProxy proxy;
    TestBroker broker;

    Replica(String name, Path dataDir, PgProxy proxy) {
      this.name = name;
      this.dataDir = dataDir;
      this.proxy = proxy;
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

  /** The audit chain's head sequence, read directly. */
  long auditHead() throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT last_seq FROM sb_audit_head WHERE id = 1")) {
      rs.next();
      return rs.getLong(1);
    }
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
