package io.secretsbroker.audit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An archive in a directory (mount another volume there): {@code <dir>/<replica>/<segment>} and {@code
 * <dir>/<replica>/<segment>.checkpoint}. Every file is written to a temporary name, fsync'd, renamed atomically into
 * place and its directory fsync'd; files are 0600, directories 0700. {@link #fetch} returns the archived file itself.
 * Thread-safe.
 */
public final class DirectoryArchive implements ArchiveStore {
  private final Path dir;

  /** An archive in {@code dir}, created (0700) on the first write. */
  public DirectoryArchive(Path dir) {
    this.dir = dir;
  }

  private Path replicaDir(String replica) {
    return dir.resolve(Replicas.requireValid(replica));
  }

  @Override
  public void put(String replica, Path segment) throws IOException {
    String name = JournalFormat.requireSegmentName(segment.getFileName().toString());
    try (InputStream in = Files.newInputStream(segment)) {
      ArchiveFiles.writeAtomically(replicaDir(replica), name, in);
    }
  }

  @Override
  public void putCheckpoint(String replica, String segmentName, Checkpoint checkpoint) throws IOException {
    byte[] line = (checkpoint.toLine() + "\n").getBytes(StandardCharsets.US_ASCII);
    ArchiveFiles.writeAtomically(replicaDir(replica), JournalFormat.requireSegmentName(segmentName) + CHECKPOINT_SUFFIX,
        new java.io.ByteArrayInputStream(line));
  }

  @Override
  public List<String> replicas() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        String name = p.getFileName().toString();
        if (Files.isDirectory(p) && isReplica(name) && !segments(name).isEmpty()) {
          out.add(name);
        }
      }
    }
    return out;
  }

  private static boolean isReplica(String name) {
    try {
      Replicas.requireValid(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public List<String> segments(String replica) throws IOException {
    Path folder = replicaDir(replica);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).filter(JournalFormat::isSegmentName).sorted().toList();
    }
  }

  @Override
  public Optional<Checkpoint> checkpoint(String replica, String segmentName) throws IOException {
    Path f = replicaDir(replica).resolve(JournalFormat.requireSegmentName(segmentName) + CHECKPOINT_SUFFIX);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    Checkpoint c = Checkpoint.parseLine(replica, Files.readString(f, StandardCharsets.US_ASCII));
    if (c == null) {
      throw new IOException("the archived checkpoint of " + segmentName + " (replica " + replica
          + ") is not a checkpoint line");
    }
    return Optional.of(c);
  }

  /** Returns the archived file itself (read it only); {@code intoDir} is not used. */
  @Override
  public Path fetch(String replica, String segmentName, Path intoDir) throws IOException {
    Path f = replicaDir(replica).resolve(JournalFormat.requireSegmentName(segmentName));
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(f.toString(), null, "not in the archive");
    }
    return f;
  }

  @Override
  public String describe() {
    return "directory " + dir;
  }
}
