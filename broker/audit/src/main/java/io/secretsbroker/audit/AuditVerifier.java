package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import javax.crypto.Mac;

/**
 * Proves a replica's journal intact: every frame's CRC, every record's MAC and its link to the one before, no gap
 * or repeat in the sequence (inside a segment and across segments), every checkpoint's signature, and — against
 * the newest {@linkplain Anchor anchored} checkpoint — that no tail was cut. Reports the first broken record. Works
 * the same on a live journal (up to its durable end) and on archived segments offline. Stateless.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /**
   * The outcome of a verification.
   *
   * @param ok whether everything checked is intact
   * @param recordsChecked records verified within the asked range
   * @param firstSequence the oldest record present (0 when none)
   * @param lastSequence the newest record present (0 when none)
   * @param firstBrokenSequence the first bad record (0 when ok)
   * @param reason what is wrong ("" when ok)
   * @param newestCheckpoint the newest valid checkpoint the verified chain reaches (journal or anchor), if any
   */
  public record Result(boolean ok, long recordsChecked, long firstSequence, long lastSequence,
      long firstBrokenSequence, String reason, Optional<Checkpoint> newestCheckpoint) {}

  /**
   * Verifies {@code segments} (one replica's, oldest first).
   *
   * @param readable how many bytes of each segment may be read (the live segment's durable end)
   * @param key the audit key
   * @param replica the replica the segments must belong to, or null to accept the first header's
   * @param anchored the newest anchored checkpoint of that replica, if any
   * @param from first sequence to check (0 or 1: from the start)
   * @param to last sequence to check (0: to the end)
   * @param visitor receives each verified record within the range, in order
   */
  public static Result verify(List<Path> segments, ToLongFunction<Path> readable, AuditKey key, String replica,
      Optional<Checkpoint> anchored, long from, long to, Consumer<AuditRecord> visitor) {
    return new Run(key, replica, anchored, Math.max(1, from), to <= 0 ? Long.MAX_VALUE : to, visitor)
        .run(segments, readable);
  }

  private static final class Run {
    private final AuditKey key;
    private final Mac mac;
    private final Optional<Checkpoint> anchored;
    private final long from;
    private final long to;
    private final Consumer<AuditRecord> visitor;
    private String replica;
    private long checked;
    private long first;
    private long last;
    private byte[] lastMac;
    private byte[] anchoredRecordMac;
    private Checkpoint newest;

    Run(AuditKey key, String replica, Optional<Checkpoint> anchored, long from, long to,
        Consumer<AuditRecord> visitor) {
      this.key = key;
      this.mac = key.newMac();
      this.replica = replica;
      this.anchored = anchored;
      this.from = from;
      this.to = to;
      this.visitor = visitor;
    }

    Result broken(long seq, String reason) {
      return new Result(false, checked, first, last, seq, reason, Optional.ofNullable(newest));
    }

    Result run(List<Path> segments, ToLongFunction<Path> readable) {
      int start = 0;
      for (int i = 0; i < segments.size(); i++) {
        long firstOf = firstSequenceOf(segments.get(i));
        if (firstOf > 0 && firstOf <= from) {
          start = i;
        }
      }
      boolean scannedFromStart = start == 0;
      for (int i = start; i < segments.size(); i++) {
        Path seg = segments.get(i);
        Result r;
        try {
          r = segment(seg, readable.applyAsLong(seg), i == start);
        } catch (IOException e) {
          return broken(last + 1, "segment " + seg.getFileName() + " cannot be read: " + e.getMessage());
        }
        if (r != null) {
          return r;
        }
        if (last >= to) {
          break;
        }
      }
      if (anchored.isPresent() && to == Long.MAX_VALUE) {
        Checkpoint a = anchored.get();
        if (!a.verify(key)) {
          return broken(a.sequence(), "the anchored checkpoint at record " + a.sequence() + " has a bad signature");
        }
        if (last < a.sequence()) {
          return broken(last + 1, "the journal ends at record " + last + " but the anchor holds a checkpoint at record "
              + a.sequence() + ": records " + (last + 1) + ".." + a.sequence() + " were cut");
        }
        if (anchoredRecordMac != null) {
          if (!MessageDigest.isEqual(anchoredRecordMac, HexFormat.of().parseHex(a.mac()))) {
            return broken(a.sequence(), "record " + a.sequence() + " differs from the anchored checkpoint");
          }
          if (newest == null || newest.sequence() <= a.sequence()) {
            newest = a;
          }
        } else if (!scannedFromStart && a.sequence() < from) {
          // the anchored record lies before the range asked for: not checked here
        }
      }
      return new Result(true, checked, first, last, 0, "", Optional.ofNullable(newest));
    }

    private static long firstSequenceOf(Path segment) {
      String n = segment.getFileName().toString();
      try {
        return Long.parseLong(n.substring(0, n.length() - JournalFormat.SEGMENT_SUFFIX.length()));
      } catch (RuntimeException e) {
        return -1;
      }
    }

    /** Verifies one segment; null when intact. */
    private Result segment(Path seg, long limit, boolean firstScanned) throws IOException {
      try (JournalReader r = new JournalReader(seg, limit)) {
        JournalReader.Frame f;
        try {
          f = r.next();
        } catch (JournalReader.CorruptFrameException e) {
          return broken(last + 1, "segment " + seg.getFileName() + " has a damaged header (" + e.getMessage() + ")");
        }
        if (!(f instanceof JournalReader.HeaderFrame hf)) {
          return broken(last + 1, "segment " + seg.getFileName() + " does not start with a header");
        }
        JournalFormat.Header h = hf.header();
        if (replica == null) {
          replica = h.replica();
        } else if (!replica.equals(h.replica())) {
          return broken(h.firstSequence(), "segment " + seg.getFileName() + " belongs to replica '" + h.replica()
              + "', not '" + replica + "'");
        }
        if (firstSequenceOf(seg) != h.firstSequence()) {
          return broken(h.firstSequence(), "segment " + seg.getFileName() + " was renamed: its header starts at record "
              + h.firstSequence());
        }
        if (firstScanned) {
          first = h.firstSequence();
          last = h.firstSequence() - 1;
          lastMac = h.previousMac();
          if (h.firstSequence() == 1 && !MessageDigest.isEqual(lastMac, key.genesis(replica))) {
            return broken(1, "the first segment does not start this replica's chain (wrong key or replica)");
          }
        } else {
          if (h.firstSequence() > last + 1) {
            return broken(last + 1, "records " + (last + 1) + ".." + (h.firstSequence() - 1) + " are missing (segment "
                + seg.getFileName() + " follows record " + last + ")");
          }
          if (h.firstSequence() < last + 1) {
            return broken(h.firstSequence(), "segment " + seg.getFileName() + " repeats records from "
                + h.firstSequence());
          }
          if (!MessageDigest.isEqual(lastMac, h.previousMac())) {
            return broken(h.firstSequence(), "segment " + seg.getFileName() + " does not link to the record before it");
          }
        }
        while (true) {
          try {
            f = r.next();
          } catch (JournalReader.CorruptFrameException e) {
            return broken(last + 1, "the frame after record " + last + " is damaged (" + e.getMessage() + " in "
                + seg.getFileName() + ")");
          }
          if (f == null) {
            return null;
          }
          if (f instanceof JournalReader.RecordFrame rf) {
            long seq = rf.record().sequence();
            if (seq > last + 1) {
              return broken(last + 1, "record " + (last + 1) + " is missing");
            }
            if (seq <= last) {
              return broken(seq, "record " + seq + " appears again after record " + last + " (inserted)");
            }
            byte[] expected = AuditKey.recordMac(mac, lastMac, rf.payload(), 0, rf.payload().length);
            if (!MessageDigest.isEqual(expected, rf.mac())) {
              return broken(seq, "record " + seq + " was changed after it was written (MAC mismatch)");
            }
            last = seq;
            lastMac = rf.mac();
            if (anchored.isPresent() && seq == anchored.get().sequence()) {
              anchoredRecordMac = rf.mac();
            }
            if (seq >= from && seq <= to) {
              checked++;
              visitor.accept(rf.record());
            }
            if (seq >= to) {
              return null;
            }
          } else if (f instanceof JournalReader.CheckpointFrame cf) {
            Checkpoint c = cf.checkpoint();
            if (!c.verify(key)) {
              return broken(c.sequence(), "the checkpoint after record " + last + " has a bad signature");
            }
            if (c.sequence() != last || !MessageDigest.isEqual(HexFormat.of().parseHex(c.mac()), lastMac)) {
              return broken(c.sequence(), "the checkpoint at record " + c.sequence() + " does not match the chain");
            }
            newest = c;
          } else {
            return broken(last + 1, "a second header inside segment " + seg.getFileName());
          }
        }
      }
    }
  }
}
