package io.secretsbroker.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Measures this machine's fsync latency where the data folders live: {@value #ITERATIONS} times, append 512 bytes
 * to a temporary file and {@link FileChannel#force(boolean) force(false)} it.
 */
final class FsyncProbe {
  static final int ITERATIONS = 200;
  static final int WRITE_BYTES = 512;

  private FsyncProbe() {}

  /**
   * Median and 99th percentile of one write + force, in nanoseconds.
   *
   * @param medianNanos the 50th percentile
   * @param p99Nanos the 99th percentile
   */
  record Result(long medianNanos, long p99Nanos) {}

  /**
   * Runs the probe in a temporary file in {@code dir}, deleted afterwards.
   *
   * @throws IOException if the file cannot be written
   */
  static Result run(Path dir) throws IOException {
    Path file = Files.createTempFile(dir, "fsync-probe", ".bin");
    long[] nanos = new long[ITERATIONS];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer block = ByteBuffer.allocate(WRITE_BYTES);
      for (int i = 0; i < ITERATIONS; i++) {
        block.clear();
        long start = System.nanoTime();
        while (block.hasRemaining()) {
          ch.write(block);
        }
        ch.force(false);
        nanos[i] = System.nanoTime() - start;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    Arrays.sort(nanos);
    return new Result(percentile(nanos, 50), percentile(nanos, 99));
  }

  /**
   * The nearest-rank percentile of sorted samples: the smallest sample with at least {@code p} % of the samples at
   * or below it.
   *
   * @throws IllegalArgumentException if there are no samples or {@code p} is not in (0, 100]
   */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0 || !(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("need samples and 0 < p <= 100, got " + sorted.length + " samples, p=" + p);
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[rank - 1];
  }
}
