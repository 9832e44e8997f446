package io.secretsbroker.core.audit;

import io.micrometer.core.instrument.MeterRegistry;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.AuditKey;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Fixtures shared by the core audit tests: keys, a fixed clock, entries, opening an {@link AuditLog}, waiting. */
final class AuditFixtures {
  static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
  static final AuditKey KEY = AuditKey.of(bytes(1));
  static final AuditKey OTHER_KEY = AuditKey.of(bytes(101));
  static final String GET = "secretsbroker.v1.SecretsService/GetSecret";
  static final String BATCH_GET = "secretsbroker.v1.SecretsService/BatchGetSecrets";
  static final String PUT = "secretsbroker.v1.SecretsService/PutSecret";
  static final Duration APPEND_TIMEOUT = Duration.ofSeconds(10);
  static final long AWAIT_SECONDS = 30;
  /** Periodic checkpoints off: a test's journal holds only what the test wrote (and the checkpoint at close). */
  static final Duration NO_PERIODIC_CHECKPOINT = Duration.ofHours(1);

  private AuditFixtures() {}

  private static byte[] bytes(int first) {
    byte[] b = new byte[AuditKey.BYTES];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  /** A read of {@code name} by {@code principal} at {@code T0 + millis}. */
  static AuditEntry.Builder access(String principal, String method, String name, String outcome, long millis) {
    return AuditEntry.builder(AuditEntry.Kind.ACCESS, T0.plusMillis(millis)).requestId("req-" + millis)
        .principal(principal).authMethod("token").tokenAccessor("acc-" + principal.hashCode()).peer("10.0.0.1:5000")
        .method(method).name(name).version("stage=current").outcome(outcome).latencyMicros(millis);
  }

  static AuditJournal.Settings settings(Path journalDir, String replica) {
    return new AuditJournal.Settings(journalDir, replica, AuditJournal.Settings.DEFAULT_SEGMENT_BYTES,
        NO_PERIODIC_CHECKPOINT, AuditJournal.Settings.DEFAULT_QUEUE_CAPACITY);
  }

  static AuditLog open(StateStore store, MeterRegistry registry, Path journalDir, String replica, AuditKey key,
      SegmentIo io) throws IOException {
    return AuditLog.open(store, registry, settings(journalDir, replica), key, null, CLOCK, io, APPEND_TIMEOUT);
  }

  /** Appends each entry, one after the other, waiting until each is durable. */
  static List<AuditRecord> appendAll(AuditLog log, List<AuditEntry> entries) {
    List<AuditRecord> out = new ArrayList<>();
    for (AuditEntry e : entries) {
      out.add(log.append(e));
    }
    return out;
  }

  /** The future's value within {@link #AWAIT_SECONDS}. */
  static <T> T await(Future<T> f) throws Exception {
    return f.get(AWAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Polls {@code condition} until it holds, failing after {@link #AWAIT_SECONDS}. */
  static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + AWAIT_SECONDS + " s: " + what);
      }
      LockSupport.parkNanos(5_000_000L);
    }
  }

  /** Waits until the log's index holds every record of its replica up to {@code sequence}. */
  static void awaitIndexed(AuditLog log, long sequence) {
    awaitTrue("replica " + log.replica() + " indexed up to " + sequence, () -> log.indexedSequence() >= sequence);
  }

  /** Every record matching the query's filters, fetched page by page through the cursor. */
  static List<AuditRecord> allPages(AuditLog log, AuditQuery q, int pageSize) {
    List<AuditRecord> out = new ArrayList<>();
    AuditQuery.Cursor after = null;
    for (int pages = 0; pages < 10_000; pages++) {
      List<AuditRecord> page = log.query(new AuditQuery(q.principal(), q.namePrefix(), q.method(), q.outcome(),
          q.requestId(), q.from(), q.to(), after, pageSize));
      out.addAll(page);
      if (page.size() < pageSize) {
        return out;
      }
      AuditRecord last = page.get(page.size() - 1);
      after = new AuditQuery.Cursor(last.entry().time().toEpochMilli(), last.replica(), last.sequence());
    }
    throw new AssertionError("paging did not end");
  }

  /** A query with only a limit. */
  static AuditQuery everything(int limit) {
    return new AuditQuery(null, null, null, null, null, null, null, null, limit);
  }

  /** Rows of {@code replica} in the index, and how many distinct sequences they hold. */
  static long[] rowsAndDistinctSequences(StateStore store, String replica) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT COUNT(*), COUNT(DISTINCT seq) FROM sb_audit_index WHERE replica = ?")) {
        ps.setString(1, replica);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new long[] {rs.getLong(1), rs.getLong(2)};
        }
      }
    });
  }

  /** Runs one SQL statement with arguments in a transaction; returns the update count. */
  static int sql(StateStore store, String statement, Object... args) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(statement)) {
        for (int i = 0; i < args.length; i++) {
          ps.setObject(i + 1, args[i]);
        }
        return ps.executeUpdate();
      }
    });
  }
}
