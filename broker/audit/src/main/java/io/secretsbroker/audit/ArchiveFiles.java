package io.secretsbroker.audit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/** File helpers shared by the archive stores: owner-only files written atomically, and file digests. */
public final class ArchiveFiles {
  private static final FileAttribute<Set<PosixFilePermission>> FILE_0600 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<Set<PosixFilePermission>> DIR_0700 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private ArchiveFiles() {}

  /**
   * Writes {@code name} in {@code folder} (created 0700 when missing) from {@code in}: to a temporary name (0600),
   * fsync'd, renamed atomically over any earlier file of that name, then the folder fsync'd. Readers see the old file
   * or the complete new one, never a part.
   *
   * @return the file written
   * @throws IOException when it could not be written; no temporary file is left behind
   */
  public static Path writeAtomically(Path folder, String name, InputStream in) throws IOException {
    if (!Files.isDirectory(folder)) {
      Files.createDirectories(folder, DIR_0700);
    }
    Path tmp = folder.resolve("." + name + ".tmp");
    Path target = folder.resolve(name);
    Files.deleteIfExists(tmp);
    try {
      try (FileChannel out = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          FILE_0600)) {
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = in.read(chunk)) >= 0) {
          ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
          while (b.hasRemaining()) {
            out.write(b);
          }
        }
        out.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (FileChannel d = FileChannel.open(folder, StandardOpenOption.READ)) {
      d.force(true);
    }
    return target;
  }

  /**
   * The SHA-256 of a file's bytes.
   *
   * @throws IOException when it cannot be read
   */
  public static byte[] sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] chunk = new byte[64 * 1024];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        md.update(chunk, 0, n);
      }
    }
    return md.digest();
  }
}
