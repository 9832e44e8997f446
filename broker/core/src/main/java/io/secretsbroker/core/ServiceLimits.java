package io.secretsbroker.core;

/**
 * Size limits applied to every request before any backend is asked.
 *
 * @param maxValueBytes the largest secret value (default and ceiling 64 KiB)
 * @param maxBatchSize the most reads in one BatchGetSecrets
 */
public record ServiceLimits(int maxValueBytes, int maxBatchSize) {
  /** 64 KiB: the smallest value limit across the cloud backends. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;
  /** The most reads in one batch. */
  public static final int MAX_BATCH_SIZE = 100;

  public ServiceLimits {
    if (maxValueBytes < 1 || maxValueBytes > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("max value bytes must be between 1 and " + MAX_VALUE_BYTES);
    }
    if (maxBatchSize < 1 || maxBatchSize > 1000) {
      throw new IllegalArgumentException("max batch size must be between 1 and 1000");
    }
  }

  /** The defaults: 64 KiB values, 100 reads a batch. */
  public static ServiceLimits defaults() {
    return new ServiceLimits(MAX_VALUE_BYTES, MAX_BATCH_SIZE);
  }
}
