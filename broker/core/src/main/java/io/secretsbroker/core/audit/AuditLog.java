package io.secretsbroker.core.audit;

import io.micrometer.core.instrument.MeterRegistry;
import io.secretsbroker.audit.Anchor;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.AuditKey;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.audit.AuditUnavailableException;
import io.secretsbroker.audit.AuditVerifier;
import io.secretsbroker.audit.Checkpoint;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.JournalReader;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.state.StateStore;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's audit log: this replica's {@link AuditJournal} (the record of truth: append-only segment files, group
 * commit, HMAC chain, anchored checkpoints) and the {@link AuditIndex} every replica fills in the state database
 * (for queries). {@link #appendAsync} completes when a record is durable; callers withhold their response until
 * then (fail closed). Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final int CROSS_CHECK_CHUNK = 1_000;

  private final AuditJournal journal;
  private final AuditIndex index;
  private final AuditIndexer indexer;
  private final Anchor anchor;
  private final Duration appendTimeout;
  private final List<Consumer<List<AuditRecord>>> mirrors = new CopyOnWriteArrayList<>();
  private final Object retentionLock = new Object();

  private AuditLog(AuditJournal journal, AuditIndex index, Anchor anchor, Duration appendTimeout) {
    this.journal = journal;
    this.index = index;
    this.indexer = new AuditIndexer(journal, index);
    this.anchor = anchor;
    this.appendTimeout = appendTimeout;
  }

  /**
   * Opens the journal (recovering it) and starts indexing it.
   *
   * @param anchor where checkpoints are anchored, or null for none
   * @throws IOException when the journal directory cannot be used
   */
  public static AuditLog open(StateStore store, MeterRegistry registry, AuditJournal.Settings settings, AuditKey key,
      Anchor anchor, Clock clock, SegmentIo io, Duration appendTimeout) throws IOException {
    AuditMetrics metrics = new AuditMetrics(registry);
    AuditJournal journal = AuditJournal.open(settings, key, anchor, clock, io, metrics);
    AuditLog audit = new AuditLog(journal, new AuditIndex(store), anchor, appendTimeout);
    metrics.onDurable(audit::durable);
    audit.indexer.start();
    return audit;
  }

  private void durable(List<AuditRecord> records) {
    for (Consumer<List<AuditRecord>> m : mirrors) {
      try {
        m.accept(records);
      } catch (RuntimeException e) {
        log.warn("audit mirror failed ({}); the journal still holds the records", e.getClass().getSimpleName());
      }
    }
  }

  /** Adds a mirror (the JSON-lines file), called with each durable batch on the journal's thread. */
  public void addMirror(Consumer<List<AuditRecord>> mirror) {
    mirrors.add(mirror);
  }

  /** The journal (the record of truth). */
  public AuditJournal journal() {
    return journal;
  }

  /** This replica's id. */
  public String replica() {
    return journal.replica();
  }

  /**
   * Appends entries that become durable together.
   *
   * @return completes with the records, or exceptionally with {@link AuditUnavailableException}
   */
  public CompletableFuture<List<AuditRecord>> appendAsync(List<AuditEntry> entries) {
    return journal.appendAll(entries);
  }

  /**
   * Appends one entry and waits until it is durable (intents of mutations, scheduled rotations).
   *
   * @throws BrokerException {@link Failure#UNAVAILABLE} when it could not be made durable in time
   */
  public AuditRecord append(AuditEntry entry) {
    try {
      return journal.append(entry).get(appendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(e);
    } catch (ExecutionException | TimeoutException e) {
      throw unavailable(e);
    }
  }

  /** How long a caller waits for its record to become durable, in milliseconds. */
  public long appendTimeoutMillis() {
    return appendTimeout.toMillis();
  }

  /** The failure a caller gets when its record could not be made durable. */
  public static BrokerException unavailable(Throwable cause) {
    return new BrokerException(Failure.UNAVAILABLE, "the audit record could not be made durable; request refused",
        cause);
  }

  /** The index (the archiver deletes the rows of archived segments). */
  AuditIndex index() {
    return index;
  }

  /**
   * Held while segments are listed and verified, and while the archiver deletes a segment and its index rows, so a
   * verification never sees a segment vanish half-way.
   */
  Object retentionLock() {
    return retentionLock;
  }

  /** The newest sequence of this replica copied to the index. */
  public long indexedSequence() {
    return indexer.indexed();
  }

  /**
   * Records matching {@code q}, newest first, from the index. Waits (at most {@link #INDEX_WAIT}) until the index
   * holds every record of this replica that was durable when the query arrived, so an auditor sees what was just
   * answered; other replicas' records arrive within their indexers' lag (well under a second).
   */
  public List<AuditRecord> query(AuditQuery q) {
    awaitIndexed();
    return index.query(q);
  }

  /** Per-secret read statistics under a prefix, by name (after the same wait as {@link #query}). */
  public Map<String, AccessStats> accessStats(String prefix) {
    awaitIndexed();
    return index.accessStats(prefix);
  }

  /** The longest a query waits for the index to catch up with this replica's journal. */
  public static final Duration INDEX_WAIT = Duration.ofSeconds(2);

  private void awaitIndexed() {
    long target = journal.durableSequence();
    long deadline = System.nanoTime() + INDEX_WAIT.toNanos();
    while (indexer.indexed() < target && System.nanoTime() < deadline) {
      indexer.wake();
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
    }
  }

  /**
   * Verifies this replica's journal in [{@code from}, {@code to}] (0 = the ends) against its anchor, and that the
   * index agrees with it; then every other replica's chain as the index holds it (with the same key, so replicas
   * must share {@code audit.key-file}).
   */
  public List<ChainVerification> verify(long from, long to) {
    List<ChainVerification> out = new ArrayList<>();
    out.add(verifyLocal(from, to));
    for (String replica : index.replicas()) {
      if (!replica.equals(journal.replica())) {
        out.add(verifyIndexed(replica, from, to));
      }
    }
    return out;
  }

  private ChainVerification verifyLocal(long from, long to) {
    awaitIndexed();
    synchronized (retentionLock) {
      return verifyLocalLocked(from, to);
    }
  }

  private ChainVerification verifyLocalLocked(long from, long to) {
    Optional<Checkpoint> anchored = Optional.empty();
    if (anchor != null) {
      try {
        anchored = anchor.latest(journal.replica());
      } catch (IOException e) {
        return new ChainVerification(journal.replica(), false, 0, 0, "the anchor (" + anchor.describe()
            + ") cannot be read: " + e.getClass().getSimpleName(), "journal", 0, null);
      }
    }
    List<java.nio.file.Path> segments;
    try {
      segments = JournalReader.segments(journal.dir());
    } catch (IOException e) {
      throw new BrokerException(Failure.UNAVAILABLE, "the audit journal cannot be listed", e);
    }
    long indexedUpTo = indexer.indexed();
    CrossCheck check = new CrossCheck(journal.replica(), indexedUpTo);
    AuditVerifier.Result r = AuditVerifier.verify(segments, journal::readableLength, journal.key(), journal.replica(),
        anchored, from, to, check);
    Optional<String> indexProblem = r.ok() ? check.finish(from <= 0 ? r.firstSequence() : from,
        Math.min(to <= 0 ? r.lastSequence() : to, indexedUpTo)) : Optional.empty();
    if (r.ok() && indexProblem.isEmpty() && from <= 1 && to <= 0) {
      // rows outside the indexed chain are never compared record by record: an invented row beyond the end
      // (which also stops the indexer at that sequence) or below 1
      OptionalLong stray = index.strayRow(journal.replica());
      if (stray.isPresent()) {
        check.fail(stray.getAsLong(), "the index holds a row " + stray.getAsLong() + " that is not in the journal");
        indexProblem = Optional.of(check.problem);
      }
    }
    long cpSeq = r.newestCheckpoint().map(Checkpoint::sequence).orElse(0L);
    java.time.Instant cpTime = r.newestCheckpoint().map(Checkpoint::time).orElse(null);
    if (!r.ok()) {
      return new ChainVerification(journal.replica(), false, r.recordsChecked(), r.firstBrokenSequence(), r.reason(),
          "journal", cpSeq, cpTime);
    }
    if (indexProblem.isPresent()) {
      return new ChainVerification(journal.replica(), false, r.recordsChecked(), check.brokenAt, indexProblem.get(),
          "journal", cpSeq, cpTime);
    }
    return new ChainVerification(journal.replica(), true, r.recordsChecked(), 0, "", "journal", cpSeq, cpTime);
  }

  /** Compares verified journal records with the index rows, chunk by chunk. */
  private final class CrossCheck implements Consumer<AuditRecord> {
    private final String replica;
    private final long indexedUpTo;
    private final List<AuditRecord> pending = new ArrayList<>(CROSS_CHECK_CHUNK);
    private String problem;
    private long brokenAt;
    private long compared;

    CrossCheck(String replica, long indexedUpTo) {
      this.replica = replica;
      this.indexedUpTo = indexedUpTo;
    }

    @Override
    public void accept(AuditRecord r) {
      if (problem != null || r.sequence() > indexedUpTo) {
        return;
      }
      pending.add(r);
      if (pending.size() == CROSS_CHECK_CHUNK) {
        flush();
      }
    }

    private void flush() {
      if (pending.isEmpty() || problem != null) {
        pending.clear();
        return;
      }
      long first = pending.get(0).sequence();
      long last = pending.get(pending.size() - 1).sequence();
      List<AuditRecord> rows = index.range(replica, first, last, pending.size() + 1);
      int j = 0;
      for (AuditRecord r : pending) {
        AuditRecord row = j < rows.size() ? rows.get(j) : null;
        if (row == null || row.sequence() > r.sequence()) {
          fail(r.sequence(), "the index row of record " + r.sequence() + " is missing (deleted from the database)");
          break;
        }
        if (row.sequence() < r.sequence()) {
          fail(row.sequence(), "the index holds a row " + row.sequence() + " that is not in the journal");
          break;
        }
        if (!row.equals(r)) {
          fail(r.sequence(), "the index row of record " + r.sequence() + " differs from the journal");
          break;
        }
        compared++;
        j++;
      }
      if (problem == null && j < rows.size()) {
        fail(rows.get(j).sequence(), "the index holds a row " + rows.get(j).sequence() + " that is not in the journal");
      }
      pending.clear();
    }

    private void fail(long seq, String why) {
      if (problem == null) {
        problem = why;
        brokenAt = seq;
      }
    }

    Optional<String> finish(long from, long to) {
      flush();
      return Optional.ofNullable(problem);
    }
  }

  /** Verifies another replica's chain from its index rows (the MACs need the shared key). */
  private ChainVerification verifyIndexed(String replica, long from, long to) {
    Mac mac = journal.key().newMac();
    HexFormat hex = HexFormat.of();
    long cursor = Math.max(1, from);
    long end = to <= 0 ? Long.MAX_VALUE : to;
    byte[] prev = null;
    long expected = -1;
    long checked = 0;
    while (cursor <= end) {
      List<AuditRecord> rows = index.range(replica, cursor, end, 2_000);
      if (rows.isEmpty()) {
        break;
      }
      for (AuditRecord r : rows) {
        if (expected >= 0 && r.sequence() != expected) {
          return new ChainVerification(replica, false, checked, expected, "record " + expected
              + " is missing from the index", "index", 0, null);
        }
        if (prev == null && r.sequence() == 1) {
          prev = journal.key().genesis(replica);
        }
        byte[] stored = hex.parseHex(r.mac());
        if (prev != null) {
          byte[] m = JournalFormat.recordMac(mac, prev, r.sequence(), r.entry());
          if (!MessageDigest.isEqual(m, stored)) {
            return new ChainVerification(replica, false, checked, r.sequence(), "record " + r.sequence()
                + " does not verify (changed, or the replicas do not share audit.key-file)", "index", 0, null);
          }
        }
        prev = stored;
        expected = r.sequence() + 1;
        checked++;
        cursor = r.sequence() + 1;
      }
    }
    return new ChainVerification(replica, true, checked, 0, "", "index", 0, null);
  }

  /** Stops taking entries, writes those queued, checkpoints, and stops indexing. */
  @Override
  public void close() {
    journal.close();
    indexer.close();
  }
}
