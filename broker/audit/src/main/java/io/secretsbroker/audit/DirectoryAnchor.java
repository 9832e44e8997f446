package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * Anchors checkpoints in a directory (mount another volume there): one append-only file per replica,
 * {@code <replica>.checkpoints}, one line per checkpoint, each fsync'd. Thread-safe.
 */
public final class DirectoryAnchor implements Anchor {
  private final Path dir;

  public DirectoryAnchor(Path dir) {
    this.dir = dir;
  }

  private Path fileOf(String replica) {
    return dir.resolve(Replicas.requireValid(replica) + ".checkpoints");
  }

  @Override
  public synchronized void publish(Checkpoint c) throws IOException {
    Files.createDirectories(dir);
    Path f = fileOf(c.replica());
    if (!Files.exists(f)) {
      Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer line = ByteBuffer.wrap((c.toLine() + "\n").getBytes(StandardCharsets.US_ASCII));
      while (line.hasRemaining()) {
        ch.write(line);
      }
      ch.force(false);
    }
  }

  @Override
  public Optional<Checkpoint> latest(String replica) throws IOException {
    Path f = fileOf(replica);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
    for (int i = lines.size() - 1; i >= 0; i--) {
      Checkpoint c = Checkpoint.parseLine(replica, lines.get(i));
      if (c != null) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @Override
  public String describe() {
    return "directory " + dir;
  }
}
