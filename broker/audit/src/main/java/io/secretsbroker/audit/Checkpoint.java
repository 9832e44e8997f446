package io.secretsbroker.audit;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A signed statement "replica R's chain reached record S, whose MAC is M, at time T". Written into the journal and
 * to an external {@link Anchor}, so a journal cut back past a checkpoint is detected.
 *
 * @param replica the replica
 * @param sequence the newest record covered
 * @param mac that record's MAC (hex)
 * @param time when the checkpoint was made
 * @param checkpointMac HMAC over the four fields above (hex)
 */
public record Checkpoint(String replica, long sequence, String mac, Instant time, String checkpointMac) {
  public Checkpoint {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(checkpointMac, "checkpointMac");
  }

  /** Makes and signs a checkpoint. */
  public static Checkpoint sign(AuditKey key, String replica, long sequence, byte[] recordMac, Instant time) {
    Instant t = Instant.ofEpochMilli(time.toEpochMilli());
    byte[] cp = key.checkpointMac(replica, sequence, recordMac, t.toEpochMilli());
    return new Checkpoint(replica, sequence, HexFormat.of().formatHex(recordMac), t, HexFormat.of().formatHex(cp));
  }

  /** Whether the checkpoint's MAC is right for {@code key}. */
  public boolean verify(AuditKey key) {
    try {
      byte[] expected = key.checkpointMac(replica, sequence, HexFormat.of().parseHex(mac), time.toEpochMilli());
      return MessageDigest.isEqual(expected, HexFormat.of().parseHex(checkpointMac));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The checkpoint as one ASCII line, {@code sequence mac timeMillis checkpointMac} (no replica, no newline): the
   * form anchors and archives store.
   */
  public String toLine() {
    return sequence + " " + mac + " " + time.toEpochMilli() + " " + checkpointMac;
  }

  /**
   * Parses a {@link #toLine()} line of {@code replica}'s checkpoint; the signature is not checked here (see {@link
   * #verify}).
   *
   * @return the checkpoint, or null when the line is not one
   */
  public static Checkpoint parseLine(String replica, String line) {
    String[] f = line.trim().split(" ");
    if (f.length != 4) {
      return null;
    }
    try {
      return new Checkpoint(replica, Long.parseLong(f[0]), f[1], Instant.ofEpochMilli(Long.parseLong(f[2])), f[3]);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
