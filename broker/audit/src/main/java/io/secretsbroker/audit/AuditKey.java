package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit chain's HMAC-SHA256 key. It lives in its own file (0600, refused when group or others may read it),
 * never in the database, so write access to the database — or to the journal — cannot rewrite history without
 * it. Immutable and thread-safe; {@link Mac} instances it hands out are not.
 */
public final class AuditKey {
  /** Length of the key and of every MAC, in bytes. */
  public static final int BYTES = 32;
  private static final byte[] GENESIS = "sb-audit-genesis\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHECKPOINT = "sb-audit-checkpoint\0".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;

  private AuditKey(byte[] raw) {
    if (raw.length != BYTES) {
      throw new IllegalArgumentException("an audit key is " + BYTES + " bytes, got " + raw.length);
    }
    this.key = new SecretKeySpec(raw, "HmacSHA256");
  }

  /** A key from raw bytes (tests). */
  public static AuditKey of(byte[] raw) {
    return new AuditKey(raw.clone());
  }

  /**
   * Loads the key file, creating it (0600, 32 random bytes, hex) when it does not exist.
   *
   * @throws IOException when the file cannot be read or written, is not a key, or is readable by others
   */
  public static AuditKey loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] raw = new byte[BYTES];
      new SecureRandom().nextBytes(raw);
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = parent.resolve(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, HexFormat.of().formatHex(raw) + "\n");
      Arrays.fill(raw, (byte) 0);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        Files.deleteIfExists(tmp); // another process made it first: use theirs
      }
    }
    return load(file);
  }

  /**
   * Loads an existing key file.
   *
   * @throws IOException when it is missing, malformed, or readable by group or others
   */
  public static AuditKey load(Path file) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
      throw new IOException("audit key file " + file + " is accessible by group or others ("
          + PosixFilePermissions.toString(perms) + "); make it 0600");
    }
    String hex = Files.readString(file).trim();
    byte[] raw;
    try {
      raw = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IOException("audit key file " + file + " does not hold a hex key");
    }
    if (raw.length != BYTES) {
      throw new IOException("audit key file " + file + " holds " + raw.length + " bytes, expected " + BYTES);
    }
    try {
      return new AuditKey(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** A new MAC engine with this key; one per thread. */
  public Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** The "previous MAC" of a replica's first record: binds the chain to its replica. */
  public byte[] genesis(String replica) {
    Mac mac = newMac();
    mac.update(GENESIS);
    return mac.doFinal(replica.getBytes(StandardCharsets.UTF_8));
  }

  /** MAC of a record: over the previous record's MAC and the record's canonical bytes. */
  static byte[] recordMac(Mac mac, byte[] previous, byte[] canonical, int offset, int length) {
    mac.update(previous);
    mac.update(canonical, offset, length);
    return mac.doFinal();
  }

  /** MAC of a checkpoint statement. */
  byte[] checkpointMac(String replica, long sequence, byte[] recordMac, long timeMillis) {
    Mac mac = newMac();
    mac.update(CHECKPOINT);
    mac.update(replica.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    mac.update(longBytes(sequence));
    mac.update(recordMac);
    mac.update(longBytes(timeMillis));
    return mac.doFinal();
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  @Override
  public String toString() {
    return "AuditKey[REDACTED]";
  }
}
