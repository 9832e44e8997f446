package io.secretsbroker.bench;

import java.nio.charset.StandardCharsets;

/** The one secret every leg serves: its name and its 31-byte value. */
final class BenchSecret {
  /** The secret's name. */
  static final String NAME = "bench/db-password";

  private static final String VALUE_TEXT = "a-32-byte-password-for-benching";

  private BenchSecret() {}

  /** A fresh copy of the value (31 bytes); a benchmark fixture, not a real secret. */
  static byte[] value() {
    return VALUE_TEXT.getBytes(StandardCharsets.US_ASCII);
  }
}
