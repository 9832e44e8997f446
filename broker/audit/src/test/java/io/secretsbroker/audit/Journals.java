package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;

/** Fixtures shared by the journal tests: a fixed key and clock, entries, and byte surgery on segment files. */
final class Journals {
  static final String REPLICA = "r1";
  static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
  static final AuditKey KEY = AuditKey.of(bytes(0));
  static final AuditKey OTHER_KEY = AuditKey.of(bytes(100));
  static final Duration NO_PERIODIC_CHECKPOINT = Duration.ofHours(1);
  static final long AWAIT_SECONDS = 30;

  private Journals() {}

  private static byte[] bytes(int first) {
    byte[] b = new byte[AuditKey.BYTES];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  /** A plain entry whose fields say which one it is. */
  static AuditEntry entry(int i) {
    return AuditEntry.builder(AuditEntry.Kind.ACCESS, T0.plusMillis(i)).requestId("req-" + i)
        .principal("token:alice").authMethod("token").tokenAccessor("acc-1").peer("10.0.0.1:5000")
        .method("secretsbroker.v1.Secrets/GetSecret").name("db/password-" + i).version("3").outcome("OK")
        .latencyMicros(i).detail("").build();
  }

  static AuditJournal.Settings settings(Path dir) {
    return new AuditJournal.Settings(dir, REPLICA, AuditJournal.Settings.DEFAULT_SEGMENT_BYTES,
        NO_PERIODIC_CHECKPOINT, AuditJournal.Settings.DEFAULT_QUEUE_CAPACITY);
  }

  static AuditJournal open(Path dir) throws IOException {
    return AuditJournal.open(settings(dir), KEY, null, CLOCK, SegmentIo.files(), null);
  }

  /** Appends entries {@code from..to} one by one, waiting for each; returns their sequences. */
  static List<Long> appendRange(AuditJournal j, int from, int to) throws Exception {
    List<Long> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(await(j.append(entry(i))).sequence());
    }
    return out;
  }

  /** The future's value; on a timeout, fails with the journal threads' stacks (a hang is a finding, not noise). */
  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.get(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      StringBuilder sb = new StringBuilder("no completion within " + AWAIT_SECONDS + " s; journal threads:");
      Thread.getAllStackTraces().forEach((t, stack) -> {
        if (t.getName().startsWith("audit")) {
          sb.append("\n").append(t.getName()).append(' ').append(t.getState());
          for (StackTraceElement el : stack) {
            sb.append("\n    at ").append(el);
          }
        }
      });
      throw new AssertionError(sb.toString(), e);
    }
  }

  /** {@code from..to} as a list. */
  static List<Long> seqs(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** The result of verifying a closed journal, and the sequences the verifier visited. */
  record Verified(AuditVerifier.Result result, List<Long> visited) {}

  static Verified verify(Path dir, AuditKey key, Optional<Checkpoint> anchored) throws IOException {
    return verify(dir, key, anchored, 0, 0);
  }

  static Verified verify(Path dir, AuditKey key, Optional<Checkpoint> anchored, long from, long to)
      throws IOException {
    List<Long> visited = new ArrayList<>();
    AuditVerifier.Result r = AuditVerifier.verify(JournalReader.segments(dir), p -> Long.MAX_VALUE, key, REPLICA,
        anchored, from, to, rec -> visited.add(rec.sequence()));
    return new Verified(r, visited);
  }

  /** Every frame of a segment, in order. */
  static List<JournalReader.Frame> frames(Path segment) throws IOException {
    List<JournalReader.Frame> out = new ArrayList<>();
    try (JournalReader r = new JournalReader(segment, Long.MAX_VALUE)) {
      for (JournalReader.Frame f = r.next(); f != null; f = r.next()) {
        out.add(f);
      }
    }
    return out;
  }

  /** Every record of a journal directory, oldest first. */
  static List<AuditRecord> records(Path dir) throws IOException {
    List<AuditRecord> out = new ArrayList<>();
    for (Path seg : JournalReader.segments(dir)) {
      for (JournalReader.Frame f : frames(seg)) {
        if (f instanceof JournalReader.RecordFrame rf) {
          out.add(rf.record());
        }
      }
    }
    return out;
  }

  /** The record frame of {@code sequence} in {@code segment}. */
  static JournalReader.RecordFrame recordFrame(Path segment, long sequence) throws IOException {
    return frames(segment).stream().filter(f -> f instanceof JournalReader.RecordFrame)
        .map(f -> (JournalReader.RecordFrame) f).filter(f -> f.record().sequence() == sequence).findFirst()
        .orElseThrow(() -> new AssertionError("no record " + sequence + " in " + segment));
  }

  /** Total length (header and payload) of the frame at {@code offset} of {@code file}. */
  static int frameLength(byte[] file, long offset) {
    return JournalFormat.FRAME_HEADER + ByteBuffer.wrap(file, (int) offset, 4).getInt();
  }

  /** Recomputes the CRC of the frame at {@code offset} after its payload was edited. */
  static void fixCrc(byte[] file, long offset) {
    int o = (int) offset;
    int length = ByteBuffer.wrap(file, o, 4).getInt();
    CRC32C crc = new CRC32C();
    crc.update(file, o + JournalFormat.FRAME_HEADER, length);
    ByteBuffer.wrap(file).putInt(o + 4, (int) crc.getValue());
  }

  /** Index of the first occurrence of {@code needle} at or after {@code from}, or an AssertionError. */
  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i + needle.length <= hay.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("bytes not found");
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  static byte[] slice(byte[] b, long from, long to) {
    return java.util.Arrays.copyOfRange(b, (int) from, (int) to);
  }

  static void write(Path file, byte[] content) throws IOException {
    Files.write(file, content);
  }
}
