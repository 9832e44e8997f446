package io.secretsbroker.core.audit;

import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.audit.JournalReader;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies this replica's journal into the {@link AuditIndex}, asynchronously and in large batches: every
 * {@value #POLL_MILLIS} ms, or at once when a query {@linkplain #wake() asks} for the newest records; after a restart it
 * resumes after the newest indexed record. Few large transactions keep the database's write and space overhead per
 * record small (each commit rewrites index pages).
 * A failing database only delays it (it retries); the journal stays the record of truth. One thread.
 */
final class AuditIndexer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditIndexer.class);
  static final int POLL_MILLIS = 250;
  private static final int MAX_BATCH = 10_000;

  private final AuditJournal journal;
  private final AuditIndex index;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long indexed;
  private JournalReader reader;
  private long readerFirst = -1;
  private long readerLimit;
  private long lastFailureLogNanos;

  AuditIndexer(AuditJournal journal, AuditIndex index) {
    this.journal = journal;
    this.index = index;
    this.thread = new Thread(this::run, "audit-indexer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Wakes the indexer (a query wants the newest records). */
  void wake() {
    LockSupport.unpark(thread);
  }

  /** The newest sequence indexed. */
  long indexed() {
    return indexed;
  }

  private void run() {
    boolean positioned = false;
    while (running) {
      try {
        if (!positioned) {
          indexed = index.position(journal.replica());
          positioned = true;
        }
        int n = step();
        if (n == MAX_BATCH) {
          continue;
        }
      } catch (RuntimeException | IOException | Error e) {
        // a failing database (or a driver's assertion on a dropped connection) only delays the index
        if (e instanceof VirtualMachineError fatal) {
          throw fatal;
        }
        positioned = false;
        closeReader();
        long now = System.nanoTime();
        if (now - lastFailureLogNanos > 60_000_000_000L) {
          lastFailureLogNanos = now;
          log.warn("audit index is behind the journal ({}); retrying (queries may miss the newest records)",
              e.getClass().getSimpleName());
        }
      }
      if (running && indexed >= journal.durableSequence()) {
        LockSupport.parkNanos(POLL_MILLIS * 1_000_000L);
      } else if (running && !positioned) {
        LockSupport.parkNanos(POLL_MILLIS * 1_000_000L);
      }
    }
    closeReader();
  }

  /** Indexes up to one batch; returns how many records it indexed. */
  int step() throws IOException {
    long target = journal.durableSequence();
    if (indexed >= target) {
      return 0;
    }
    List<AuditRecord> batch = new ArrayList<>();
    while (batch.size() < MAX_BATCH) {
      if (reader == null && !openReaderFor(indexed + 1)) {
        break;
      }
      JournalReader.Frame f;
      try {
        f = reader.next();
      } catch (JournalReader.CorruptFrameException e) {
        if (!reader.skipDamaged()) {
          moveToNextSegment();
        }
        continue;
      }
      if (f == null) {
        if (!moveToNextSegment()) {
          break;
        }
        continue;
      }
      if (f instanceof JournalReader.RecordFrame rf && rf.record().sequence() > indexed
          && (batch.isEmpty() || rf.record().sequence() > batch.get(batch.size() - 1).sequence())) {
        batch.add(rf.record());
      }
    }
    if (!batch.isEmpty()) {
      index.insert(journal.replica(), batch);
      indexed = batch.get(batch.size() - 1).sequence();
    }
    return batch.size();
  }

  /** Opens the segment holding {@code sequence}; false when there is none. */
  private boolean openReaderFor(long sequence) throws IOException {
    List<Path> segments = JournalReader.segments(journal.dir());
    Path chosen = null;
    long chosenFirst = -1;
    for (Path p : segments) {
      long first = firstOf(p);
      if (first <= sequence) {
        chosen = p;
        chosenFirst = first;
      }
    }
    if (chosen == null && !segments.isEmpty()) {
      chosen = segments.get(0); // older records were archived
      chosenFirst = firstOf(chosen);
    }
    if (chosen == null) {
      return false;
    }
    return open(chosen, chosenFirst);
  }

  private boolean open(Path segment, long first) throws IOException {
    closeReader();
    try {
      readerLimit = journal.readableLength(segment);
      reader = new JournalReader(segment, readerLimit);
    } catch (NoSuchFileException e) {
      return false;
    }
    readerFirst = first;
    return true;
  }

  /** At the end of the current segment: moves to the next one if the current one is complete. */
  private boolean moveToNextSegment() throws IOException {
    if (reader == null) {
      return false;
    }
    Path current = reader.file();
    long pos = reader.position();
    if (journal.readableLength(current) != Long.MAX_VALUE) {
      // the live segment: reopen later with a larger limit, from here
      closeReader();
      readerLimit = journal.readableLength(current);
      reader = new JournalReader(current, readerLimit);
      reader.seek(pos, journal.replica());
      return false;
    }
    if (readerLimit != Long.MAX_VALUE) {
      // opened while it was live, closed since: read the records written after that before moving on
      closeReader();
      readerLimit = Long.MAX_VALUE;
      reader = new JournalReader(current, readerLimit);
      reader.seek(pos, journal.replica());
      return true;
    }
    for (Path p : JournalReader.segments(journal.dir())) {
      long first = firstOf(p);
      if (first > readerFirst) {
        return open(p, first);
      }
    }
    return false;
  }

  private static long firstOf(Path p) {
    String n = p.getFileName().toString();
    return Long.parseLong(n.substring(0, n.indexOf('.')));
  }

  private void closeReader() {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException ignored) {
        // read-only
      }
      reader = null;
    }
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
