package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real journals for tests in this module and others (published in the test-jar): a fixed key, small segments, and
 * entries that never hold a value or token.
 */
public final class JournalFixture {
  /** The smallest segment the journal accepts: about 25 records each. */
  public static final long SEGMENT_BYTES = 4096;

  private JournalFixture() {}

  /** A fixed test key. */
  public static AuditKey key() {
    byte[] raw = new byte[AuditKey.BYTES];
    Arrays.fill(raw, (byte) 7);
    return AuditKey.of(raw);
  }

  /** Journal settings for {@code dir} with {@value #SEGMENT_BYTES}-byte segments. */
  public static AuditJournal.Settings settings(Path dir, String replica) {
    return new AuditJournal.Settings(dir, replica, SEGMENT_BYTES, AuditJournal.Settings.DEFAULT_CHECKPOINT_INTERVAL,
        1024);
  }

  /** An access entry for request {@code i} at {@code time}. */
  public static AuditEntry entry(Instant time, int i) {
    return AuditEntry.builder(AuditEntry.Kind.ACCESS, time).requestId("req-" + i).principal("token:svc-a")
        .authMethod("token").peer("127.0.0.1:5000").method("secretsbroker.v1.Secrets/GetSecret")
        .name("app/db-password").version("current").outcome("OK").latencyMicros(120).build();
  }

  /** Appends {@code count} entries at the clock's time and waits until they are durable. */
  public static void append(AuditJournal journal, Clock clock, int count) {
    for (int i = 0; i < count; i++) {
      try {
        journal.append(entry(clock.instant(), i)).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("append failed", e);
      }
    }
  }

  /** Writes the test key as a key file (hex, 0600), as {@code audit.key-file} holds it. */
  public static Path writeKeyFile(Path file) throws IOException {
    Files.writeString(file, "07".repeat(AuditKey.BYTES) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** Archives closed segments as the archiver does: each with the last checkpoint the journal wrote into it. */
  public static void archive(ArchiveStore store, String replica, List<Path> segments) throws IOException {
    for (Path s : segments) {
      store.put(replica, s);
      store.putCheckpoint(replica, s.getFileName().toString(), lastCheckpointOf(s));
    }
  }

  /**
   * The last checkpoint frame the journal wrote into a segment.
   *
   * @throws IOException when there is none or the segment cannot be read
   */
  public static Checkpoint lastCheckpointOf(Path segment) throws IOException {
    Checkpoint last = null;
    try (JournalReader r = new JournalReader(segment, Long.MAX_VALUE)) {
      for (JournalReader.Frame f = r.next(); f != null; f = r.next()) {
        if (f instanceof JournalReader.CheckpointFrame cf) {
          last = cf.checkpoint();
        }
      }
    }
    if (last == null) {
      throw new IOException("no checkpoint in " + segment.getFileName());
    }
    return last;
  }

  /**
   * Writes {@code records} records into a new journal in {@code dir} and closes it.
   *
   * @return the segment files, oldest first (all closed; the last one was the live one)
   */
  public static List<Path> write(Path dir, String replica, int records, Clock clock, Anchor anchor)
      throws IOException {
    try (AuditJournal j = AuditJournal.open(settings(dir, replica), key(), anchor, clock, SegmentIo.files(), null)) {
      append(j, clock, records);
    }
    return JournalReader.segments(dir);
  }
}
