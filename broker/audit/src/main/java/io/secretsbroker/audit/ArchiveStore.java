package io.secretsbroker.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where closed journal segments go before they are deleted locally: per replica, its segment files (named as in the
 * journal, {@code %020d.seg}) and next to each the checkpoint covering the segment's last record ({@code
 * <segment>.checkpoint}), so that an archive verifies offline on its own ({@link ArchiveVerifier}). Implementations
 * are thread-safe; {@link #describe()} never shows credentials.
 */
public interface ArchiveStore extends Closeable {
  /** The suffix of the checkpoint stored next to a segment. */
  String CHECKPOINT_SUFFIX = ".checkpoint";

  /**
   * Copies a closed segment file into the archive under its own file name, replacing an earlier copy of that name
   * (a retried archive run). The copy is complete or absent, never partial.
   *
   * @throws IOException when it could not be stored
   * @throws IllegalArgumentException when the replica id or the file name is not valid
   */
  void put(String replica, Path segment) throws IOException;

  /**
   * Stores the checkpoint covering the last record of an archived segment, next to it.
   *
   * @throws IOException when it could not be stored
   */
  void putCheckpoint(String replica, String segmentName, Checkpoint checkpoint) throws IOException;

  /**
   * The replicas that have segments in the archive, sorted.
   *
   * @throws IOException when the archive cannot be listed
   */
  List<String> replicas() throws IOException;

  /**
   * The names of {@code replica}'s archived segments, oldest first; empty when there are none.
   *
   * @throws IOException when the archive cannot be listed
   */
  List<String> segments(String replica) throws IOException;

  /**
   * The checkpoint stored next to a segment, if any; its signature is not checked here.
   *
   * @throws IOException when it cannot be read or is not a checkpoint
   */
  Optional<Checkpoint> checkpoint(String replica, String segmentName) throws IOException;

  /**
   * A local file holding an archived segment: a copy written into {@code intoDir} (0600), or — for an archive on the
   * local file system — the archived file itself, to be read only.
   *
   * @throws java.nio.file.NoSuchFileException when the archive has no such segment
   * @throws IOException when it cannot be read
   */
  Path fetch(String replica, String segmentName, Path intoDir) throws IOException;

  /** Where the archive is, for messages (never credentials). */
  String describe();

  /** Releases the store's clients; the default does nothing. */
  @Override
  default void close() throws IOException {}
}
