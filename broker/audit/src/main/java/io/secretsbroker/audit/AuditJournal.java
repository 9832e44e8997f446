package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only audit journal of one replica: framed segment files ({@link JournalFormat}) in one directory,
 * written by one thread with <b>group commit</b>. Every entry that arrives while a write and its fsync are in
 * flight goes into the next batch, so one fsync makes a whole batch durable. {@link #append} returns at once; its
 * future completes (on a separate acknowledgement thread, never on the caller's) when the record is durable, or
 * exceptionally with {@link AuditUnavailableException} when it cannot be — the caller must then withhold its
 * response (fail closed).
 *
 * <p>Records are chained by HMAC-SHA256 ({@link AuditKey}); a checkpoint (newest sequence and MAC, signed) is
 * written into the journal and published to the {@link Anchor} every {@code checkpointInterval} while records
 * arrive, when a segment is closed, and at {@link #close}.
 *
 * <p>A failed write (disk full, I/O error) fails its batch and cuts the file back to the last durable frame, so a
 * refused request never leaves a record behind; the next batch simply tries again, so the journal recovers by
 * itself when space returns. At open, a torn tail (a frame cut short by a crash) is cut off; a damaged frame inside
 * a segment is left for the verifier to report and writing continues in a new segment. Thread-safe.
 */
public final class AuditJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditJournal.class);

  /**
   * Journal settings.
   *
   * @param dir the journal directory (created 0700)
   * @param replica this replica's id ({@link Replicas})
   * @param segmentBytes a segment is closed once it holds this many bytes
   * @param checkpointInterval how often a checkpoint is made while records arrive
   * @param queueCapacity the most entries waiting to be written; beyond it appends fail at once
   */
  public record Settings(Path dir, String replica, long segmentBytes, Duration checkpointInterval,
      int queueCapacity) {
    /** Default segment size: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    /** Default checkpoint interval: 1 s. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    /** Default queue capacity. */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;

    public Settings {
      Objects.requireNonNull(dir, "dir");
      Replicas.requireValid(replica);
      if (segmentBytes < 4096) {
        throw new IllegalArgumentException("segmentBytes must be at least 4096, was " + segmentBytes);
      }
      if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
        throw new IllegalArgumentException("checkpointInterval must be positive");
      }
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be positive");
      }
    }

    /** Defaults for {@code dir} and {@code replica}. */
    public static Settings defaults(Path dir, String replica) {
      return new Settings(dir, replica, DEFAULT_SEGMENT_BYTES, DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_QUEUE_CAPACITY);
    }
  }

  /** What the journal tells its owner (metrics, logs, the index). Called on the writer or anchor thread. */
  public interface Listener {
    /** A batch became durable: its records, and how long its write and fsync took. */
    default void durable(List<AuditRecord> records, long writeNanos) {}

    /** A batch could not be made durable; its requests fail. */
    default void writeFailed(IOException cause, int records) {}

    /** Writes succeed again after failures. */
    default void recovered() {}

    /** A checkpoint was written to the journal and the anchor. */
    default void anchored(Checkpoint checkpoint) {}

    /** A checkpoint could not be published to the anchor (the journal still holds it). */
    default void anchorFailed(Checkpoint checkpoint, Exception cause) {}
  }

  /** A readable position: the segment being written and its durable length. */
  public record Position(Path segment, long length) {}

  private record Pending(List<AuditEntry> entries, CompletableFuture<List<AuditRecord>> done) {}

  private final Settings settings;
  private final AuditKey key;
  private final Anchor anchor;
  private final Clock clock;
  private final SegmentIo io;
  private final Listener listener;
  private final Mac mac;
  private final LinkedBlockingQueue<Pending> queue;
  private final Thread writer;
  private final ExecutorService acks;
  private final ExecutorService anchoring;
  private ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

  // writer-thread state
  private SegmentIo.SegmentFile file;
  private Path current;
  private long goodSize;
  private long lastSequence;
  private byte[] lastMac;
  private long checkpointedSequence;
  private long nextCheckpointNanos;
  private boolean failing;
  private boolean needNewSegment;
  private volatile Position durableEnd;
  private volatile long durableSequence;
  private volatile boolean running = true;

  private AuditJournal(Settings settings, AuditKey key, Anchor anchor, Clock clock, SegmentIo io, Listener listener) {
    this.settings = settings;
    this.key = key;
    this.anchor = anchor;
    this.clock = clock;
    this.io = io;
    this.listener = listener;
    this.mac = key.newMac();
    this.queue = new LinkedBlockingQueue<>(settings.queueCapacity());
    this.acks = Executors.newSingleThreadExecutor(r -> daemon(r, "audit-ack"));
    this.anchoring = Executors.newSingleThreadExecutor(r -> daemon(r, "audit-anchor"));
    this.writer = daemon(this::run, "audit-journal");
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Opens the journal in {@code settings.dir()}, recovering its state from the newest segment, and starts the
   * writer.
   *
   * @param anchor where checkpoints go, or null for the journal only
   * @throws IOException when the directory cannot be used or belongs to another replica
   */
  public static AuditJournal open(Settings settings, AuditKey key, Anchor anchor, Clock clock, SegmentIo io,
      Listener listener) throws IOException {
    AuditJournal j = new AuditJournal(settings, key, anchor, clock, io, listener == null ? new Listener() {}
        : listener);
    j.recover();
    j.writer.start();
    return j;
  }

  /** This journal's replica id. */
  public String replica() {
    return settings.replica();
  }

  /** The journal directory. */
  public Path dir() {
    return settings.dir();
  }

  /** The key that chains this journal. */
  public AuditKey key() {
    return key;
  }

  /** The newest durable sequence. */
  public long durableSequence() {
    return durableSequence;
  }

  /** The segment being written and how many of its bytes are durable; every older segment is complete. */
  public Position durableEnd() {
    return durableEnd;
  }

  /** How many of {@code segment}'s bytes a reader may read now. */
  public long readableLength(Path segment) {
    Position p = durableEnd;
    return p != null && p.segment().equals(segment) ? p.length() : Long.MAX_VALUE;
  }

  /** Whether the last write succeeded. */
  public boolean healthy() {
    return !failing;
  }

  /** Appends one entry; see {@link #appendAll}. */
  public CompletableFuture<AuditRecord> append(AuditEntry entry) {
    return appendAll(List.of(entry)).thenApply(l -> l.get(0));
  }

  /**
   * Appends entries that become durable together (in the same write), in order.
   *
   * @return completes with the records when they are durable, or with {@link AuditUnavailableException}
   */
  public CompletableFuture<List<AuditRecord>> appendAll(List<AuditEntry> entries) {
    CompletableFuture<List<AuditRecord>> done = new CompletableFuture<>();
    if (entries.isEmpty()) {
      done.complete(List.of());
      return done;
    }
    if (!running) {
      done.completeExceptionally(new AuditUnavailableException("the audit journal is closed", null));
    } else if (!queue.offer(new Pending(List.copyOf(entries), done))) {
      done.completeExceptionally(new AuditUnavailableException("the audit journal is overloaded", null));
    }
    return done;
  }

  private void recover() throws IOException {
    Path dir = settings.dir();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    lastMac = key.genesis(settings.replica());
    List<Path> segments = new ArrayList<>(JournalReader.segments(dir));
    boolean append = false;
    while (!segments.isEmpty()) {
      Path last = segments.get(segments.size() - 1);
      Scan scan = scan(last);
      if (scan == null) { // no complete header: nothing of it was ever acknowledged
        log.warn("audit journal: removing segment {} whose header was never completed", last.getFileName());
        Files.delete(last);
        segments.remove(segments.size() - 1);
        continue;
      }
      lastSequence = scan.lastSequence;
      lastMac = scan.lastMac;
      checkpointedSequence = scan.checkpointed;
      goodSize = scan.end;
      current = last;
      append = !scan.damaged;
      if (scan.tornBytes > 0) {
        log.warn("audit journal: cut a torn tail of {} bytes from {} (a write the process did not finish)",
            scan.tornBytes, last.getFileName());
      }
      break;
    }
    if (append) {
      file = io.open(current);
      if (file.size() != goodSize) {
        file.truncate(goodSize);
        file.force();
      }
    } else {
      startSegment();
    }
    durableSequence = lastSequence;
    durableEnd = new Position(current, goodSize);
    if (anchor != null) {
      try {
        Optional<Checkpoint> anchored = anchor.latest(settings.replica());
        if (anchored.isPresent() && anchored.get().sequence() > lastSequence) {
          log.error("audit journal ends at record {} but the anchor ({}) holds a checkpoint at record {}: records"
              + " were cut from the journal; VerifyAuditChain reports it", lastSequence, anchor.describe(),
              anchored.get().sequence());
        }
      } catch (IOException e) {
        log.warn("audit anchor ({}) could not be read at start: {}", anchor.describe(), e.getClass().getSimpleName());
      }
    }
    nextCheckpointNanos = System.nanoTime() + settings.checkpointInterval().toNanos();
  }

  private static final class Scan {
    long lastSequence;
    byte[] lastMac;
    long checkpointed;
    long end;
    long tornBytes;
    boolean damaged;
  }

  /** Reads a segment to find where the chain stands; null when it has no complete header. */
  private Scan scan(Path segment) throws IOException {
    Scan s = new Scan();
    try (JournalReader r = new JournalReader(segment, Long.MAX_VALUE)) {
      JournalReader.Frame first;
      try {
        first = r.next();
      } catch (JournalReader.CorruptFrameException e) {
        if (e.atEnd()) {
          return null;
        }
        throw new IOException("audit journal segment " + segment + " has a damaged header: " + e.getMessage());
      }
      if (!(first instanceof JournalReader.HeaderFrame h)) {
        if (first == null) {
          return null;
        }
        throw new IOException("audit journal segment " + segment + " does not start with a header");
      }
      if (!h.header().replica().equals(settings.replica())) {
        throw new IOException("audit journal " + settings.dir() + " belongs to replica '" + h.header().replica()
            + "', not '" + settings.replica() + "'; give each replica its own data folder");
      }
      s.lastSequence = h.header().firstSequence() - 1;
      s.lastMac = h.header().previousMac();
      s.end = r.position();
      while (true) {
        JournalReader.Frame f;
        try {
          f = r.next();
        } catch (JournalReader.CorruptFrameException e) {
          if (e.atEnd() && !s.damaged) {
            s.tornBytes = Files.size(segment) - e.offset();
            break;
          }
          log.error("audit journal segment {}: {}; left for VerifyAuditChain to report, writing continues in a new"
              + " segment", segment.getFileName(), e.getMessage());
          s.damaged = true;
          if (!r.skipDamaged()) {
            break;
          }
          continue;
        }
        if (f == null) {
          break;
        }
        if (f instanceof JournalReader.RecordFrame rf) {
          s.lastSequence = rf.record().sequence();
          s.lastMac = rf.mac();
        } else if (f instanceof JournalReader.CheckpointFrame cf) {
          s.checkpointed = cf.checkpoint().sequence();
        }
        if (!s.damaged) {
          s.end = r.position();
        }
      }
    }
    return s;
  }

  /** Closes the current segment (if any) and starts a new one after the last record. */
  private void startSegment() throws IOException {
    if (file != null) {
      file.close();
      file = null;
    }
    Path next = settings.dir().resolve(JournalFormat.segmentName(lastSequence + 1));
    SegmentIo.SegmentFile f = io.open(next);
    try {
      ByteBuffer b = ByteBuffer.allocate(256);
      JournalFormat.header(b, new JournalFormat.Header(settings.replica(), lastSequence + 1, lastMac,
          clock.instant()));
      b.flip();
      int size = b.remaining();
      f.truncate(0);
      f.write(b, 0);
      f.force();
      io.syncDirectory(settings.dir());
      file = f;
      current = next;
      goodSize = size;
      durableEnd = new Position(current, goodSize);
    } catch (IOException e) {
      f.close();
      throw e;
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        long wait = Math.max(1, Math.min(TimeUnit.MILLISECONDS.toNanos(100), nextCheckpointNanos - System.nanoTime()));
        Pending first = queue.poll(wait, TimeUnit.NANOSECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch);
          write(batch);
          batch.clear();
        }
        if (System.nanoTime() >= nextCheckpointNanos) {
          nextCheckpointNanos = System.nanoTime() + settings.checkpointInterval().toNanos();
          if (lastSequence > checkpointedSequence) {
            checkpoint(false);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException | Error e) {
        // The writer must outlive anything: a dead writer would refuse every later request.
        log.error("audit journal writer: unexpected {}", e.getClass().getSimpleName(), e);
        batch.forEach(p -> p.done().completeExceptionally(new AuditUnavailableException(
            "the audit record could not be made durable", e)));
        batch.clear();
        if (e instanceof VirtualMachineError fatal) {
          throw fatal;
        }
      }
    }
    try {
      if (file != null && lastSequence > checkpointedSequence) {
        checkpoint(true);
      }
    } catch (RuntimeException e) {
      log.warn("audit journal: final checkpoint failed: {}", e.getClass().getSimpleName());
    }
  }

  private void write(List<Pending> batch) {
    int estimate = 0;
    for (Pending p : batch) {
      for (AuditEntry e : p.entries()) {
        estimate += JournalFormat.maxRecordBytes(e);
      }
    }
    if (buffer.capacity() < estimate) {
      buffer = ByteBuffer.allocate(Math.max(estimate, buffer.capacity() * 2));
    }
    buffer.clear();
    long seq = lastSequence;
    byte[] prev = lastMac;
    List<List<AuditRecord>> results = new ArrayList<>(batch.size());
    HexFormat hex = HexFormat.of();
    for (Pending p : batch) {
      List<AuditRecord> records = new ArrayList<>(p.entries().size());
      for (AuditEntry e : p.entries()) {
        seq++;
        prev = JournalFormat.record(buffer, seq, e, prev, mac);
        records.add(new AuditRecord(settings.replica(), seq, e, hex.formatHex(prev)));
      }
      results.add(records);
    }
    buffer.flip();
    int bytes = buffer.remaining();
    long started = System.nanoTime();
    try {
      if (file == null) {
        reopen();
      }
      file.write(buffer, goodSize);
      file.force();
    } catch (IOException e) {
      fail(batch, e, (int) (seq - lastSequence));
      return;
    }
    long took = System.nanoTime() - started;
    goodSize += bytes;
    lastSequence = seq;
    lastMac = prev;
    durableSequence = seq;
    durableEnd = new Position(current, goodSize);
    if (failing) {
      failing = false;
      listener.recovered();
    }
    List<Pending> done = List.copyOf(batch); // the writer reuses its batch list
    acks.execute(() -> {
      for (int i = 0; i < done.size(); i++) {
        done.get(i).done().complete(results.get(i));
      }
    });
    List<AuditRecord> all = results.size() == 1 ? results.get(0) : results.stream().flatMap(List::stream).toList();
    listener.durable(all, took);
    if (goodSize >= settings.segmentBytes()) {
      try {
        checkpoint(false);
        startSegment();
      } catch (IOException | RuntimeException e) {
        log.warn("audit journal: starting a new segment failed ({}); retried with the next record",
            e.getClass().getSimpleName());
        dropFile();
        needNewSegment = true;
      }
    }
  }

  private void fail(List<Pending> batch, IOException e, int records) {
    failing = true;
    if (file != null) {
      try {
        file.truncate(goodSize); // a refused request leaves no record behind
      } catch (IOException again) {
        dropFile(); // reopened and cut on the next attempt
      }
    }
    listener.writeFailed(e, records);
    AuditUnavailableException why = new AuditUnavailableException(
        "the audit record could not be made durable; request refused", e);
    List<Pending> copy = List.copyOf(batch);
    acks.execute(() -> copy.forEach(p -> p.done().completeExceptionally(why)));
  }

  /** Drops the open file after a failure; the next write reopens it and cuts it back to the durable end. */
  private void dropFile() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException ignored) {
        // already failing
      }
      file = null;
    }
  }

  /** Reopens the segment being written (after a failure) or starts the next one (after a failed roll). */
  private void reopen() throws IOException {
    if (needNewSegment) {
      startSegment();
      needNewSegment = false;
      return;
    }
    SegmentIo.SegmentFile f = io.open(current);
    try {
      f.truncate(goodSize);
    } catch (IOException e) {
      f.close();
      throw e;
    }
    file = f;
  }

  /** Writes a checkpoint frame for the newest record and hands it to the anchor. */
  private void checkpoint(boolean waitForAnchor) {
    if (file == null || lastSequence == 0) {
      return;
    }
    Checkpoint cp = Checkpoint.sign(key, settings.replica(), lastSequence, lastMac, clock.instant());
    ByteBuffer b = ByteBuffer.allocate(128);
    JournalFormat.checkpoint(b, cp);
    b.flip();
    int bytes = b.remaining();
    try {
      file.write(b, goodSize);
      file.force();
    } catch (IOException e) {
      failing = true;
      try {
        file.truncate(goodSize);
      } catch (IOException ignored) {
        dropFile();
      }
      listener.writeFailed(e, 0);
      return;
    }
    goodSize += bytes;
    durableEnd = new Position(current, goodSize);
    checkpointedSequence = cp.sequence();
    if (anchor != null) {
      var task = anchoring.submit(() -> {
        try {
          anchor.publish(cp);
          listener.anchored(cp);
        } catch (Exception e) {
          listener.anchorFailed(cp, e);
        }
      });
      if (waitForAnchor) {
        try {
          task.get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // reported through the listener
        }
      }
    } else {
      listener.anchored(cp);
    }
  }

  /** Stops taking entries, writes those queued, makes a final checkpoint and closes the segment. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    acks.shutdown();
    anchoring.shutdown();
    try {
      acks.awaitTermination(5, TimeUnit.SECONDS);
      anchoring.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        log.warn("audit journal: closing the segment failed: {}", e.getClass().getSimpleName());
      }
    }
  }
}
