package io.secretsbroker.core.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.secretsbroker.audit.ArchiveFiles;
import io.secretsbroker.audit.ArchiveStore;
import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.AuditVerifier;
import io.secretsbroker.audit.Checkpoint;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.JournalReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code audit.retention} to this replica's journal, oldest segment first: a closed segment (never the one
 * being written) that was closed longer than {@code retention} ago and whose records are all indexed is verified,
 * copied to the archive with the checkpoint covering its last record, and read back from there and compared; only
 * then are its index rows deleted and, last, the local file. Without an archive, such segments are deleted (and
 * their index rows) with a warning. The first segment that cannot be handled stops the run, so segments leave the
 * journal strictly in order and a local segment is never deleted unless its archived copy was verified.
 *
 * <p>Runs {@linkplain #schedule once at start and every} {@link #INTERVAL}; {@link #runOnce()} runs one pass (tests).
 * The segment's age is the creation time of the segment after it (written when it was closed, so never earlier than
 * its last record). Thread-safe: passes do not overlap.
 */
public final class AuditArchiver implements Runnable {
  /** How often the archiver runs (and once at start). */
  public static final Duration INTERVAL = Duration.ofMinutes(10);
  private static final Logger log = LoggerFactory.getLogger(AuditArchiver.class);
  private static final String CHECK_DIR = ".archive-check";

  private final AuditLog audit;
  private final Optional<ArchiveStore> archive;
  private final Duration retention;
  private final Clock clock;
  private final LongSupplier indexed;
  private final Counter archived;
  private final Counter failures;

  /**
   * An archiver for {@code audit}'s journal.
   *
   * @param archive where segments go before deletion; empty: they are deleted unarchived
   * @param retention how long a closed segment stays in the journal
   */
  public AuditArchiver(AuditLog audit, Optional<ArchiveStore> archive, Duration retention, Clock clock,
      MeterRegistry registry) {
    this(audit, archive, retention, clock, registry, audit::indexedSequence);
  }

  AuditArchiver(AuditLog audit, Optional<ArchiveStore> archive, Duration retention, Clock clock,
      MeterRegistry registry, LongSupplier indexed) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.archive = Objects.requireNonNull(archive, "archive");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.indexed = Objects.requireNonNull(indexed, "indexed");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("audit.retention must be positive, was " + retention);
    }
    archived = Counter.builder("secrets.audit.archived.segments")
        .description("Journal segments copied to audit.archive, verified there and removed locally")
        .register(registry);
    failures = Counter.builder("secrets.audit.archive.failures")
        .description("Archive passes stopped by a segment that could not be archived or removed (it is kept)")
        .register(registry);
    Gauge.builder("secrets.audit.journal.bytes", this, AuditArchiver::journalBytes).baseUnit("bytes")
        .description("Bytes in this replica's audit journal directory").register(registry);
  }

  /** Runs a pass now and then every {@link #INTERVAL} on {@code scheduler}. */
  public ScheduledFuture<?> schedule(ScheduledExecutorService scheduler) {
    return scheduler.scheduleWithFixedDelay(this, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One pass; failures are logged (by class and safe message) and counted, never thrown. */
  @Override
  public void run() {
    try {
      runOnce();
    } catch (IOException | RuntimeException e) {
      failures.increment();
      log.error("audit retention stopped; the segment is kept and retried in {} min: {}: {}", INTERVAL.toMinutes(),
          e.getClass().getSimpleName(), e.getMessage());
    }
  }

  /**
   * One pass over the closed segments, oldest first.
   *
   * @return how many segments left the journal directory
   * @throws IOException when a segment could not be verified, archived, checked or removed; the segments before it
   *     were handled, it and those after it are kept
   */
  public synchronized int runOnce() throws IOException {
    AuditJournal journal = audit.journal();
    List<Path> segments = JournalReader.segments(journal.dir());
    String live = journal.durableEnd().segment().getFileName().toString();
    Instant cutoff = clock.instant().minus(retention);
    int removed = 0;
    try {
      for (int i = 0; i + 1 < segments.size(); i++) {
        Path segment = segments.get(i);
        String name = segment.getFileName().toString();
        Path next = segments.get(i + 1);
        long first = JournalFormat.firstSequenceOf(name);
        long last = JournalFormat.firstSequenceOf(next.getFileName().toString()) - 1;
        if (name.equals(live) || first < 0 || last < first - 1) {
          break;
        }
        if (!header(next).created().isBefore(cutoff) || indexed.getAsLong() < last) {
          break; // not old enough, or not all indexed yet: nor is any later segment
        }
        if (archive.isPresent()) {
          archiveAndCheck(archive.get(), segment, last);
          archived.increment();
        }
        remove(segment, last);
        removed++;
      }
    } finally {
      if (removed > 0 && archive.isEmpty()) {
        log.warn("audit retention: deleted {} journal segment(s) closed more than {} ago WITHOUT archiving them"
            + " (audit.archive is not set)", removed, days(retention));
      } else if (removed > 0) {
        log.info("audit retention: archived {} journal segment(s) to {}, verified them there and removed them"
            + " locally", removed, archive.get().describe());
      }
    }
    return removed;
  }

  /** Copies the segment and its checkpoint to the archive and proves the copy equal to the local file. */
  private void archiveAndCheck(ArchiveStore store, Path segment, long last) throws IOException {
    String replica = audit.replica();
    String name = segment.getFileName().toString();
    Checkpoint covering = covering(segment, last);
    store.put(replica, segment);
    store.putCheckpoint(replica, name, covering);
    Path checkDir = audit.journal().dir().resolve(CHECK_DIR);
    deleteTree(checkDir);
    try {
      Path copy = store.fetch(replica, name, checkDir);
      if (!MessageDigest.isEqual(ArchiveFiles.sha256(segment), ArchiveFiles.sha256(copy))) {
        throw new IOException("the archived copy of segment " + name + " in " + store.describe()
            + " differs from the journal's (SHA-256 mismatch)");
      }
      if (!store.checkpoint(replica, name).equals(Optional.of(covering))) {
        throw new IOException("the archived checkpoint of segment " + name + " in " + store.describe()
            + " differs from the one written");
      }
    } finally {
      deleteTree(checkDir);
    }
  }

  /**
   * Verifies the local segment on its own and returns the checkpoint covering its last record: the one the journal
   * wrote when it closed the segment (also sent to the anchor), or a new one signed now if that write had failed.
   */
  private Checkpoint covering(Path segment, long last) throws IOException {
    AuditJournal journal = audit.journal();
    String name = segment.getFileName().toString();
    String[] lastMac = {null};
    AuditVerifier.Result r = AuditVerifier.verify(List.of(segment), p -> Long.MAX_VALUE, journal.key(),
        journal.replica(), Optional.empty(), 0, 0, rec -> lastMac[0] = rec.mac());
    if (!r.ok()) {
      throw new IOException("journal segment " + name + " does not verify (record " + r.firstBrokenSequence() + ": "
          + r.reason() + "); it is not archived or deleted");
    }
    if (r.lastSequence() != last) {
      throw new IOException("journal segment " + name + " ends at record " + r.lastSequence()
          + " but the next segment starts at record " + (last + 1) + "; it is not archived or deleted");
    }
    Optional<Checkpoint> written = r.newestCheckpoint().filter(c -> c.sequence() == last);
    if (written.isPresent()) {
      return written.get();
    }
    byte[] mac = lastMac[0] != null ? HexFormat.of().parseHex(lastMac[0]) : header(segment).previousMac();
    return Checkpoint.sign(journal.key(), journal.replica(), last, mac, clock.instant());
  }

  /** Deletes the segment's index rows, then the file, under the log's retention lock. */
  private void remove(Path segment, long last) throws IOException {
    synchronized (audit.retentionLock()) {
      audit.index().deleteUpTo(audit.replica(), last);
      Files.delete(segment);
    }
    try (FileChannel d = FileChannel.open(segment.getParent(), StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private static String days(Duration d) {
    return d.toHours() % 24 == 0 && d.toSeconds() % 3600 == 0 ? d.toDays() + "d" : d.toString();
  }

  private static JournalFormat.Header header(Path segment) throws IOException {
    try (JournalReader r = new JournalReader(segment, Long.MAX_VALUE)) {
      if (r.next() instanceof JournalReader.HeaderFrame h) {
        return h.header();
      }
    }
    throw new IOException("journal segment " + segment.getFileName() + " does not start with a header");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /** The size of the regular files in the journal directory (NaN when it cannot be listed). */
  private double journalBytes() {
    try (Stream<Path> files = Files.list(audit.journal().dir())) {
      long total = 0;
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          total += Files.size(f);
        }
      }
      return total;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
