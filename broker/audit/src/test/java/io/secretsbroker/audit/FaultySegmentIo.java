package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps {@link SegmentIo#files()}: counts writes and fsyncs, and while a fault is set makes writes (after writing
 * half their bytes, as a full disk does) or fsyncs fail with "No space left on device".
 */
final class FaultySegmentIo implements SegmentIo {
  enum Fault { NONE, WRITE, FORCE }

  private final SegmentIo delegate = SegmentIo.files();
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger forces = new AtomicInteger();
  final AtomicInteger failures = new AtomicInteger();
  volatile Fault fault = Fault.NONE;

  @Override
  public SegmentFile open(Path file) throws IOException {
    SegmentFile f = delegate.open(file);
    return new SegmentFile() {
      @Override
      public void write(ByteBuffer data, long position) throws IOException {
        writes.incrementAndGet();
        if (fault == Fault.WRITE) {
          ByteBuffer half = data.slice();
          half.limit(half.remaining() / 2);
          f.write(half, position);
          failures.incrementAndGet();
          throw new IOException("No space left on device");
        }
        f.write(data, position);
      }

      @Override
      public void force() throws IOException {
        forces.incrementAndGet();
        if (fault == Fault.FORCE) {
          failures.incrementAndGet();
          throw new IOException("No space left on device");
        }
        f.force();
      }

      @Override
      public void truncate(long size) throws IOException {
        f.truncate(size);
      }

      @Override
      public long size() throws IOException {
        return f.size();
      }

      @Override
      public void close() throws IOException {
        f.close();
      }
    };
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
  }
}
