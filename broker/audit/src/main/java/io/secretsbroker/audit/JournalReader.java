package io.secretsbroker.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads the frames of one segment file in order, up to a byte limit (the writer's durable end for the segment being
 * written). Not thread-safe; cheap to open.
 */
public final class JournalReader implements Closeable {
  /** A frame read from a segment, with its byte offset in the file. */
  public sealed interface Frame permits HeaderFrame, RecordFrame, CheckpointFrame {
    /** The frame's offset in its segment file. */
    long offset();
  }

  /** The segment's header. */
  public record HeaderFrame(long offset, JournalFormat.Header header) implements Frame {}

  /**
   * A record; {@code payload} holds its canonical bytes (everything but the MAC), {@code mac} the stored MAC.
   */
  public record RecordFrame(long offset, AuditRecord record, byte[] payload, byte[] mac) implements Frame {}

  /** A checkpoint. */
  public record CheckpointFrame(long offset, Checkpoint checkpoint) implements Frame {}

  /** A frame that cannot be read: short, bad CRC, or a payload that does not decode. */
  public static final class CorruptFrameException extends IOException {
    private final long offset;
    private final boolean atEnd;

    CorruptFrameException(long offset, boolean atEnd, String reason) {
      super(reason + " at offset " + offset);
      this.offset = offset;
      this.atEnd = atEnd;
    }

    /** Where the bad frame starts. */
    public long offset() {
      return offset;
    }

    /** Whether the bad frame reaches the end of the readable bytes (a torn tail rather than damage inside). */
    public boolean atEnd() {
      return atEnd;
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final long limit;
  private final ByteBuffer head = ByteBuffer.allocate(JournalFormat.FRAME_HEADER);
  private long position;
  private String replica = "";

  /**
   * Opens {@code segment} to read its first {@code limit} bytes ({@code Long.MAX_VALUE}: all of it).
   *
   * @throws IOException when it cannot be opened
   */
  public JournalReader(Path segment, long limit) throws IOException {
    this.file = segment;
    this.channel = FileChannel.open(segment, StandardOpenOption.READ);
    this.limit = Math.min(limit, channel.size());
  }

  /** The segment files of a journal directory, oldest first. */
  public static List<Path> segments(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> out = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(JournalFormat.SEGMENT_SUFFIX))
          .sorted().toList());
      return out;
    }
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** The offset after the last frame returned. */
  public long position() {
    return position;
  }

  /** Moves to a frame boundary previously returned by {@link #position()}. */
  public void seek(long offset, String replicaOfSegment) {
    this.position = offset;
    this.replica = replicaOfSegment;
  }

  /**
   * The next frame, or null at the end.
   *
   * @throws CorruptFrameException when the next frame is damaged
   */
  public Frame next() throws IOException {
    if (position >= limit) {
      return null;
    }
    if (limit - position < JournalFormat.FRAME_HEADER) {
      throw new CorruptFrameException(position, true, "truncated frame header");
    }
    head.clear();
    readFully(head, position);
    head.flip();
    int length = head.getInt();
    int crc = head.getInt();
    if (length <= 0 || length > JournalFormat.MAX_PAYLOAD) {
      throw new CorruptFrameException(position, false, "impossible frame length " + length);
    }
    long end = position + JournalFormat.FRAME_HEADER + length;
    if (end > limit) {
      throw new CorruptFrameException(position, true, "frame runs past the end of the segment");
    }
    ByteBuffer payload = ByteBuffer.allocate(length);
    readFully(payload, position + JournalFormat.FRAME_HEADER);
    CRC32C c = new CRC32C();
    c.update(payload.array(), 0, length);
    if ((int) c.getValue() != crc) {
      throw new CorruptFrameException(position, end == limit, "CRC mismatch");
    }
    payload.flip();
    long offset = position;
    Frame f;
    try {
      byte type = payload.get();
      f = switch (type) {
        case JournalFormat.HEADER -> {
          JournalFormat.Header h = JournalFormat.readHeader(payload);
          replica = h.replica();
          yield new HeaderFrame(offset, h);
        }
        case JournalFormat.RECORD -> {
          byte[] mac = new byte[AuditKey.BYTES];
          AuditRecord r = JournalFormat.readRecord(replica, payload, mac);
          byte[] canonical = new byte[length - AuditKey.BYTES];
          System.arraycopy(payload.array(), 0, canonical, 0, canonical.length);
          yield new RecordFrame(offset, r, canonical, mac);
        }
        case JournalFormat.CHECKPOINT -> new CheckpointFrame(offset, JournalFormat.readCheckpoint(replica, payload));
        default -> throw new IllegalArgumentException("unknown frame type " + type);
      };
      if (payload.hasRemaining()) {
        throw new IllegalArgumentException("frame has trailing bytes");
      }
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      throw new CorruptFrameException(offset, false, "undecodable frame (" + e.getMessage() + ")");
    }
    position = end;
    return f;
  }

  /** Skips a damaged frame by its declared length when that is plausible; false when it is not. */
  public boolean skipDamaged() throws IOException {
    if (limit - position < JournalFormat.FRAME_HEADER) {
      return false;
    }
    head.clear();
    readFully(head, position);
    head.flip();
    int length = head.getInt();
    if (length <= 0 || length > JournalFormat.MAX_PAYLOAD || position + JournalFormat.FRAME_HEADER + length > limit) {
      return false;
    }
    position += JournalFormat.FRAME_HEADER + length;
    return true;
  }

  private void readFully(ByteBuffer b, long at) throws IOException {
    long p = at;
    while (b.hasRemaining()) {
      int n = channel.read(b, p);
      if (n < 0) {
        throw new CorruptFrameException(at, true, "unexpected end of file");
      }
      p += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
