package io.secretsbroker.spi;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The bytes of a secret. Immutable: the constructor and {@link #bytes()} copy. {@link #toString()} never
 * reveals the value; {@link #equals} compares in constant time.
 */
public final class SecretValue {
  private final byte[] bytes;

  private SecretValue(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A value holding a copy of {@code bytes}. */
  public static SecretValue of(byte[] bytes) {
    return new SecretValue(bytes.clone());
  }

  /** A value holding {@code bytes} itself; the caller must not change the array afterwards. */
  public static SecretValue wrap(byte[] bytes) {
    return new SecretValue(bytes);
  }

  /** A copy of the value's bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The number of bytes. */
  public int size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretValue other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Always {@code [REDACTED]}. */
  @Override
  public String toString() {
    return "[REDACTED]";
  }
}
