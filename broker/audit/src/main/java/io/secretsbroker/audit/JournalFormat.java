package io.secretsbroker.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The journal's bytes. A segment file is a sequence of frames: {@code u32 length, u32 CRC-32C of the payload,
 * payload}. The first frame of a segment is its header; then come records and checkpoints. All integers are
 * big-endian; strings are a varint byte length and UTF-8.
 *
 * <pre>
 * header:     u8 0, "SBAJ", u8 version, str replica, i64 first sequence, 32 bytes previous MAC, i64 created ms
 * record:     u8 1, i64 sequence, u8 kind, i64 time ms, i64 latency µs, u8 cache hit,
 *             str request id, principal, auth method, token accessor, peer, method, name, version, outcome,
 *             detail, then 32 bytes MAC = HMAC(key, previous MAC ‖ every payload byte before the MAC)
 * checkpoint: u8 2, i64 sequence, 32 bytes record MAC, i64 time ms, 32 bytes checkpoint MAC
 * </pre>
 */
public final class JournalFormat {
  /** Bytes before each payload: length and CRC. */
  public static final int FRAME_HEADER = 8;
  /** The largest payload accepted: a longer length field means a corrupt frame. */
  public static final int MAX_PAYLOAD = 64 * 1024;
  static final byte HEADER = 0;
  static final byte RECORD = 1;
  static final byte CHECKPOINT = 2;
  private static final byte[] MAGIC = {'S', 'B', 'A', 'J'};
  private static final byte VERSION = 1;
  /** Segment file names: the first sequence, zero-padded, then this suffix. */
  public static final String SEGMENT_SUFFIX = ".seg";

  private JournalFormat() {}

  private static final java.util.regex.Pattern SEGMENT_NAME = java.util.regex.Pattern.compile("[0-9]{20}\\.seg");

  /** Whether {@code name} is a segment file name: 20 digits and {@value #SEGMENT_SUFFIX}. */
  public static boolean isSegmentName(String name) {
    return firstSequenceOf(name) >= 0;
  }

  /**
   * Returns {@code name} when it is a segment file name.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String requireSegmentName(String name) {
    if (!isSegmentName(name)) {
      throw new IllegalArgumentException("not an audit segment name (20 digits and " + SEGMENT_SUFFIX + "): '"
          + name + "'");
    }
    return name;
  }

  /** The first sequence of a segment, from its file name; -1 when the name is not a segment's. */
  public static long firstSequenceOf(String name) {
    if (name == null || !SEGMENT_NAME.matcher(name).matches()) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1; // beyond a long
    }
  }

  /** The file name of a segment whose first record is {@code firstSequence}. */
  public static String segmentName(long firstSequence) {
    return String.format("%020d%s", firstSequence, SEGMENT_SUFFIX);
  }

  /** A segment's header. */
  public record Header(String replica, long firstSequence, byte[] previousMac, Instant created) {}

  /** Writes a framed header into {@code out}. */
  static void header(ByteBuffer out, Header h) {
    int start = beginFrame(out);
    out.put(HEADER).put(MAGIC).put(VERSION);
    putString(out, h.replica());
    out.putLong(h.firstSequence()).put(h.previousMac()).putLong(h.created().toEpochMilli());
    endFrame(out, start);
  }

  /**
   * Writes a framed record into {@code out}, computing its MAC from {@code previousMac}.
   *
   * @return the record's MAC
   */
  static byte[] record(ByteBuffer out, long sequence, AuditEntry e, byte[] previousMac, javax.crypto.Mac mac) {
    int start = beginFrame(out);
    int payload = out.position();
    out.put(RECORD).putLong(sequence).put((byte) e.kind().ordinal()).putLong(e.time().toEpochMilli())
        .putLong(e.latencyMicros()).put((byte) (e.cacheHit() ? 1 : 0));
    putString(out, e.requestId());
    putString(out, e.principal());
    putString(out, e.authMethod());
    putString(out, e.tokenAccessor());
    putString(out, e.peer());
    putString(out, e.method());
    putString(out, e.name());
    putString(out, e.version());
    putString(out, e.outcome());
    putString(out, e.detail());
    byte[] m = AuditKey.recordMac(mac, previousMac, out.array(), out.arrayOffset() + payload,
        out.position() - payload);
    out.put(m);
    endFrame(out, start);
    return m;
  }

  /**
   * The MAC a record with these fields has after {@code previousMac}: lets a holder of the key verify records kept
   * elsewhere (the database index) exactly as the journal chains them.
   */
  public static byte[] recordMac(javax.crypto.Mac mac, byte[] previousMac, long sequence, AuditEntry e) {
    ByteBuffer b = ByteBuffer.allocate(maxRecordBytes(e));
    return record(b, sequence, e, previousMac, mac);
  }

  /** Writes a framed checkpoint into {@code out}. */
  static void checkpoint(ByteBuffer out, Checkpoint c) {
    int start = beginFrame(out);
    HexFormat hex = HexFormat.of();
    out.put(CHECKPOINT).putLong(c.sequence()).put(hex.parseHex(c.mac())).putLong(c.time().toEpochMilli())
        .put(hex.parseHex(c.checkpointMac()));
    endFrame(out, start);
  }

  /** An upper bound of a record's framed size. */
  static int maxRecordBytes(AuditEntry e) {
    int strings = e.requestId().length() + e.principal().length() + e.authMethod().length()
        + e.tokenAccessor().length() + e.peer().length() + e.method().length() + e.name().length()
        + e.version().length() + e.outcome().length() + e.detail().length();
    return FRAME_HEADER + 1 + 8 + 1 + 8 + 8 + 1 + 10 * 5 + strings * 3 + AuditKey.BYTES;
  }

  private static int beginFrame(ByteBuffer out) {
    int start = out.position();
    out.position(start + FRAME_HEADER);
    return start;
  }

  private static void endFrame(ByteBuffer out, int start) {
    int end = out.position();
    int length = end - start - FRAME_HEADER;
    CRC32C crc = new CRC32C();
    crc.update(out.array(), out.arrayOffset() + start + FRAME_HEADER, length);
    out.putInt(start, length).putInt(start + 4, (int) crc.getValue());
  }

  private static void putString(ByteBuffer out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    while ((n & ~0x7F) != 0) {
      out.put((byte) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.put((byte) n);
    out.put(b);
  }

  static String getString(ByteBuffer in) {
    int n = 0;
    int shift = 0;
    while (true) {
      if (shift > 28) {
        throw new IllegalArgumentException("string length too long");
      }
      byte b = in.get();
      n |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    if (n < 0 || n > in.remaining()) {
      throw new IllegalArgumentException("string runs past its frame");
    }
    byte[] bytes = new byte[n];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static Header readHeader(ByteBuffer p) {
    byte[] magic = new byte[4];
    p.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("not a journal segment (bad magic)");
    }
    byte version = p.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("journal format version " + version + " is not supported (this binary: "
          + VERSION + ")");
    }
    String replica = getString(p);
    long first = p.getLong();
    byte[] prev = new byte[AuditKey.BYTES];
    p.get(prev);
    return new Header(replica, first, prev, Instant.ofEpochMilli(p.getLong()));
  }

  static AuditRecord readRecord(String replica, ByteBuffer p, byte[] macOut) {
    long seq = p.getLong();
    AuditEntry.Kind kind = AuditEntry.Kind.ofCode(p.get());
    Instant time = Instant.ofEpochMilli(p.getLong());
    long latency = p.getLong();
    boolean cacheHit = p.get() != 0;
    // stored text is recorded text: the canonical constructor keeps it as it is
    AuditEntry e = new AuditEntry(kind, time, getString(p), getString(p), getString(p), getString(p), getString(p),
        getString(p), getString(p), getString(p), getString(p), cacheHit, latency, getString(p));
    p.get(macOut);
    return new AuditRecord(replica, seq, e, HexFormat.of().formatHex(macOut));
  }

  static Checkpoint readCheckpoint(String replica, ByteBuffer p) {
    long seq = p.getLong();
    byte[] mac = new byte[AuditKey.BYTES];
    p.get(mac);
    Instant time = Instant.ofEpochMilli(p.getLong());
    byte[] cp = new byte[AuditKey.BYTES];
    p.get(cp);
    return new Checkpoint(replica, seq, HexFormat.of().formatHex(mac), time, HexFormat.of().formatHex(cp));
  }
}
