package io.secretsbroker.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** The bytes a folder holds on disk (the sum of its regular files' sizes), read once they stop changing. */
final class DiskUsage {
  /** How long the sizes must stay the same to count as settled. */
  static final Duration QUIET = Duration.ofSeconds(2);
  /** How long to wait for the sizes to settle at most. */
  static final Duration MAX_WAIT = Duration.ofSeconds(15);

  private static final long POLL_MILLIS = 100;

  private DiskUsage() {}

  /**
   * A folder's size once it has not changed for {@link #QUIET}, or after {@link #MAX_WAIT} if it keeps changing.
   *
   * @param bytes the total size of the regular files
   * @param settled false when {@link #MAX_WAIT} ran out first
   */
  record Reading(long bytes, boolean settled) {}

  /**
   * Waits until the total size of {@code dir}'s regular files stops changing, then returns it.
   *
   * @throws IOException if the folder cannot be walked
   * @throws InterruptedException if interrupted while waiting
   */
  static Reading settle(Path dir) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + MAX_WAIT.toNanos();
    long last = totalBytes(dir);
    long stableSince = System.nanoTime();
    while (true) {
      Thread.sleep(POLL_MILLIS);
      long now = System.nanoTime();
      long bytes = totalBytes(dir);
      if (bytes != last) {
        last = bytes;
        stableSince = now;
      } else if (now - stableSince >= QUIET.toNanos()) {
        return new Reading(bytes, true);
      }
      if (now - deadline >= 0) {
        return new Reading(bytes, false);
      }
    }
  }

  /**
   * The total size of the regular files under {@code dir}, at any depth; files deleted while walking count as 0.
   *
   * @throws IOException if the folder cannot be walked
   */
  static long totalBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(DiskUsage::sizeOrZero).sum();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (NoSuchFileException gone) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
