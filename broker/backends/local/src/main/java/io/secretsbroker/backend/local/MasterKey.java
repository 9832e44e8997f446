package io.secretsbroker.backend.local;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.secretsbroker.spi.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit key that wraps every data key of the local backend, read from (or created in) its file.
 *
 * <p>The file holds the key in base64 on one line (44 characters, an optional line break), the format of
 * {@code openssl rand -base64 32}. It must be a regular file that neither group nor others may read, write
 * or execute (mode {@code 0600} or {@code 0400}); a file that is missing is created with mode {@code 0600}
 * from a fresh random key. The key's {@link #id()} is a fingerprint stored beside every value so that a
 * wrong key is reported as such.
 *
 * <p>{@link #toString()} shows only the id. Thread-safe.
 */
final class MasterKey {
  /** The key's length in bytes. */
  static final int KEY_BYTES = 32;

  private static final int MAX_FILE_BYTES = 128;
  private static final byte[] ID_LABEL = "secrets-broker/local/master-key-id/v1\0".getBytes(US_ASCII);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> FORBIDDEN = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private final SecretKey key;
  private final String id;

  private MasterKey(byte[] keyBytes) {
    this.key = new SecretKeySpec(keyBytes, "AES");
    this.id = idOf(keyBytes);
  }

  /** A master key from raw bytes (copied); for tests. */
  static MasterKey of(byte[] keyBytes) {
    if (keyBytes.length != KEY_BYTES) {
      throw new IllegalArgumentException("a master key has " + KEY_BYTES + " bytes, got " + keyBytes.length);
    }
    return new MasterKey(keyBytes);
  }

  /**
   * Loads the key from {@code file}, creating the file with a new random key (mode {@code 0600}) when it
   * does not exist.
   *
   * @param file the key file
   * @param settingKey the config key path that named the file, for error messages
   * @throws ConfigException naming the file and what is wrong with it
   */
  static MasterKey loadOrCreate(Path file, String settingKey) {
    if (!Files.exists(file)) {
      try {
        create(file);
      } catch (FileAlreadyExistsException raced) {
        // Another process created it first; load theirs.
      } catch (UnsupportedOperationException e) {
        throw new ConfigException(settingKey + ": cannot create " + file
            + " with mode 0600: the file system has no POSIX permissions");
      } catch (IOException e) {
        throw new ConfigException(settingKey + ": cannot create " + file + ": " + e, e);
      }
    }
    return load(file, settingKey);
  }

  /**
   * Loads the key from an existing {@code file}.
   *
   * @throws ConfigException naming the file and what is wrong with it
   */
  static MasterKey load(Path file, String settingKey) {
    String where = settingKey + ": " + file;
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new ConfigException(where + " does not exist");
    } catch (UnsupportedOperationException e) {
      throw new ConfigException(where + " is on a file system without POSIX permissions, so the broker cannot"
          + " check that only its owner can read it");
    } catch (IOException e) {
      throw new ConfigException(where + " cannot be read: " + e, e);
    }
    if (!attributes.isRegularFile()) {
      throw new ConfigException(where + " is not a regular file");
    }
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (permissions.stream().anyMatch(FORBIDDEN::contains)) {
      throw new ConfigException(where + " has mode " + mode(permissions)
          + ", so group or others may read or change the master key; allow only its owner (chmod 600)");
    }
    if (attributes.size() > MAX_FILE_BYTES) {
      throw new ConfigException(where + " is " + attributes.size() + " bytes long; " + formatHint());
    }
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(where + " cannot be read: " + e, e);
    }
    byte[] keyBytes = null;
    try {
      keyBytes = decode(content, where);
      return new MasterKey(keyBytes);
    } finally {
      Arrays.fill(content, (byte) 0);
      if (keyBytes != null) {
        Arrays.fill(keyBytes, (byte) 0);
      }
    }
  }

  /** The key, for {@link javax.crypto.Cipher#init}. */
  SecretKey key() {
    return key;
  }

  /** The key's fingerprint: 16 hex digits, the first 8 bytes of SHA-256 over a label and the key. */
  String id() {
    return id;
  }

  /** Shows the id only. */
  @Override
  public String toString() {
    return "MasterKey[id=" + id + "]";
  }

  private static void create(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(EnumSet.of(
          PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
    }
    byte[] keyBytes = new byte[KEY_BYTES];
    byte[] encoded = null;
    ByteBuffer line = null;
    FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    try (FileChannel channel = FileChannel.open(file,
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly)) {
      new SecureRandom().nextBytes(keyBytes);
      encoded = Base64.getEncoder().encode(keyBytes);
      line = ByteBuffer.allocate(encoded.length + 1).put(encoded).put((byte) '\n').flip();
      while (line.hasRemaining()) {
        channel.write(line);
      }
      channel.force(true);
    } finally {
      Arrays.fill(keyBytes, (byte) 0);
      if (encoded != null) {
        Arrays.fill(encoded, (byte) 0);
      }
      if (line != null) {
        Arrays.fill(line.array(), (byte) 0);
      }
    }
    if (parent != null) {
      try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        // Syncing a folder is not possible everywhere; the file itself is durable.
      }
    }
  }

  private static byte[] decode(byte[] content, String where) {
    int end = content.length;
    while (end > 0 && (content[end - 1] == '\n' || content[end - 1] == '\r')) {
      end--;
    }
    if (end == 0) {
      throw new ConfigException(where + " is empty; " + formatHint());
    }
    byte[] text = Arrays.copyOf(content, end);
    try {
      byte[] keyBytes = Base64.getDecoder().decode(text);
      if (keyBytes.length != KEY_BYTES) {
        Arrays.fill(keyBytes, (byte) 0);
        throw new ConfigException(where + " holds a " + keyBytes.length * 8 + "-bit key, expected "
            + KEY_BYTES * 8 + " bits; " + formatHint());
      }
      return keyBytes;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + " is not valid base64; " + formatHint());
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  private static String formatHint() {
    return "the file must hold a 256-bit key as one line of base64 (44 characters), as made by"
        + " 'openssl rand -base64 32'";
  }

  private static String mode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", mode);
  }

  private static String idOf(byte[] keyBytes) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(ID_LABEL);
      byte[] digest = sha256.digest(keyBytes);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
