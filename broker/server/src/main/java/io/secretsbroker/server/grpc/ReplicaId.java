package io.secretsbroker.server.grpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** This replica's id when the config names none: generated once, kept in {@code data-dir/replica-id}. */
final class ReplicaId {
  private ReplicaId() {}

  static String ensure(Path dataDir) throws IOException {
    Path f = dataDir.resolve("replica-id");
    if (Files.exists(f)) {
      String id = Files.readString(f).trim();
      io.secretsbroker.audit.Replicas.requireValid(id);
      return id;
    }
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    String id = "r-" + HexFormat.of().formatHex(b);
    Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(f, id + "\n");
    return id;
  }
}
