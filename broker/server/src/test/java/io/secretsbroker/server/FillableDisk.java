package io.secretsbroker.server;

import io.secretsbroker.audit.SegmentIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The audit journal's segment files on the real file system, except that while the disk is {@linkplain #fill()
 * filled} every write fails as a full disk does. Cutting a file back and closing it still work, as they do on a full
 * disk. Thread-safe.
 */
public final class FillableDisk implements SegmentIo {
  private final SegmentIo files = SegmentIo.files();
  private volatile boolean full;

  /** From now on, writes fail with "No space left on device". */
  public void fill() {
    full = true;
  }

  /** From now on, writes succeed again. */
  public void free() {
    full = false;
  }

  @Override
  public SegmentFile open(Path file) throws IOException {
    SegmentFile real = files.open(file);
    return new SegmentFile() {
      @Override
      public void write(ByteBuffer data, long position) throws IOException {
        failIfFull();
        real.write(data, position);
      }

      @Override
      public void force() throws IOException {
        real.force();
      }

      @Override
      public void truncate(long size) throws IOException {
        real.truncate(size);
      }

      @Override
      public long size() throws IOException {
        return real.size();
      }

      @Override
      public void close() throws IOException {
        real.close();
      }
    };
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    files.syncDirectory(dir);
  }

  private void failIfFull() throws IOException {
    if (full) {
      throw new IOException("No space left on device");
    }
  }
}
