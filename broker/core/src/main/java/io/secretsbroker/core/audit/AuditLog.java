package io.secretsbroker.core.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.revocation.RevocationRegistry;
import io.secretsbroker.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit log. {@link #append} blocks until the entry is durable in the state database, or
 * throws: callers must then withhold their response (fail closed).
 *
 * <p>Appends are group-committed: one writer thread drains every waiting entry into one transaction (one
 * durable write per batch) and releases each caller when its batch has committed. Each record holds the SHA-256
 * of its canonical form, which includes the previous record's hash; the chain's head row is locked for the
 * append, so several replicas sharing one database produce one chain with no fork and no gap. Thread-safe.
 *
 * <p>A batch is never written twice. If its commit fails (the connection may drop during {@code COMMIT}, leaving
 * the outcome unknown), the writer asks the database once whether the batch's last record is there with its hash:
 * if so the batch did commit and its callers are released as usual; if not, or if the database cannot answer,
 * the callers fail ({@code UNAVAILABLE}, fail closed) and the entries are dropped, not retried — a retry would
 * append them again under new sequence numbers. So the log never lacks a record of a request that was answered,
 * and it may, rarely, hold the record of a request that was refused because its commit could not be confirmed
 * in time (counted by {@code secrets.audit.records.unconfirmed}). An entry whose caller gave up waiting before
 * its batch took the chain's head lock is not written at all.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  /** The previous hash of the first record. */
  public static final String GENESIS = "0".repeat(64);
  private static final int MAX_BATCH = 512;

  private record Pending(AuditEntry entry, CompletableFuture<AuditRecord> done) {}

  private final StateStore store;
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private final Duration appendTimeout;
  private final Counter written;
  private final Counter failures;
  private final Counter unconfirmed;
  private final DistributionSummary batchSizes;
  private final List<Consumer<List<AuditRecord>>> mirrors = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  /**
   * @param appendTimeout how long a caller waits for durability before its request fails
   */
  public AuditLog(StateStore store, MeterRegistry registry, Duration appendTimeout) {
    this.store = store;
    this.appendTimeout = appendTimeout;
    this.queue = new ArrayBlockingQueue<>(16_384);
    this.written = Counter.builder("secrets.audit.records.written").description("Audit records made durable")
        .register(registry);
    this.failures = Counter.builder("secrets.audit.write.failures")
        .description("Audit records that could not be made durable (their requests failed)").register(registry);
    this.unconfirmed = Counter.builder("secrets.audit.records.unconfirmed")
        .description("Records made durable whose requests had already been refused (commit outcome unknown in time)")
        .register(registry);
    this.batchSizes = DistributionSummary.builder("secrets.audit.batch.size")
        .description("Records per group commit").register(registry);
    this.writer = new Thread(this::writeLoop, "audit-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Adds a mirror (e.g. the JSON-lines file sink), called after each durable batch on the writer thread. */
  public void addMirror(Consumer<List<AuditRecord>> mirror) {
    mirrors.add(mirror);
  }

  /**
   * Appends an entry and waits until it is durable.
   *
   * @return the stored record
   * @throws BrokerException {@link Failure#UNAVAILABLE} when the entry could not be made durable in time
   */
  public AuditRecord append(AuditEntry entry) {
    CompletableFuture<AuditRecord> done = new CompletableFuture<>();
    if (!running || !queue.offer(new Pending(entry, done))) {
      failures.increment();
      throw unavailable(null);
    }
    try {
      return done.get(appendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return abandon(done, e);
    } catch (TimeoutException e) {
      return abandon(done, e);
    } catch (ExecutionException e) {
      failures.increment();
      throw unavailable(e);
    }
  }

  /** Gives up waiting: the writer skips the entry if it has not taken it yet; a record made meanwhile counts. */
  private AuditRecord abandon(CompletableFuture<AuditRecord> done, Exception why) {
    if (!done.completeExceptionally(why) && !done.isCompletedExceptionally()) {
      return done.join();
    }
    failures.increment();
    throw unavailable(why);
  }

  private static BrokerException unavailable(Throwable cause) {
    return new BrokerException(Failure.UNAVAILABLE,
        "the audit record could not be made durable; request refused", cause);
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        batch.removeIf(p -> p.done().isDone());
        if (batch.isEmpty()) {
          continue;
        }
        List<AuditRecord> attempted = new ArrayList<>(batch.size());
        try {
          List<AuditRecord> records;
          try {
            records = store.inTransaction(c -> appendBatch(c, batch, attempted));
          } catch (RuntimeException | AssertionError e) {
            if (!committedAnyway(attempted, batch.size())) {
              throw e;
            }
            log.warn("an audit batch of {} records committed although its commit reported a failure ({});"
                + " its requests proceed", batch.size(), e.getClass().getSimpleName());
            records = attempted;
          }
          int late = 0;
          for (int i = 0; i < batch.size(); i++) {
            if (!batch.get(i).done().complete(records.get(i))) {
              late++;
            }
          }
          if (late > 0) {
            unconfirmed.increment(late);
            log.warn("{} audit records became durable after their requests had been refused", late);
          }
          if (records.isEmpty()) {
            batch.clear();
            continue;
          }
          written.increment(records.size());
          batchSizes.record(records.size());
          for (Consumer<List<AuditRecord>> m : mirrors) {
            try {
              m.accept(records);
            } catch (RuntimeException e) {
              log.warn("audit mirror failed; the state database still holds the records", e);
            }
          }
        } catch (RuntimeException | Error e) {
          // Whatever a driver throws, the writer lives on: a dead writer would refuse every later request.
          log.error("audit batch of {} records could not be written; those requests fail: {} ({})", batch.size(),
              e.getMessage(), e.getCause() == null ? e.getClass().getSimpleName()
                  : e.getCause().getClass().getSimpleName());
          batch.forEach(p -> p.done().completeExceptionally(e));
          if (e instanceof VirtualMachineError fatal) {
            throw fatal;
          }
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Whether a batch whose transaction reported a failure is in the database anyway (the connection dropped
   * during COMMIT): its last record's sequence holds its hash. False when the batch was not fully prepared or the
   * database cannot answer.
   */
  private boolean committedAnyway(List<AuditRecord> attempted, int size) {
    if (size == 0 || attempted.size() != size) {
      return false;
    }
    AuditRecord last = attempted.get(size - 1);
    try {
      return store.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM sb_audit WHERE seq = ?")) {
          ps.setLong(1, last.sequence());
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getString(1).equals(last.hash());
          }
        }
      });
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
  }

  private static List<AuditRecord> appendBatch(Connection c, List<Pending> batch, List<AuditRecord> out)
      throws SQLException {
    out.clear();
    long seq;
    String prev;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT last_seq, last_hash FROM sb_audit_head WHERE id = 1 FOR UPDATE");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("audit head row missing");
      }
      seq = rs.getLong(1);
      prev = rs.getString(2);
    }
    // Waiting for a connection or for the head lock may have outlasted some callers: their entries are not written.
    batch.removeIf(p -> p.done().isDone());
    if (batch.isEmpty()) {
      return out;
    }
    try (PreparedStatement ins = c.prepareStatement("INSERT INTO sb_audit (seq, time_ms, request_id, principal,"
        + " peer, method, name, version, outcome, cache_hit, latency_us, detail, prev_hash, hash)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Pending p : batch) {
        seq++;
        AuditEntry e = p.entry();
        String hash = hash(seq, e, prev);
        ins.setLong(1, seq);
        ins.setLong(2, e.time().toEpochMilli());
        ins.setString(3, e.requestId());
        ins.setString(4, e.principal());
        ins.setString(5, e.peer());
        ins.setString(6, e.method());
        ins.setString(7, e.name());
        ins.setString(8, e.version());
        ins.setString(9, e.outcome());
        ins.setBoolean(10, e.cacheHit());
        ins.setLong(11, e.latencyMicros());
        ins.setString(12, e.detail());
        ins.setString(13, prev);
        ins.setString(14, hash);
        ins.addBatch();
        out.add(new AuditRecord(seq, e, prev, hash));
        prev = hash;
      }
      ins.executeBatch();
    }
    try (PreparedStatement up = c.prepareStatement(
        "UPDATE sb_audit_head SET last_seq = ?, last_hash = ? WHERE id = 1")) {
      up.setLong(1, seq);
      up.setString(2, prev);
      up.executeUpdate();
    }
    return out;
  }

  /** The canonical form of a record: every field, length-prefixed, so no two records share a form. */
  static String canonical(long seq, AuditEntry e, String previousHash) {
    StringBuilder sb = new StringBuilder(256);
    field(sb, Long.toString(seq));
    field(sb, Long.toString(e.time().toEpochMilli()));
    field(sb, e.requestId());
    field(sb, e.principal());
    field(sb, e.peer());
    field(sb, e.method());
    field(sb, e.name());
    field(sb, e.version());
    field(sb, e.outcome());
    field(sb, Boolean.toString(e.cacheHit()));
    field(sb, Long.toString(e.latencyMicros()));
    field(sb, e.detail());
    field(sb, previousHash);
    return sb.toString();
  }

  private static void field(StringBuilder sb, String v) {
    sb.append(v.length()).append(':').append(v).append(';');
  }

  static String hash(long seq, AuditEntry e, String previousHash) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(canonical(seq, e, previousHash).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /**
   * Recomputes the chain from {@code from} to {@code to} (inclusive; 0 = the ends) and reports the first record
   * whose hash, link or sequence is wrong. Also checks the head row against the last record, so deleting the
   * newest records is detected.
   */
  public ChainVerification verify(long from, long to) {
    return store.inTransaction(c -> {
      long head;
      String headHash;
      try (PreparedStatement ps = c.prepareStatement("SELECT last_seq, last_hash FROM sb_audit_head WHERE id = 1");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        head = rs.getLong(1);
        headHash = rs.getString(2);
      }
      long start = Math.max(1, from);
      long end = to <= 0 ? head : Math.min(to, head);
      String expectedPrev = null;
      if (start > 1) {
        try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM sb_audit WHERE seq = ?")) {
          ps.setLong(1, start - 1);
          try (ResultSet rs = ps.executeQuery()) {
            expectedPrev = rs.next() ? rs.getString(1) : null;
          }
        }
      } else {
        expectedPrev = GENESIS;
      }
      long checked = 0;
      long expectedSeq = start;
      long cursor = start - 1;
      String lastHash = expectedPrev;
      while (cursor < end) {
        List<AuditRecord> page = readRange(c, cursor, end, 2_000);
        if (page.isEmpty()) {
          break;
        }
        for (AuditRecord r : page) {
          if (r.sequence() != expectedSeq) {
            return new ChainVerification(false, checked, expectedSeq, "record " + expectedSeq + " is missing");
          }
          if (expectedPrev != null && !expectedPrev.equals(r.previousHash())) {
            return new ChainVerification(false, checked, r.sequence(),
                "record " + r.sequence() + " does not link to the record before it");
          }
          String recomputed = hash(r.sequence(), r.entry(), r.previousHash());
          if (!recomputed.equals(r.hash())) {
            return new ChainVerification(false, checked, r.sequence(),
                "record " + r.sequence() + " was changed after it was written (hash mismatch)");
          }
          checked++;
          expectedSeq++;
          expectedPrev = r.hash();
          lastHash = r.hash();
          cursor = r.sequence();
        }
      }
      if (expectedSeq <= end) {
        return new ChainVerification(false, checked, expectedSeq, "record " + expectedSeq + " is missing");
      }
      if (end == head && head > 0 && !headHash.equals(lastHash)) {
        return new ChainVerification(false, checked, head, "the newest record does not match the chain head");
      }
      return new ChainVerification(true, checked, 0, "");
    });
  }

  private static List<AuditRecord> readRange(Connection c, long after, long end, int max) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE seq > ? AND seq <= ? ORDER BY seq"
        + " FETCH FIRST " + max + " ROWS ONLY")) {
      ps.setLong(1, after);
      ps.setLong(2, end);
      return rows(ps);
    }
  }

  private static final String SELECT = "SELECT seq, time_ms, request_id, principal, peer, method, name, version,"
      + " outcome, cache_hit, latency_us, detail, prev_hash, hash FROM sb_audit";

  private static List<AuditRecord> rows(PreparedStatement ps) throws SQLException {
    List<AuditRecord> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        AuditEntry e = new AuditEntry(Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getBoolean(10),
            rs.getLong(11), rs.getString(12));
        out.add(new AuditRecord(rs.getLong(1), e, rs.getString(13), rs.getString(14)));
      }
    }
    return out;
  }

  /** Records matching {@code q}, newest first. */
  public List<AuditRecord> query(AuditQuery q) {
    StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (q.principal() != null && !q.principal().isEmpty()) {
      sql.append(" AND principal = ?");
      args.add(q.principal());
    }
    if (q.namePrefix() != null && !q.namePrefix().isEmpty()) {
      sql.append(" AND name LIKE ? ESCAPE '\\'");
      args.add(RevocationRegistry.likePrefix(q.namePrefix()));
    }
    if (q.method() != null && !q.method().isEmpty()) {
      if (q.method().contains("/")) {
        sql.append(" AND method = ?");
        args.add(q.method());
      } else {
        sql.append(" AND method LIKE ? ESCAPE '\\'");
        args.add("%/" + q.method().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
      }
    }
    if (q.outcome() != null && !q.outcome().isEmpty()) {
      sql.append(" AND outcome = ?");
      args.add(q.outcome());
    }
    if (q.from() != null) {
      sql.append(" AND time_ms >= ?");
      args.add(q.from().toEpochMilli());
    }
    if (q.to() != null) {
      sql.append(" AND time_ms < ?");
      args.add(q.to().toEpochMilli());
    }
    if (q.beforeSequence() > 0) {
      sql.append(" AND seq < ?");
      args.add(q.beforeSequence());
    }
    sql.append(" ORDER BY seq DESC FETCH FIRST ").append(q.limit()).append(" ROWS ONLY");
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setObject(i + 1, args.get(i));
        }
        return rows(ps);
      }
    });
  }

  /** Per-secret read statistics under a prefix, by name. */
  public Map<String, AccessStats> accessStats(String prefix) {
    return store.inTransaction(c -> {
      Map<String, AccessStats> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT name,"
          + " SUM(CASE WHEN outcome = 'OK' THEN 1 ELSE 0 END),"
          + " MAX(CASE WHEN outcome = 'OK' THEN seq ELSE 0 END),"
          + " SUM(CASE WHEN outcome = 'PERMISSION_DENIED' THEN 1 ELSE 0 END)"
          + " FROM sb_audit WHERE name LIKE ? ESCAPE '\\' AND method LIKE '%/GetSecret' GROUP BY name ORDER BY name")) {
        ps.setString(1, RevocationRegistry.likePrefix(prefix));
        List<long[]> lastSeqs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            names.add(rs.getString(1));
            lastSeqs.add(new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
          }
        }
        try (PreparedStatement last = c.prepareStatement("SELECT time_ms, principal FROM sb_audit WHERE seq = ?")) {
          for (int i = 0; i < names.size(); i++) {
            long[] v = lastSeqs.get(i);
            Instant when = null;
            String who = "";
            if (v[1] > 0) {
              last.setLong(1, v[1]);
              try (ResultSet rs = last.executeQuery()) {
                if (rs.next()) {
                  when = Instant.ofEpochMilli(rs.getLong(1));
                  who = rs.getString(2);
                }
              }
            }
            out.put(names.get(i), new AccessStats(names.get(i), v[0], when, who, v[2]));
          }
        }
      }
      return out;
    });
  }

  /** Stops accepting entries and writes those already queued. */
  @Override
  public void close() {
    running = false;
    try {
      writer.join(appendTimeout.toMillis() + 1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
