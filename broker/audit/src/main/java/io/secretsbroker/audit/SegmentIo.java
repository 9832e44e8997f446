package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How the journal writer touches segment files: a narrow seam so tests can inject a full disk or a failing fsync.
 */
public interface SegmentIo {
  /** An open, writable segment file. */
  interface SegmentFile extends AutoCloseable {
    /** Writes every byte of {@code data} at {@code position}. */
    void write(ByteBuffer data, long position) throws IOException;

    /** Makes written data durable ({@code fdatasync}). */
    void force() throws IOException;

    /** Cuts the file to {@code size} bytes. */
    void truncate(long size) throws IOException;

    /** The file's size. */
    long size() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** Opens (creating if needed) a segment file for writing. */
  SegmentFile open(Path file) throws IOException;

  /** Makes a directory's entries (a newly created segment) durable. */
  void syncDirectory(Path dir) throws IOException;

  /** The real file system. */
  static SegmentIo files() {
    return new SegmentIo() {
      @Override
      public SegmentFile open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.READ);
        return new SegmentFile() {
          @Override
          public void write(ByteBuffer data, long position) throws IOException {
            long p = position;
            while (data.hasRemaining()) {
              p += ch.write(data, p);
            }
          }

          @Override
          public void force() throws IOException {
            ch.force(false);
          }

          @Override
          public void truncate(long size) throws IOException {
            ch.truncate(size);
          }

          @Override
          public long size() throws IOException {
            return ch.size();
          }

          @Override
          public void close() throws IOException {
            ch.close();
          }
        };
      }

      @Override
      public void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true);
        }
      }
    };
  }
}
